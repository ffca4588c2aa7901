import type { Workflow } from '@budflow/core';
import type { JsonObject } from '@budflow/node-sdk';

/** One webhook the server answers: a method and path of one node of one workflow. */
export interface WebhookRegistration {
  method: string;
  /** Normalised path without leading or trailing slashes; `:name` segments are parameters. */
  path: string;
  workflowId: string;
  nodeName: string;
  /** Workflow document and its parsed form, as activated. */
  document: JsonObject;
  parsed: Workflow | undefined;
  projectId: string | null;
  versionId: string | null;
  /** The webhook node's raw parameters. */
  parameters: JsonObject;
  nodeCredentials: Record<string, { id?: string | null; name: string }>;
  test: boolean;
  /** Test webhooks expire. */
  expiresAt?: number;
}

export interface WebhookLookup {
  registration: WebhookRegistration;
  params: Record<string, string>;
}

export const splitPath = (path: string): string[] => path.split('/').filter((s) => s !== '');

const isParam = (segment: string) => segment.startsWith(':') && segment.length > 1;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * In-memory index of webhook paths (the hot path of every webhook call). Storage holds the same
 * rows for conflict checks across processes; this index is rebuilt from active workflows.
 */
export class WebhookIndex {
  private readonly exact = new Map<string, WebhookRegistration>();
  private readonly dynamic: WebhookRegistration[] = [];

  private key(method: string, path: string) {
    return `${method.toUpperCase()} ${splitPath(path).join('/')}`;
  }

  add(registration: WebhookRegistration): void {
    const segments = splitPath(registration.path);
    const normalised = {
      ...registration,
      path: segments.join('/'),
      method: registration.method.toUpperCase(),
    };
    if (segments.some(isParam)) this.dynamic.push(normalised);
    else this.exact.set(this.key(normalised.method, normalised.path), normalised);
  }

  /** Removes every registration of a workflow (of the given kind). */
  removeWorkflow(workflowId: string, test: boolean): number {
    let removed = 0;
    for (const [key, r] of this.exact) {
      if (r.workflowId === workflowId && r.test === test) {
        this.exact.delete(key);
        removed++;
      }
    }
    for (let i = this.dynamic.length - 1; i >= 0; i--) {
      const r = this.dynamic[i]!;
      if (r.workflowId === workflowId && r.test === test) {
        this.dynamic.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  remove(registration: WebhookRegistration): void {
    const key = this.key(registration.method, registration.path);
    if (this.exact.get(key) === registration) this.exact.delete(key);
    const i = this.dynamic.indexOf(registration);
    if (i !== -1) this.dynamic.splice(i, 1);
  }

  /** The registration for a request; a static path wins, then the most specific dynamic one. */
  find(method: string, path: string, now = Date.now()): WebhookLookup | undefined {
    const m = method.toUpperCase();
    const segments = splitPath(path);
    const hit = this.exact.get(`${m} ${segments.join('/')}`);
    if (hit && !(hit.expiresAt !== undefined && hit.expiresAt <= now)) {
      return { registration: hit, params: {} };
    }
    let best: { lookup: WebhookLookup; score: number } | undefined;
    for (const r of this.dynamic) {
      if (r.method !== m || (r.expiresAt !== undefined && r.expiresAt <= now)) continue;
      const pattern = r.path.split('/');
      if (pattern.length !== segments.length) continue;
      const params: Record<string, string> = Object.create(null) as Record<string, string>;
      let score = 0;
      let ok = true;
      for (let i = 0; i < pattern.length && ok; i++) {
        const p = pattern[i]!;
        if (isParam(p)) params[p.slice(1)] = decode(segments[i]!);
        else if (p === segments[i]) score++;
        else ok = false;
      }
      if (ok && (!best || score > best.score)) {
        best = { lookup: { registration: r, params: { ...params } }, score };
      }
    }
    return best?.lookup;
  }

  /** Methods registered for a path (for 405-style hints). */
  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
      if (this.find(m, path)) methods.add(m);
    }
    return [...methods];
  }

  list(): WebhookRegistration[] {
    return [...this.exact.values(), ...this.dynamic];
  }
}

/**
 * The path n8n gives a Webhook node: its `path` parameter; an empty path uses the node's
 * `webhookId`; a dynamic path (with `:param` segments) is prefixed with the `webhookId`.
 */
export function webhookPathOf(node: JsonObject, workflowId: string): string {
  const params = (node.parameters ?? {}) as JsonObject;
  const raw = typeof params.path === 'string' ? splitPath(params.path).join('/') : '';
  const webhookId =
    typeof node.webhookId === 'string' && node.webhookId !== '' ? node.webhookId : undefined;
  if (raw === '') {
    return webhookId ?? `${workflowId}/${encodeURIComponent(String(node.name).toLowerCase())}`;
  }
  if (splitPath(raw).some(isParam) && webhookId) return `${webhookId}/${raw}`;
  return raw;
}

/** HTTP methods of a Webhook node (`httpMethod`, a list when `multipleMethods` is on). */
export function webhookMethodsOf(node: JsonObject): string[] {
  const params = (node.parameters ?? {}) as JsonObject;
  const value = params.httpMethod;
  if (Array.isArray(value)) {
    const list = value
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.toUpperCase());
    return list.length > 0 ? list : ['GET'];
  }
  if (params.multipleMethods === true) return ['GET', 'POST'];
  return [typeof value === 'string' && value !== '' ? value.toUpperCase() : 'GET'];
}
