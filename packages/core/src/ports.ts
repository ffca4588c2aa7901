/**
 * The engine's ports: what it needs from outside, as interfaces. Adapters (storage, secrets,
 * binary data, the server) implement them; `@budflow/core` knows nothing about HTTP, SQL or Redis.
 */
import type {
  BinaryHelpers,
  ExpressionEvaluator,
  JsonObject,
  NodeDefinition,
} from '@budflow/node-sdk';
import type { ExecutionEvent } from './execution/execution-event.js';

export type { ExpressionEvaluator };

/** A node type as the registry resolves it for one workflow node. */
export interface ResolvedNodeType {
  definition: NodeDefinition;
  /** Behaviour version (n8n typeVersion for n8n types). */
  typeVersion: number;
}

export interface NodeRegistry {
  /** Resolves a type name (BudFlow or n8n) and typeVersion; undefined when unknown. */
  resolve(type: string, typeVersion: number | undefined): ResolvedNodeType | undefined;
  /** Versions accepted for a known type (to explain a version error). */
  versionsOf(type: string): readonly number[] | undefined;
  /** Every type name the registry answers to (BudFlow and n8n names). */
  typeNames(): string[];
  definitions(): readonly NodeDefinition[];
}

export interface CredentialRef {
  id?: string | null;
  name: string;
}

export interface CredentialResolver {
  /** Returns decrypted credential data; called only when a node asks for it. */
  resolve(request: {
    nodeName: string;
    credentialType: string;
    ref: CredentialRef;
  }): Promise<Record<string, unknown>>;
}

/** Where binary data lives (memory, filesystem, S3). */
export type BinaryDataStore = BinaryHelpers;

export interface WorkflowLoader {
  /** Loads a workflow document (n8n JSON) by id, for sub-workflows. */
  load(id: string): Promise<JsonObject>;
  /** Loads a workflow from a local file path, when the host allows it. */
  loadFile?(path: string): Promise<JsonObject>;
}

export interface ExecutionObserver {
  /**
   * Receives each event in order. The engine awaits it, so storage can append the event before
   * the run goes on (that is what makes recovery exact).
   */
  onEvent(event: ExecutionEvent): void | Promise<void>;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
