/** Resource limits of one sandbox evaluation. */
export interface SandboxLimits {
  /** Memory limit of each QuickJS runtime, in bytes (preludes included). */
  memoryBytes: number;
  /** Maximum stack size of each QuickJS runtime, in bytes. */
  stackBytes: number;
  /** Deadline of one `run`/`call`, in milliseconds; the interrupt handler stops the script. */
  timeoutMs: number;
  /** Largest encoded result (JSON characters) a call may return. */
  outputBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  memoryBytes: 128 * 1024 * 1024,
  stackBytes: 256 * 1024,
  timeoutMs: 5_000,
  outputBytes: 32 * 1024 * 1024,
});

/** A script evaluated once in each fresh QuickJS context, before the built-ins are frozen. */
export interface PreludeScript {
  filename: string;
  code: string;
}

export interface SandboxOptions {
  limits?: Partial<SandboxLimits>;
  /**
   * Scripts that set up the environment (libraries, helpers, handlers for `call`). They run with
   * `globalThis.__budflowSandbox` available (see README), then everything is frozen.
   */
  prelude?: PreludeScript[];
  /**
   * `worker` (default): a pool of worker threads, so a runaway script never blocks the caller and a
   * stuck worker is terminated by a watchdog. `inline`: one QuickJS runtime in the calling thread
   * (limits still apply; useful for one-shot tools and benchmarks of the raw engine).
   */
  isolation?: 'worker' | 'inline';
  /** Worker threads in the pool (default 1). */
  poolSize?: number;
  /** Extra time the watchdog waits past the deadline before terminating a worker (default 2000 ms). */
  watchdogGraceMs?: number;
  /**
   * Rebuild each context after this many calls (default: never). Built-ins are frozen anyway; this
   * also clears state that libraries keep inside their closures (Luxon's zone and locale caches).
   */
  recycleAfterCalls?: number;
}

export interface ConsoleEntry {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  message: string;
}

export interface SandboxResult<T = unknown> {
  value: T;
  console: ConsoleEntry[];
  /**
   * Raw calls: the value the handler attached with `__budflowSandbox.binaryReply(text, value,
   * fallback)`, as `JSON.parse(JSON.stringify(value))` would give it, copied out in QuickJS's binary
   * object format. Absent when the handler attached none, or when the sandbox answered with
   * `fallback()`'s text instead (a value JSON writes differently, or too large to copy that way).
   */
  attachment?: unknown;
}

export interface SandboxRunOptions {
  /** Names of the parameters the script body receives. */
  params?: string[];
  /** Arguments (JSON-copied) for `params`, in order. */
  args?: unknown[];
  timeoutMs?: number;
}

export interface SandboxCallOptions {
  timeoutMs?: number;
  /**
   * The handler returns a string that is already JSON: it is handed back unparsed, as the string
   * `value` (the caller decodes it). Saves one encode/decode for batch handlers.
   */
  raw?: boolean;
  /**
   * With `raw`: the deepest nesting of arrays and objects the handler's JSON text may have
   * (`SANDBOX_ERROR`, `details.reason: 'depth'`, beyond it). For handlers that build the text
   * with `JSON.stringify`, which has no depth limit of its own; the encoder refuses more than 200.
   */
  maxDepth?: number;
}

/** A pool of hardened QuickJS contexts. All data in and out is copied as JSON. */
export interface Sandbox {
  /** Runs `code` as the body of a function (use `return`) with `params` bound to `args`. */
  run<T = unknown>(code: string, options?: SandboxRunOptions): Promise<SandboxResult<T>>;
  /** Calls a handler a prelude registered with `__budflowSandbox.defineHandler(name, fn)`. */
  call<T = unknown>(
    handler: string,
    payload: unknown,
    options?: SandboxCallOptions,
  ): Promise<SandboxResult<T>>;
  /** Starts the workers now instead of on first use; resolves when one context is ready. */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}
