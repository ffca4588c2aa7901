import type { ZodType } from 'zod';
import type { BinaryRef, Item, JsonObject, JsonValue, TaskSource } from '../item/item.js';
import type { ConnectionType, ExecutionMode } from '../execution/run-data.js';

export type NodeCategory =
  | 'trigger'
  | 'flow'
  | 'transform'
  | 'data'
  | 'files'
  | 'core'
  | 'utility'
  | 'service'
  | 'ai'
  | (string & {});

export interface InputSpec {
  type: ConnectionType;
  /** Display name, e.g. `Input 1`. */
  name?: string;
  required?: boolean;
}
export interface OutputSpec {
  type: ConnectionType;
  /** Output name, used by the YAML format's `next: { <name>: [...] }` (e.g. `true`, `false`). */
  name?: string;
}

export interface CredentialSlot {
  /** Credential type name, e.g. `httpBasicAuth`. */
  name: string;
  required?: boolean;
}

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Binary helpers a node uses instead of touching storage directly. */
export interface BinaryHelpers {
  prepareBinaryData(data: Uint8Array, fileName?: string, mimeType?: string): Promise<BinaryRef>;
  getBinaryBuffer(ref: BinaryRef): Promise<Buffer>;
}

export interface HttpRequestOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | JsonValue;
  timeoutMs?: number;
}
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface NodeHelpers extends BinaryHelpers {
  /** Outbound HTTP through the host's SSRF-guarded client; absent when the host provides none. */
  httpRequest?(options: HttpRequestOptions): Promise<HttpResponse>;
}

export interface ExecuteWorkflowRequest {
  source:
    | { type: 'id'; id: string }
    | { type: 'json'; workflow: JsonObject }
    | { type: 'file'; path: string };
  items: Item[];
  /** Wait for the sub-workflow to finish (default true). */
  wait?: boolean;
}
export interface ExecuteWorkflowResult {
  executionId: string;
  /** Output of the sub-workflow's last node, per output; undefined when not waited for. */
  data?: Item[][];
}

export interface NodeInfo {
  name: string;
  type: string;
  typeVersion: number;
  /** Raw parameters as written in the workflow (expressions unresolved). */
  parameters: JsonObject;
  credentials?: Record<string, { id?: string | null; name: string }>;
  notes?: string;
}

/** What a node sees of the run, independent of the item loop. */
export interface NodeContextBase {
  node: NodeInfo;
  /** Behaviour version: the n8n `typeVersion` for n8n types, else the latest the node implements. */
  typeVersion: number;
  workflow: {
    id: string | undefined;
    name: string | undefined;
    active: boolean;
    timezone: string;
    settings: JsonObject;
  };
  execution: { id: string; mode: ExecutionMode; customData: Record<string, string> };
  runIndex: number;
  logger: Logger;
  signal: AbortSignal;
  /**
   * Whether the run was aborted, without creating the signal (hosts may create it on first
   * use); when absent, `signal.aborted` is read.
   */
  readonly aborted?: boolean;
  helpers: NodeHelpers;
  /** True when the node's settings say to continue on failure (n8n's `continueOnFail()`). */
  continueOnFail: boolean;
  /** Decrypted credential data of the given type (default: the node's first credential). */
  getCredentials<T extends Record<string, unknown> = Record<string, unknown>>(
    type?: string,
  ): Promise<T>;
  /**
   * Per-execution state of this node that survives across its runs in the same execution
   * (n8n's `getContext('node')`, used by Loop Over Items). Saved with the engine state.
   */
  getNodeContext(): JsonObject;
  /** Persistent static data (n8n's `getWorkflowStaticData`): `global` or per `node`. */
  getStaticData(scope: 'global' | 'node'): JsonObject;
  /** Runs a sub-workflow through the host's workflow loader. */
  executeWorkflow(request: ExecuteWorkflowRequest): Promise<ExecuteWorkflowResult>;
  /**
   * Evaluates a template against an input item, as the engine does for parameters.
   * `additionalKeys` adds variables (e.g. `$response`, `$pageCount` for HTTP pagination).
   */
  evaluateExpression(
    template: string,
    itemIndex: number,
    additionalKeys?: Record<string, JsonValue>,
  ): Promise<unknown>;
  /**
   * Parks the execution after this node returns (Wait node): resumed at `until`, or by a call to
   * `$execution.resumeUrl` when `until` is null. Short waits may be slept in-process by the engine.
   */
  putExecutionToWait(until: Date | null): void;
  /** Sends the HTTP response of the webhook that started this execution (Respond to Webhook). */
  sendResponse(response: WebhookResponse): void;
}

