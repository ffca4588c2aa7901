import type { EngineOutcome } from '../engine/quickjs-engine.js';

export interface WorkerRequest {
  id: number;
  request: string;
  timeoutMs: number;
  maxDepth?: number;
  /** The call's payload in QuickJS's binary object format (see `encodeBinaryValue`). */
  payload?: Uint8Array;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; outcome: EngineOutcome };
