import {
  resolveDynamic,
  type InputSpec,
  type JsonObject,
  type NodeDefinition,
  type OutputSpec,
} from '@budflow/node-sdk';
import { closest, distance } from 'fastest-levenshtein';
import type { NodeRegistry } from '../ports.js';

const BUDFLOW_PREFIX = 'budflow.';
const N8N_BASE_PREFIX = 'n8n-nodes-base.';

/** True for a full type name (`budflow.set`, `n8n-nodes-base.set`, `@scope/pkg.node`). */
const isFullTypeName = (type: string) =>
  type.startsWith(BUDFLOW_PREFIX) || type.startsWith('@') || /^[\w-]+-nodes-[\w-]+\./.test(type);

export interface ResolvedYamlType {
  /** The type written to the workflow model: the n8n type when the node implements one. */
  type: string;
  /** Default typeVersion (the newest the registry accepts) when the YAML gives none. */
  defaultVersion: number | undefined;
}

/**
 * Resolves a YAML `type`: a BudFlow short name (`set`, `http.request`), a full BudFlow name
 * (`budflow.set`) or an n8n name (`n8n-nodes-base.set`, or the short `httpRequest`). BudFlow names
 * of nodes that implement an n8n node compile to that n8n type, so the result imports into n8n.
 * Returns undefined for a type the registry does not know.
 */
export function resolveYamlType(
  type: string,
  registry: NodeRegistry | undefined,
): ResolvedYamlType | undefined {
  const candidates = isFullTypeName(type)
    ? [type]
    : [BUDFLOW_PREFIX + type, N8N_BASE_PREFIX + type];
  if (!registry) return { type: candidates[0]!, defaultVersion: undefined };
  for (const candidate of candidates) {
    const resolved = registry.resolve(candidate, undefined);
    if (!resolved) continue;
    const n8n = resolved.definition.compat?.n8n;
    if (candidate === resolved.definition.type && n8n && n8n.versions.length > 0) {
      return { type: n8n.type, defaultVersion: Math.max(...n8n.versions) };
    }
    const versions = registry.versionsOf(candidate);
    return {
      type: candidate,
      defaultVersion: versions && versions.length > 0 ? Math.max(...versions) : undefined,
    };
  }
  return undefined;
}

/** The shortest YAML name that resolves back to `type` (`n8n-nodes-base.set` → `set`). */
export function yamlTypeName(type: string, registry: NodeRegistry | undefined): string {
  if (!registry) return type;
  const resolved = registry.resolve(type, undefined);
  if (!resolved) return type;
  const own = resolved.definition.type;
  if (own.startsWith(BUDFLOW_PREFIX)) {
    const short = own.slice(BUDFLOW_PREFIX.length);
    if (resolveYamlType(short, registry)?.type === type) return short;
  }
  if (type.startsWith(N8N_BASE_PREFIX)) {
    const short = type.slice(N8N_BASE_PREFIX.length);
    if (resolveYamlType(short, registry)?.type === type) return short;
  }
  return type;
}

/** The closest YAML type name to an unknown one, for "did you mean" hints. */
export function closestYamlType(type: string, registry: NodeRegistry): string | undefined {
  const names = new Set<string>();
  for (const definition of registry.definitions()) {
    if (definition.type.startsWith(BUDFLOW_PREFIX))
      names.add(definition.type.slice(BUDFLOW_PREFIX.length));
    const n8n = definition.compat?.n8n?.type;
    if (n8n) names.add(n8n);
  }
  const list = [...names];
  if (list.length === 0) return undefined;
  const wanted = type.startsWith(BUDFLOW_PREFIX) ? type.slice(BUDFLOW_PREFIX.length) : type;
  const lower = wanted.toLowerCase();
  const exact = list.find(
    (n) => n.toLowerCase() === lower || n.toLowerCase().endsWith(`.${lower}`),
  );
  if (exact) return exact;
  const best = closest(wanted, list);
  return distance(wanted, best) <= Math.max(2, Math.floor(wanted.length / 3)) ? best : undefined;
}

/** What the YAML compiler needs to know about a node's connectors. */
export interface NodePorts {
  /** Outputs of the node (main and others), in index order per type. */
  outputs: readonly OutputSpec[];
  /** False for triggers and nodes without a main input (sticky notes). */
  acceptsInput: boolean;
  /** False for nodes without a main output (Stop and Error, sticky notes). */
  hasMainOutput: boolean;
}

const MAIN: readonly OutputSpec[] = [{ type: 'main' }];
const MAIN_IN: readonly InputSpec[] = [{ type: 'main' }];

/** Connectors of a node, from its definition when the registry knows it, else by its type name. */
export function nodePorts(
  node: { type: string; typeVersion?: number | undefined; parameters: JsonObject },
  registry: NodeRegistry | undefined,
): NodePorts {
  const resolved = registry?.resolve(node.type, node.typeVersion);
  if (!resolved) {
    const noIo = /stickyNote$/i.test(node.type);
    return {
      outputs: noIo ? [] : MAIN,
      acceptsInput: !noIo && !/(trigger|\.start)$/i.test(node.type),
      hasMainOutput: !noIo,
    };
  }
  return portsOf(resolved.definition, node.parameters, resolved.typeVersion);
}

function portsOf(definition: NodeDefinition, params: JsonObject, typeVersion: number): NodePorts {
  let outputs: readonly OutputSpec[];
  let inputs: readonly InputSpec[];
  try {
    outputs = resolveDynamic(definition.outputs, params, typeVersion, MAIN);
    inputs = resolveDynamic(definition.inputs, params, typeVersion, MAIN_IN);
  } catch {
    outputs = MAIN;
    inputs = MAIN_IN;
  }
  return {
    outputs,
    acceptsInput: !definition.trigger && inputs.some((i) => i.type === 'main'),
    hasMainOutput: outputs.some((o) => o.type === 'main'),
  };
}

/** Main output names by index (`undefined` where an output has no name). */
export function mainOutputNames(ports: NodePorts): Array<string | undefined> {
  return ports.outputs.filter((o) => o.type === 'main').map((o) => o.name);
}

/** Whether a node without `next` passes its items to the node written after it. */
export function fallsThrough(
  node: JsonObject,
  following: JsonObject,
  registry: NodeRegistry | undefined,
): boolean {
  const ports = (n: JsonObject) =>
    nodePorts(
      {
        type: n.type as string,
        typeVersion: n.typeVersion as number | undefined,
        parameters: (n.parameters ?? {}) as JsonObject,
      },
      registry,
    );
  return ports(node).hasMainOutput && ports(following).acceptsInput;
}