export interface WebhookResponse {
  statusCode?: number;
  headers?: Record<string, string>;
  /** JSON value, string, or binary. */
  body?: JsonValue | string;
  binary?: BinaryRef;
  /** Redirect location (status defaults to 307). */
  redirectUrl?: string;
}

export interface ExecuteContext<P> extends NodeContextBase {
  /**
   * Per input index: which node, output and run fed it (n8n's `getInputSourceData()`); nodes that
   * hand items on across their runs (Loop Over Items) use it to keep `pairedItem` lineage exact.
   */
  readonly inputSource: ReadonlyArray<TaskSource | null>;
  /** The node's input items (first main input with data in v1 order, input 0 in the legacy order). */
  items: Item[];
  /** Every main input by index; an input without data is an empty list. */
  inputs: Item[][];
  /** Parameters resolved for an item and validated; throws `NodeError` when they are invalid. */
  params(itemIndex?: number): P;
}

export interface PerItemContext<P> extends NodeContextBase {
  item: Item;
  itemIndex: number;
  items: Item[];
  params: P;
}

/** What `execute` returns: items per output, a single output's items, or `null` for "no output". */
export type NodeOutput = Item[][] | Item[] | null | undefined;
/** What `perItem` returns for one input item: zero, one or several output items. */
export type PerItemResult = JsonObject | Item | Array<JsonObject | Item> | null | undefined;

export interface TriggerSpec {
  kind: 'manual' | 'webhook' | 'schedule' | 'poll' | 'event';
  /**
   * The items a manual run emits from this trigger. When absent: one empty item for the
   * `manual` kind, the input passed through otherwise.
   */
  manual?(ctx: ExecuteContext<any>): Promise<NodeOutput> | NodeOutput;
  /** For `poll` triggers: fetch new items since the last poll (static data holds the cursor). */
  poll?(ctx: ExecuteContext<any>): Promise<Item[] | null> | Item[] | null;
  /** For `webhook` triggers: the HTTP method(s) and path parameter names, read from params. */
  webhook?: { methodsParam?: string; pathParam?: string };
  /** For `schedule` triggers: the cron expressions to register, computed from params. */
  schedule?: (params: any, timezone: string) => string[];
  /** For `event` triggers (brokers): subscribe and call `emit` per message; returns an unsubscribe. */
  subscribe?(
    ctx: NodeContextBase & { params: any },
    emit: (items: Item[]) => Promise<void>,
  ): Promise<() => Promise<void>>;
}

export type ParamsSchema<P> = ZodType<P> | ((typeVersion: number) => ZodType<P>);
type Dynamic<T> = T | ((params: JsonObject, typeVersion: number) => T);

interface NodeDefinitionBase<P> {
  /** BudFlow type name, e.g. `budflow.set`. */
  type: string;
  /** BudFlow's own version of the node; bump it with `migrate` on breaking parameter changes. */
  version: number;
  title: string;
  description?: string;
  category: NodeCategory;
  /** n8n node type and typeVersions this node implements. */
  compat?: { n8n?: { type: string; versions: readonly number[] } };
  inputs?: Dynamic<readonly InputSpec[]>;
  outputs?: Dynamic<readonly OutputSpec[]>;
  /**
   * v1 order only: inputs that must hold data before the node runs once nothing else is left to
   * run (n8n's `requiredInputs`). Undefined: runs with any input that has items.
   */
  requiredInputs?:
    | number
    | number[]
    | ((typeVersion: number, params: JsonObject) => number | number[] | undefined);
  credentials?: readonly CredentialSlot[];
  /**
   * zod schema of the parameters, with n8n's defaults; or a function of the typeVersion that
   * builds it, called once per typeVersion when a workflow first uses the node.
   */
  params: ParamsSchema<P>;
  /** Upgrades parameters written for an older BudFlow `version`. */
  migrate?: (previous: JsonObject, fromVersion: number) => JsonObject;
  /**
   * Which items parameters are resolved for: `each` (default) or `first` when the node only reads
   * item 0's parameters (saves evaluating expressions per item).
   */
  paramItems?: 'each' | 'first';
  /**
   * The node is done with an item's parameters when it asks for the next item's, and keeps no
   * object or array of them (leaf values are fine): the engine may then refill one parameter tree
   * per node run instead of building one per item (Edit Fields, Filter, If over 10,000 items).
   * Item 0's parameters are never refilled. Only containers on the way to expression values that
   * the node's schema types alone (objects, arrays, records) are refilled; a literal value under
   * `z.unknown()` holding an expression turns refilling off for that node. A function decides per
   * `typeVersion`.
   */
  transientParams?: boolean | ((typeVersion: number) => boolean);
  trigger?: TriggerSpec;
  /** Mark nodes whose effects are visible outside (HTTP calls, writes): recovery re-runs them. */
  sideEffects?: boolean;
}

