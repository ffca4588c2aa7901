/**
 * @budflow/sandbox: runs untrusted JavaScript in QuickJS (quickjs-emscripten) with memory, stack,
 * time and output limits, in a pool of worker threads guarded by a watchdog. Only copies of data
 * cross the boundary (JSON text, or QuickJS's binary object format for plain data); built-ins are
 * frozen after the preludes so one run cannot change what the next sees.
 */
export {
  createSandbox,
  SandboxError,
  type CreateSandboxOptions,
  type SandboxScriptErrorDetails,
} from './create-sandbox.js';
export {
  DEFAULT_SANDBOX_LIMITS,
  type ConsoleEntry,
  type PreludeScript,
  type Sandbox,
  type SandboxCallOptions,
  type SandboxLimits,
  type SandboxOptions,
  type SandboxResult,
  type SandboxRunOptions,
} from './sandbox-options.js';
export { decodeSandboxJson, type SandboxTaggedValue, type TagDecoder } from './decode-value.js';
