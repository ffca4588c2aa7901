import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  newQuickJSWASMModule,
  newVariant,
  RELEASE_SYNC,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten';
import type { PreludeScript, SandboxLimits } from '../sandbox-options.js';
import { KERNEL_SOURCE } from './kernel-source.js';
import { hostCall } from './host-call.js';
import { jsonNesting, jsonNestingExceeds } from './json-depth.js';
import { binaryValueFits } from './binary-value.js';

/** A failure of the sandbox itself (limits, broken prelude), as plain data so it can cross threads. */
export interface EngineFailure {
  code: 'SANDBOX_TIMEOUT' | 'SANDBOX_MEMORY' | 'SANDBOX_OUTPUT_TOO_LARGE' | 'SANDBOX_ERROR';
  message: string;
  details?: Record<string, unknown>;
  /** The script finished but its result was refused (size, depth): the context stays usable. */
  refusedResult?: boolean;
}

/**
 * `binary`: the value a raw handler attached with `binaryReply`, in QuickJS's binary object format
 * (see `binary-value.ts`), already checked by `binaryValueFits`.
 */
export type EngineOutcome =
  { ok: true; output: string; binary?: Uint8Array } | { ok: false; failure: EngineFailure };

// The TypeScript lib here has WebAssembly types but no value declaration.
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WebAssembly.Module>;
}

let compiledWasm: Promise<WebAssembly.Module | undefined> | undefined;

