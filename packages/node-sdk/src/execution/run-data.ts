import type { Item, TaskSource } from '../item/item.js';

/** Connection types. `main` carries items; others (`ai_tool`, `ai_languageModel`, ...) wire sub-nodes. */
export type ConnectionType = 'main' | (string & {});

/** One run of one node, in n8n's `ITaskData` shape so n8n-style tools and fixtures can read it. */
export interface TaskData {
  startTime: number;
  executionTime: number;
  executionIndex: number;
  executionStatus: 'success' | 'error' | 'canceled' | 'waiting';
  /** Per input index: which node, output and run fed it (null when the input had no data). */
  source: Array<TaskSource | null>;
  /** Outputs per connection type; `main[outputIndex]` is that output's items (null when empty). */
  data?: Record<ConnectionType, Array<Item[] | null>>;
  error?: SerializedError;
  hints?: Array<{ message: string }>;
}

export type RunData = Record<string, TaskData[]>;

export interface SerializedError {
  name: string;
  code: string;
  message: string;
  description?: string;
  nodeName?: string;
  itemIndex?: number;
  details?: Record<string, unknown>;
  stack?: string;
}

export type ExecutionMode =
  | 'manual'
  | 'trigger'
  | 'webhook'
  | 'internal'
  | 'retry'
  | 'integrated'
  | 'cli'
  | 'error'
  | 'evaluation'
  | (string & {});

export type ExecutionStatus = 'running' | 'success' | 'error' | 'canceled' | 'waiting' | 'crashed';
