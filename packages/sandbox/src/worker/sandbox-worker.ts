/** Entry of a sandbox worker thread: one hardened QuickJS context, one request at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { QuickJsEngine } from '../engine/quickjs-engine.js';
import type { PreludeScript, SandboxLimits } from '../sandbox-options.js';
import type { WorkerReply, WorkerRequest } from '../pool/worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('sandbox-worker must run in a worker thread');
const { limits, prelude, recycleAfterCalls } = workerData as {
  limits: SandboxLimits;
  prelude: PreludeScript[];
  recycleAfterCalls?: number;
};

QuickJsEngine.create(limits, prelude, recycleAfterCalls).then(
  (engine) => {
    port.on('message', (message: WorkerRequest) => {
      const { request, timeoutMs, maxDepth, payload } = message;
      void engine.execute(request, timeoutMs, maxDepth, payload).then((outcome) => {
        const reply: WorkerReply = { type: 'result', id: message.id, outcome };
        // A binary value owns its buffer (a copy out of the WebAssembly memory): moved, not copied.
        port.postMessage(
          reply,
          outcome.ok && outcome.binary ? [outcome.binary.buffer as ArrayBuffer] : [],
        );
      });
    });
    port.postMessage({ type: 'ready' } satisfies WorkerReply);
  },
  (error: unknown) => {
    port.postMessage({
      type: 'fatal',
      message: error instanceof Error ? error.message : String(error),
    } satisfies WorkerReply);
  },
);
