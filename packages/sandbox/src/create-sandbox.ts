import { BudflowError, ERROR_CODES } from '@budflow/node-sdk';
import type { EngineFailure, EngineOutcome, QuickJsEngine } from './engine/quickjs-engine.js';
import { WorkerPool } from './pool/worker-pool.js';
import { decodeSandboxJson, type TagDecoder } from './decode-value.js';
import { decodeBinaryValue, encodeBinaryValue } from './engine/binary-value.js';
import {
  DEFAULT_SANDBOX_LIMITS,
  type ConsoleEntry,
  type Sandbox,
  type SandboxCallOptions,
  type SandboxLimits,
  type SandboxOptions,
  type SandboxResult,
  type SandboxRunOptions,
} from './sandbox-options.js';

/** An error thrown by the script itself: its name, message and line in the user's code. */
export interface SandboxScriptErrorDetails {
  name: string;
  message: string;
  line?: number;
  column?: number;
  stack?: string;
  /** Set by prelude code that throws errors carrying a BudFlow code (`error.__bfCode`). */
  code?: string;
  details?: Record<string, unknown>;
  console?: ConsoleEntry[];
}

/** Everything a sandbox call can fail with. `code` is one of the `SANDBOX_*` error codes. */
export class SandboxError extends BudflowError {
  override name = 'SandboxError';
}

function failureError(failure: EngineFailure): SandboxError {
  return new SandboxError(ERROR_CODES[failure.code], failure.message, { details: failure.details });
}

interface RawResult {
  ok: boolean;
  console: ConsoleEntry[];
  value?: unknown;
  raw?: unknown;
  error?: SandboxScriptErrorDetails;
}

function scriptError(
  error: SandboxScriptErrorDetails,
  consoleEntries: ConsoleEntry[],
): SandboxError {
  const where = error.line === undefined ? '' : ` [line ${error.line}]`;
  return new SandboxError(
    ERROR_CODES.SANDBOX_ERROR,
    `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}${where}`,
    { details: { ...error, console: consoleEntries } },
  );
}

export interface CreateSandboxOptions extends SandboxOptions {
  /** Host-side decoders for values a prelude encodes with `addEncoder(tag, ...)`. */
  decoders?: Record<string, TagDecoder>;
}

/**
 * The size from which a `call` payload crosses in binary form. Measured through a worker thread
 * (CPU per call, encoding included): the buffer costs ~2 µs more for a few bytes, breaks even
 * around 100-150 bytes and wins from there (259 bytes of items: 49-51 µs as text, 40-43 µs).
 */
export const BINARY_PAYLOAD_MIN_BYTES = 256;

interface Executor {
  execute(
    request: string,
    timeoutMs: number,
    maxDepth?: number,
    payload?: Uint8Array,
  ): Promise<EngineOutcome>;
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * QuickJS in this thread. The engine module (and quickjs-emscripten with it) is imported on the
 * first call: with the default worker isolation this thread never loads it (~20 ms of CPU, ~0.8 MB
 * of heap and ~7 MiB of RSS at start-up).
 */
function inlineExecutor(limits: SandboxLimits, options: SandboxOptions): Executor {
  let engine: Promise<QuickJsEngine> | undefined;
  let closed = false;
  const get = () =>
    (engine ??= import('./engine/quickjs-engine.js').then(({ QuickJsEngine }) =>
      QuickJsEngine.create(limits, options.prelude ?? [], options.recycleAfterCalls ?? 0),
    ));
  return {
    async execute(request, timeoutMs, maxDepth, payload) {
      if (closed)
        return { ok: false, failure: { code: 'SANDBOX_ERROR', message: 'the sandbox is closed' } };
      return (await get()).execute(request, timeoutMs, maxDepth, payload);
    },
    async warmUp() {
      await get();
    },
    async close() {
      closed = true;
      if (engine) (await engine).dispose();
    },
  };
}

/**
 * Creates a sandbox: hardened QuickJS contexts with memory, stack, time and output limits, by
 * default in a pool of worker threads.
 */
export function createSandbox(options: CreateSandboxOptions = {}): Sandbox {
  const limits: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS, ...options.limits };
  const decoders = options.decoders ?? {};
  const executor: Executor =
    options.isolation === 'inline'
      ? inlineExecutor(limits, options)
      : new WorkerPool({
          size: Math.max(1, options.poolSize ?? 1),
          limits,
          prelude: options.prelude ?? [],
          graceMs: options.watchdogGraceMs ?? 2_000,
          recycleAfterCalls: options.recycleAfterCalls,
        });

  async function send<T>(
    request: string,
    timeoutMs: number,
    raw: boolean,
    maxDepth?: number,
    payload?: Uint8Array,
  ): Promise<SandboxResult<T>> {
    const outcome = await executor.execute(request, timeoutMs, maxDepth, payload);
    if (!outcome.ok) throw failureError(outcome.failure);
    const output = outcome.output;
    if (raw && output.startsWith('{"ok":true')) {
      // `raw` is the last key and the console entries before it are escaped strings, so the first
      // `,"raw":` is the key itself: hand the handler's JSON text back without parsing it here.
      const at = output.indexOf(',"raw":');
      const head = JSON.parse(`${output.slice(0, at)}}`) as RawResult;
      const value = output.slice(at + 7, -1) as T;
      if (outcome.binary)
        return { value, console: head.console, attachment: decodeBinaryValue(outcome.binary) };
      return { value, console: head.console };
    }
    const result = decodeSandboxJson(output, decoders) as RawResult;
    if (!result.ok) throw scriptError(result.error!, result.console);
    return { value: result.value as T, console: result.console };
  }

  return {
    run<T>(code: string, runOptions: SandboxRunOptions = {}) {
      const request = JSON.stringify({
        kind: 'run',
        code,
        params: runOptions.params ?? [],
        args: runOptions.args ?? [],
      });
      return send<T>(request, runOptions.timeoutMs ?? limits.timeoutMs, false);
    },
    call<T>(handler: string, payload: unknown, callOptions: SandboxCallOptions = {}) {
      const raw = callOptions.raw === true;
      const head = `{"kind":"call","handler":${JSON.stringify(handler)},"raw":${raw}`;
      // JSON data goes in QuickJS's binary object format (10,000 items: 41 -> 20 ms of CPU per
      // call); anything JSON.stringify treats in its own way (a toJSON, a Date, BigInt, ...) as
      // JSON text.
      let binary = encodeBinaryValue(payload, limits.memoryBytes);
      if (binary && binary.length < BINARY_PAYLOAD_MIN_BYTES) binary = undefined;
      const request = binary
        ? `${head},"binaryPayload":true}`
        : `${head},"payload":${JSON.stringify(payload) ?? 'null'}}`;
      return send<T>(
        request,
        callOptions.timeoutMs ?? limits.timeoutMs,
        raw,
        raw ? callOptions.maxDepth : undefined,
        binary,
      );
    },
    warmUp: () => executor.warmUp(),
    close: () => executor.close(),
  };
}
