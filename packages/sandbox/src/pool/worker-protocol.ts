import type { EngineOutcome } from '../engine/quickjs-engine.js';

export interface WorkerRequest {
  id: number;
  request: string;
  timeoutMs: number;
  maxDepth?: number;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; outcome: EngineOutcome };