export type NodeDefinition<P = any> = NodeDefinitionBase<P> &
  (
    | {
        perItem: (ctx: PerItemContext<P>) => PerItemResult | Promise<PerItemResult>;
        execute?: never;
      }
    | { execute: (ctx: ExecuteContext<P>) => NodeOutput | Promise<NodeOutput>; perItem?: never }
    | { trigger: TriggerSpec; perItem?: never; execute?: never }
  );

/** Defines a node. Params are a zod schema; the engine resolves expressions and validates first. */
export function defineNode<P>(definition: NodeDefinition<P>): NodeDefinition<P> {
  if (!definition.perItem && !definition.execute && !definition.trigger) {
    throw new TypeError(`node '${definition.type}': define perItem, execute or trigger`);
  }
  return Object.freeze(definition);
}

/** Defines a trigger node (manual, webhook, schedule, poll or event kind). */
export function defineTrigger<P>(
  definition: NodeDefinitionBase<P> & { trigger: TriggerSpec },
): NodeDefinition<P> {
  return defineNode({ ...definition, category: definition.category ?? 'trigger' });
}

export interface CredentialDefinition<D = Record<string, unknown>> {
  /** Credential type name, e.g. `httpBasicAuth` (n8n's names where they exist). */
  type: string;
  title: string;
  /** zod schema of the credential data; fields marked `.meta({ secret: true })` are redacted. */
  data: ZodType<D>;
  /** Adds authentication to an outbound request. */
  authenticate?(
    data: D,
    request: HttpRequestOptions,
  ): HttpRequestOptions | Promise<HttpRequestOptions>;
}

export function defineCredential<D>(definition: CredentialDefinition<D>): CredentialDefinition<D> {
  return Object.freeze(definition);
}

/** Schemas that `params` functions built, per definition and typeVersion. */
const builtSchemas = new WeakMap<object, Map<number, ZodType>>();

/**
 * The params schema for a typeVersion. A `params` function is called once per definition and
 * typeVersion and its schema reused: the engine checks parameters against the same schema
 * object on every run (and caches by it), and a package of many nodes builds the schemas of
 * only the nodes a workflow uses (a zod schema holds ~1 KB or more).
 */
export function paramsSchemaFor<P>(definition: NodeDefinition<P>, typeVersion: number): ZodType<P> {
  const params = definition.params;
  if (typeof params !== 'function') return params;
  let byVersion = builtSchemas.get(definition);
  if (!byVersion) builtSchemas.set(definition, (byVersion = new Map()));
  let schema = byVersion.get(typeVersion) as ZodType<P> | undefined;
  if (!schema) byVersion.set(typeVersion, (schema = params(typeVersion)));
  return schema;
}

/** The behaviour version for a node used under `type` at `typeVersion`. */
export function behaviourVersion(
  definition: NodeDefinition,
  type: string,
  typeVersion: number | undefined,
): number {
  const n8n = definition.compat?.n8n;
  if (n8n && type === n8n.type) return typeVersion ?? n8n.versions[n8n.versions.length - 1] ?? 1;
  if (n8n && n8n.versions.length > 0) return Math.max(...n8n.versions);
  return typeVersion ?? definition.version;
}

export function resolveDynamic<T>(
  value: Dynamic<T> | undefined,
  params: JsonObject,
  typeVersion: number,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  return typeof value === 'function'
    ? (value as (p: JsonObject, v: number) => T)(params, typeVersion)
    : value;
}