/** The QuickJS WebAssembly code, compiled once per thread (instances are cheap, compiling is not). */
function compiledQuickJs(): Promise<WebAssembly.Module | undefined> {
  compiledWasm ??= (async () => {
    const fromHere = createRequire(import.meta.url);
    const fromQuickJs = createRequire(fromHere.resolve('quickjs-emscripten'));
    const bytes = await readFile(fromQuickJs.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'));
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    return wasm.compile(bytes);
  })().catch(() => undefined);
  return compiledWasm;
}

// Every engine gets its own WebAssembly instance: a reset drops the whole instance (and its linear
// memory) instead of tearing down a runtime that a failed script may have left inconsistent.
async function quickJsModule(): Promise<QuickJSWASMModule> {
  const wasmModule = await compiledQuickJs();
  return newQuickJSWASMModule(wasmModule ? newVariant(RELEASE_SYNC, { wasmModule }) : RELEASE_SYNC);
}

/**
 * One QuickJS runtime and context with the kernel and preludes loaded and hardened. Synchronous: it
 * runs inside a worker thread (or inline when the caller asked for it).
 */
export class QuickJsEngine {
  private runtime!: QuickJSRuntime;
  private context!: QuickJSContext;
  private dispatchFn!: QuickJSHandle;
  private deadline = 0;
  private module!: QuickJSWASMModule;
  private pendingReset: Promise<void> | undefined;
  private readonly limits: SandboxLimits;
  private readonly prelude: PreludeScript[];
  private readonly recycleAfterCalls: number;
  private calls = 0;

  private constructor(limits: SandboxLimits, prelude: PreludeScript[], recycleAfterCalls: number) {
    this.limits = limits;
    this.prelude = prelude;
    this.recycleAfterCalls = recycleAfterCalls;
  }

  static async create(
    limits: SandboxLimits,
    prelude: PreludeScript[],
    recycleAfterCalls = 0,
  ): Promise<QuickJsEngine> {
    const engine = new QuickJsEngine(limits, prelude, recycleAfterCalls);
    await engine.boot();
    return engine;
  }

  /** Builds a fresh module, runtime and context (also used to reset after a limit was hit). */
  private async boot(): Promise<void> {
    this.module = await quickJsModule();
    const runtime = this.module.newRuntime();
    runtime.setMemoryLimit(this.limits.memoryBytes);
    runtime.setMaxStackSize(this.limits.stackBytes);
    const context = runtime.newContext();
    this.runtime = runtime;
    this.context = context;

    const hostFn = context.newFunction('__bf_host_call', (request) => {
      return context.newString(hostCall(context.getString(request)));
    });
    context.setProp(context.global, '__bf_host_call', hostFn);
    hostFn.dispose();
    const jobsFn = context.newFunction('__bf_host_jobs', () => {
      const result = runtime.executePendingJobs(-1);
      if (result.error) {
        // Jobs that threw are reported to the awaiting promise; nothing to keep here.
        result.error.dispose();
        return context.newNumber(0);
      }
      return context.newNumber(result.value);
    });
    context.setProp(context.global, '__bf_host_jobs', jobsFn);
    jobsFn.dispose();

    this.deadline = Date.now() + 30_000;
    try {
      let t = performance.now();
      this.evalOrThrow(KERNEL_SOURCE, 'budflow-kernel.js');
      if (process.env.BF_TRACE) console.log('kernel', performance.now() - t);
      for (const script of this.prelude) {
        t = performance.now();
        this.evalOrThrow(script.code, script.filename);
        if (process.env.BF_TRACE) console.log(script.filename, performance.now() - t);
      }
      t = performance.now();
      const harden = context.getProp(context.global, '__bf_harden');
      const result = context.callFunction(harden, context.undefined);
      if (process.env.BF_TRACE) console.log('harden', performance.now() - t);
      harden.dispose();
      this.dispatchFn = context.unwrapResult(result);
    } finally {
      this.deadline = 0;
    }
    // Installed after the trusted preludes: the handler is called often and slows parsing down.
    runtime.setInterruptHandler(() => this.deadline !== 0 && Date.now() > this.deadline);
  }

  private evalOrThrow(code: string, filename: string): void {
    const result = this.context.evalCode(code, filename);
    if (result.error) {
      const error: unknown = this.context.dump(result.error);
      result.error.dispose();
      const message =
        typeof error === 'object' && error !== null && 'message' in error
          ? String(error.message)
          : String(error);
      throw new Error(`sandbox prelude ${filename} failed: ${message}`);
    }
    result.value.dispose();
  }

  /**
   * Runs one request (JSON text understood by the kernel's dispatcher). `maxDepth` bounds the
   * nesting of the value a raw call answers with.
   */
  async execute(
    requestJson: string,
    timeoutMs: number,
    maxDepth?: number,
    payload?: Uint8Array,
  ): Promise<EngineOutcome> {
    if (this.pendingReset) await this.pendingReset;
    return this.executeNow(requestJson, timeoutMs, maxDepth, payload);
  }

  private executeNow(
    requestJson: string,
    timeoutMs: number,
    maxDepth?: number,
    payload?: Uint8Array,
  ): EngineOutcome {
    let outcome: EngineOutcome;
    let reset = false;
    this.deadline = Date.now() + timeoutMs;
    try {
      // A payload in QuickJS's binary object format (`encodeBinaryValue`), read here: ~3× cheaper
      // than converting its JSON text to UTF-8 for QuickJS and parsing it there.
      const value = payload && this.readPayload(payload);
      if (value === null) {
        outcome = {
          ok: false,
          failure: { code: 'SANDBOX_MEMORY', message: 'script exceeded the sandbox memory limit' },
        };
        reset = true;
      } else {
        ({ outcome, reset } = this.dispatch(requestJson, timeoutMs, maxDepth, value));
      }
    } catch (error) {
      // The WASM module itself trapped: its C stack or its memory is exhausted.
      const message = error instanceof Error ? error.message : String(error);
      outcome = {
        ok: false,
        failure: /stack|recursion/i.test(message)
          ? {
              code: 'SANDBOX_ERROR',
              message: 'script exceeded the sandbox stack limit (too deep recursion)',
              details: { reason: 'stack' },
            }
          : { code: 'SANDBOX_MEMORY', message: `sandbox ran out of memory (${message})` },
      };
      reset = true;
    } finally {
      this.deadline = 0;
    }
    this.calls++;
    if (reset || (this.recycleAfterCalls > 0 && this.calls >= this.recycleAfterCalls)) this.reset();
    return outcome;
  }

  /** Calls the kernel's dispatcher; `reset` when the context is no longer fit for another call. */
  private dispatch(
    requestJson: string,
    timeoutMs: number,
    maxDepth: number | undefined,
    value: QuickJSHandle | undefined,
  ): { outcome: EngineOutcome; reset: boolean } {
    const context = this.context;
    const arg = context.newString(requestJson);
    let result = value
      ? context.callFunction(this.dispatchFn, context.undefined, arg, value)
      : context.callFunction(this.dispatchFn, context.undefined, arg);
    arg.dispose();
    value?.dispose();
    if (!result.error && context.typeof(result.value) !== 'string') {
      // A binary reply: { text, value, fallback } (see the kernel's binaryReply).
      const answer = result.value;
      const outcome = this.binaryOutcome(answer, maxDepth);
      if (outcome) {
        answer.dispose();
        return { outcome, reset: false };
      }
      const fallback = context.getProp(answer, 'fallback');
      result = context.callFunction(fallback, context.undefined);
      fallback.dispose();
      answer.dispose();
    }
    if (result.error) {
      const error: unknown = context.dump(result.error);
      result.error.dispose();
      return { outcome: { ok: false, failure: classifyUncaught(error, timeoutMs) }, reset: true };
    }
    const output = context.getString(result.value);
    result.value.dispose();
    const outcome = this.checkOutput(output, timeoutMs, maxDepth);
    // A result refused for its size or depth says nothing bad about the context.
    return { outcome, reset: !outcome.ok && !outcome.failure.refusedResult };
  }

  /** The value of a binary payload; null when QuickJS could not read it (its memory limit). */
  private readPayload(payload: Uint8Array): QuickJSHandle | null {
    const context = this.context;
    // `encodeBinaryValue`'s bytes fill their own buffer (also once moved to a worker): handed over
    // as they are, since `newArrayBuffer` copies them into the WebAssembly memory itself.
    const whole = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength;
    const buffer = context.newArrayBuffer(whole ? payload.buffer : payload.slice().buffer);
    const value = context.decodeBinaryJSON(buffer);
    buffer.dispose();
    if (context.typeof(value) === 'unknown') {
      value.dispose();
      return null;
    }
    return value;
  }

  /**
   * The outcome of a binary reply whose value QuickJS's binary object format holds as JSON would
   * (see `binary-value.ts`) within the output and depth limits; undefined when the kernel's
   * `fallback()` must give the JSON text instead.
   */
  private binaryOutcome(answer: QuickJSHandle, maxDepth?: number): EngineOutcome | undefined {
    const context = this.context;
    const output = context.getProp(answer, 'text').consume((h) => context.getString(h));
    const refuse = context
      .getProp(answer, 'refuse')
      .consume((h) => JSON.parse(context.getString(h)) as string[]);
    const memoryBytes = this.limits.memoryBytes;
    let bytes: Uint8Array | undefined;
    // The encoder's buffer counts against the memory limit, and where an allocation fails the
    // encoder goes on without the bytes that did not fit instead of failing. So it runs with
    // twice the limit, and only an output small enough that it cannot have run out is kept: its
    // buffer and copies take ~3× the output, its table of objects under half the heap.
    this.runtime.setMemoryLimit(2 * memoryBytes);
    try {
      context.getProp(answer, 'value').consume((value) => {
        const encoded = context.encodeBinaryJSON(value);
        if (context.typeof(encoded) === 'object') {
          const buffer = context.getArrayBuffer(encoded);
          if (buffer.value.length <= memoryBytes / 8) bytes = buffer.value.slice();
          buffer.dispose();
        }
        encoded.dispose();
      });
    } finally {
      this.runtime.setMemoryLimit(memoryBytes);
    }
    if (!bytes) return undefined;
    // Nested as deep as the text around it may go: maxDepth plus the envelope's level (as
    // checkOutput counts), less the levels of that text (the value's place is its deepest point).
    const depthLimit = (maxDepth ?? 200) + 1 - jsonNesting(output);
    if (!binaryValueFits(bytes, depthLimit, this.limits.outputBytes - output.length, refuse))
      return undefined;
    return { ok: true, output, binary: bytes };
  }

  private checkOutput(output: string, timeoutMs: number, maxDepth?: number): EngineOutcome {
    if (output.length > this.limits.outputBytes) {
      return {
        ok: false,
        failure: {
          code: 'SANDBOX_OUTPUT_TOO_LARGE',
          message: `sandbox result is too large (${output.length} bytes, limit ${this.limits.outputBytes})`,
          details: { bytes: output.length, limit: this.limits.outputBytes },
          refusedResult: true,
        },
      };
    }
    // The dispatcher's envelope ({"ok":true,...,"raw":value}) adds one level.
    if (maxDepth !== undefined && jsonNestingExceeds(output, maxDepth + 1)) {
      return {
        ok: false,
        failure: {
          code: 'SANDBOX_ERROR',
          message: 'RangeError: value is nested too deeply to be returned',
          details: { reason: 'depth', limit: maxDepth },
          refusedResult: true,
        },
      };
    }
    // A limit hit inside user code that the user caught still leaves traces: check the error name.
    if (output.startsWith('{"ok":false')) {
      const parsed = JSON.parse(output) as { error?: { name?: string; message?: string } };
      const failure = limitFailure(parsed.error?.name, parsed.error?.message, timeoutMs);
      if (failure) return { ok: false, failure };
    }
    return { ok: true, output };
  }

  /** Throws the whole instance away and builds a new one, so nothing a failed script did survives. */
  reset(): void {
    this.calls = 0;
    this.pendingReset = this.boot().finally(() => {
      this.pendingReset = undefined;
    });
  }

  /** Drops the instance; the garbage collector reclaims its memory. */
  dispose(): void {
    this.runtime.setInterruptHandler(() => true);
  }
}

function limitFailure(
  name: string | undefined,
  message: string | undefined,
  timeoutMs: number,
): EngineFailure | undefined {
  if (name !== 'InternalError' && name !== 'RangeError') return undefined;
  if (message === 'interrupted')
    return {
      code: 'SANDBOX_TIMEOUT',
      message: `script did not finish within ${timeoutMs} ms`,
      details: { timeoutMs },
    };
  if (message === 'out of memory')
    return { code: 'SANDBOX_MEMORY', message: 'script exceeded the sandbox memory limit' };
  // QuickJS concatenates strings as ropes, so a doubling string reaches the longest string
  // QuickJS allows (2^30 characters) before it takes the memory; flattened it would not fit.
  if (message === 'string too long')
    return {
      code: 'SANDBOX_MEMORY',
      message: 'script exceeded the sandbox memory limit (string too long)',
    };
  if (message === 'stack overflow' || message === 'Maximum call stack size exceeded')
    return {
      code: 'SANDBOX_ERROR',
      message: 'script exceeded the sandbox stack limit (too deep recursion)',
      details: { reason: 'stack' },
    };
  return undefined;
}

function classifyUncaught(error: unknown, timeoutMs: number): EngineFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    message?: string;
  };
  const limit = limitFailure(e.name, e.message, timeoutMs);
  if (limit) return limit;
  if (error === null || error === undefined)
    return { code: 'SANDBOX_MEMORY', message: 'script exceeded the sandbox memory limit' };
  return {
    code: 'SANDBOX_ERROR',
    message: `sandbox failed: ${e.message ?? String(error)}`,
  };
}
