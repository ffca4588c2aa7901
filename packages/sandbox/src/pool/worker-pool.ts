import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { EngineOutcome } from '../engine/quickjs-engine.js';
import type { PreludeScript, SandboxLimits } from '../sandbox-options.js';
import { workerEntry } from '../worker-url.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

interface Job {
  request: string;
  timeoutMs: number;
  maxDepth: number | undefined;
  payload: Uint8Array | undefined;
  resolve: (outcome: EngineOutcome) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | undefined;
  jobId: number;
  watchdog: NodeJS.Timeout | undefined;
  dead: boolean;
}

export interface WorkerPoolOptions {
  size: number;
  limits: SandboxLimits;
  prelude: PreludeScript[];
  graceMs: number;
  recycleAfterCalls?: number;
}

// Running from TypeScript sources (tests, `pnpm budflow`): the worker registers tsx, then loads
// the TypeScript entry. Built packages load `dist/worker/sandbox-worker.js` directly.
const SOURCE_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('tsx/package.json'));
  return pathToFileURL(join(root, 'dist/esm/api/index.mjs')).href;
}

/**
 * Worker threads that each own one QuickJS context. Jobs queue until a worker is free. A watchdog
 * terminates a worker that overruns its deadline by `graceMs` (the in-engine interrupt handler
 * normally stops a script first) and starts a replacement.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly options: WorkerPoolOptions;
  private readyWaiters: Array<() => void> = [];

  constructor(options: WorkerPoolOptions) {
    this.options = options;
  }

  private spawn(): Slot {
    const { url, fromSource } = workerEntry();
    const workerData = {
      limits: this.options.limits,
      prelude: this.options.prelude,
      recycleAfterCalls: this.options.recycleAfterCalls ?? 0,
    };
    const worker = new Worker(fromSource ? SOURCE_BOOTSTRAP : url, {
      eval: fromSource,
      workerData: fromSource ? { ...workerData, tsxApi: tsxApiUrl(), entry: url.href } : workerData,
      execArgv: [],
      // The worker's own JavaScript allocates little (requests, the reply text; values live in the
      // WebAssembly memory): a young generation of 2 MB instead of V8's default (it grew to 8 MB
      // with 1.6 MB texts) costs no measurable time. The old generation keeps V8's limit, so a
      // large request or result never kills the worker.
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
      env: {},
      stdout: false,
      stderr: false,
    });
    const slot: Slot = {
      worker,
      ready: false,
      job: undefined,
      jobId: 0,
      watchdog: undefined,
      dead: false,
    };
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on('error', (error) => this.onDeath(slot, `sandbox worker crashed: ${error.message}`));
    worker.on('exit', (code) => this.onDeath(slot, `sandbox worker exited (code ${code})`));
    this.slots.push(slot);
    return slot;
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'ready') {
      slot.ready = true;
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const w of waiters) w();
      this.pump();
      return;
    }
    if (reply.type === 'fatal') {
      this.failSlot(slot, reply.message);
      return;
    }
    if (reply.id !== slot.jobId || !slot.job) return;
    const job = slot.job;
    this.release(slot);
    job.resolve(reply.outcome);
    this.pump();
  }

  private release(slot: Slot): void {
    if (slot.watchdog) clearTimeout(slot.watchdog);
    slot.watchdog = undefined;
    slot.job = undefined;
    if (!slot.dead) slot.worker.unref();
  }

  private failSlot(slot: Slot, message: string): void {
    this.removeSlot(slot);
    void slot.worker.terminate();
    // A broken prelude fails every queued job instead of respawning forever.
    const jobs = this.queue.splice(0);
    for (const job of jobs) job.resolve({ ok: false, failure: { code: 'SANDBOX_ERROR', message } });
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }

  private removeSlot(slot: Slot): void {
    slot.dead = true;
    const i = this.slots.indexOf(slot);
    if (i !== -1) this.slots.splice(i, 1);
  }

  private onDeath(slot: Slot, message: string): void {
    if (slot.dead) return;
    if (!slot.ready) {
      this.failSlot(slot, message);
      return;
    }
    const job = slot.job;
    this.release(slot);
    this.removeSlot(slot);
    job?.resolve({ ok: false, failure: { code: 'SANDBOX_ERROR', message } });
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.ready && !s.job && !s.dead);
      if (!slot) {
        if (this.slots.length < this.options.size) this.spawn();
        return;
      }
      const job = this.queue.shift()!;
      this.dispatch(slot, job);
      slot = undefined;
    }
  }

  private dispatch(slot: Slot, job: Job): void {
    const id = this.nextId++;
    slot.job = job;
    slot.jobId = id;
    slot.worker.ref();
    slot.watchdog = setTimeout(() => {
      // The interrupt handler did not stop the script (stuck outside JS): kill the thread.
      this.removeSlot(slot);
      slot.watchdog = undefined;
      slot.job = undefined;
      void slot.worker.terminate();
      job.resolve({
        ok: false,
        failure: {
          code: 'SANDBOX_TIMEOUT',
          message: `script did not finish within ${job.timeoutMs} ms; its worker was terminated`,
          details: { timeoutMs: job.timeoutMs, terminated: true },
        },
      });
      this.pump();
    }, job.timeoutMs + this.options.graceMs);
    const message: WorkerRequest = {
      id,
      request: job.request,
      timeoutMs: job.timeoutMs,
      maxDepth: job.maxDepth,
      payload: job.payload,
    };
    // The payload bytes are the pool's own copy: moved, not copied.
    slot.worker.postMessage(message, job.payload ? [job.payload.buffer as ArrayBuffer] : []);
  }

  execute(
    request: string,
    timeoutMs: number,
    maxDepth?: number,
    payload?: Uint8Array,
  ): Promise<EngineOutcome> {
    if (this.closed)
      return Promise.resolve({
        ok: false,
        failure: { code: 'SANDBOX_ERROR', message: 'the sandbox is closed' },
      });
    return new Promise((resolve) => {
      this.queue.push({ request, timeoutMs, maxDepth, payload, resolve });
      this.pump();
    });
  }

  warmUp(): Promise<void> {
    if (this.slots.some((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve) => {
      this.readyWaiters.push(resolve);
      if (this.slots.length === 0) this.spawn();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const job of this.queue.splice(0))
      job.resolve({
        ok: false,
        failure: { code: 'SANDBOX_ERROR', message: 'the sandbox was closed' },
      });
    await Promise.all(
      slots.map(async (slot) => {
        slot.dead = true;
        if (slot.watchdog) clearTimeout(slot.watchdog);
        slot.job?.resolve({
          ok: false,
          failure: { code: 'SANDBOX_ERROR', message: 'the sandbox was closed' },
        });
        await slot.worker.terminate();
      }),
    );
  }
}
