import {
  isExpression,
  isJsonObject,
  paramsSchemaFor,
  WorkflowValidationError,
  formatIssuePath,
  type Item,
  type JsonObject,
  type ValidationProblem,
} from '@budflow/node-sdk';
import type { ZodError } from 'zod';
import type { NodeRegistry } from '../ports.js';
import { closestTypeName } from '../registry/node-registry.js';
import {
  connectionsSchema,
  nodeSchema,
  workflowSchema,
  type Workflow,
  type WorkflowConnections,
  type WorkflowNode,
} from './workflow-schema.js';

export interface ParseWorkflowOptions {
  /** When given, node types, versions and literal parameters are checked against it. */
  registry?: NodeRegistry;
}

const jsonPath = (base: string, path: ReadonlyArray<PropertyKey>): string => {
  const rest = formatIssuePath(path);
  if (!rest) return base;
  if (!base) return rest;
  return rest.startsWith('[') ? base + rest : `${base}.${rest}`;
};

const quote = (key: string) =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;

function pushZod(problems: ValidationProblem[], error: ZodError, base: string, nodeName?: string) {
  for (const issue of error.issues) {
    problems.push({
      path: jsonPath(base, issue.path),
      message: issue.message,
      ...(nodeName ? { nodeName } : {}),
    });
  }
}

/** True when the value at `path` (or one of its prefixes) in `root` is an expression string. */
function underExpression(root: unknown, path: ReadonlyArray<PropertyKey>): boolean {
  let value: unknown = root;
  for (const key of path) {
    if (isExpression(value)) return true;
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<PropertyKey, unknown>)[key as string];
  }
  return isExpression(value);
}

/** Normalises pinned data: n8n stores `{ json }` items, older exports plain objects. */
export function normalisePinnedItems(list: readonly unknown[]): Item[] {
  return list.map((entry) => {
    if (isJsonObject(entry) && isJsonObject(entry.json)) return entry as unknown as Item;
    return { json: isJsonObject(entry) ? entry : { value: entry as never } };
  });
}

/**
 * Parses n8n workflow JSON (or an object) into a typed `Workflow`, or throws a
 * `WorkflowValidationError` listing every problem with its JSON path and node name.
 * Cycles are allowed (n8n allows them).
 */
export function parseWorkflow(input: unknown, options: ParseWorkflowOptions = {}): Workflow {
  const problems: ValidationProblem[] = [];
  let document = input;
  if (typeof input === 'string') {
    try {
      document = JSON.parse(input);
    } catch (error) {
      throw new WorkflowValidationError([
        { path: '', message: `not valid JSON: ${(error as Error).message}` },
      ]);
    }
  }
  const top = workflowSchema.safeParse(document);
  if (!top.success) {
    pushZod(problems, top.error, '');
    throw new WorkflowValidationError(problems);
  }
  const raw = top.data;
  const nodes: WorkflowNode[] = [];
  const names = new Map<string, number>();
  raw.nodes.forEach((rawNode, index) => {
    const nodeName =
      isJsonObject(rawNode) && typeof rawNode.name === 'string' ? rawNode.name : undefined;
    const parsed = nodeSchema.safeParse(rawNode);
    if (!parsed.success) {
      pushZod(problems, parsed.error, `nodes[${index}]`, nodeName);
      return;
    }
    const node = parsed.data;
    if (node.errorOutput === true && node.onError === undefined)
      node.onError = 'continueErrorOutput';
    const first = names.get(node.name);
    if (first !== undefined) {
      problems.push({
        path: `nodes[${index}].name`,
        message: `duplicate node name '${node.name}' (also nodes[${first}])`,
        nodeName: node.name,
      });
      return;
    }
    names.set(node.name, index);
    if (options.registry) checkNodeType(node, index, options.registry, problems);
    nodes.push(node);
  });

  const connections: WorkflowConnections = {};
  for (const [source, byType] of Object.entries(raw.connections)) {
    const base = `connections${quote(source)}`;
    if (!names.has(source)) {
      problems.push({ path: base, message: `connection from unknown node '${source}'` });
      continue;
    }
    const parsed = connectionsSchema.safeParse({ [source]: byType });
    if (!parsed.success) {
      pushZod(problems, parsed.error, 'connections', source);
      continue;
    }
    const typed = parsed.data[source]!;
    for (const [type, outputs] of Object.entries(typed)) {
      outputs.forEach((targets, outputIndex) => {
        targets?.forEach((target, targetIndex) => {
          if (!names.has(target.node)) {
            problems.push({
              path: `${base}${quote(type)}[${outputIndex}][${targetIndex}].node`,
              message: `connection from '${source}' to unknown node '${target.node}'`,
              nodeName: source,
            });
          }
        });
      });
    }
    connections[source] = typed;
  }

  let pinData: Workflow['pinData'];
  if (raw.pinData) {
    pinData = {};
    for (const [name, list] of Object.entries(raw.pinData))
      pinData[name] = normalisePinnedItems(list);
  }
  let staticData: JsonObject = {};
  if (typeof raw.staticData === 'string') {
    try {
      staticData = JSON.parse(raw.staticData) as JsonObject;
    } catch {
      problems.push({ path: 'staticData', message: 'staticData is a string but not valid JSON' });
    }
  } else if (raw.staticData) {
    staticData = raw.staticData;
  }
  if (problems.length > 0) throw new WorkflowValidationError(problems);
  const workflow: Workflow = {
    id: raw.id,
    name: raw.name,
    active: raw.active,
    nodes,
    connections,
    settings: raw.settings,
    pinData,
    staticData,
  };
  PARSED.add(workflow);
  return workflow;
}

const PARSED = new WeakSet<object>();

/** True for a `Workflow` returned by `parseWorkflow` (so it need not be validated again). */
export function isParsedWorkflow(value: unknown): value is Workflow {
  return typeof value === 'object' && value !== null && PARSED.has(value);
}

function checkNodeType(
  node: WorkflowNode,
  index: number,
  registry: NodeRegistry,
  problems: ValidationProblem[],
): void {
  const resolved = registry.resolve(node.type, node.typeVersion);
  if (!resolved) {
    const versions = registry.versionsOf(node.type);
    if (versions) {
      problems.push({
        path: `nodes[${index}].typeVersion`,
        message: `node '${node.name}': ${node.type} has no typeVersion ${node.typeVersion} (known: ${versions.join(', ')})`,
        nodeName: node.name,
      });
    } else {
      const hint = closestTypeName(registry, node.type);
      problems.push({
        path: `nodes[${index}].type`,
        message: `node '${node.name}': unknown node type '${node.type}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
        nodeName: node.name,
      });
    }
    return;
  }
  const { definition, typeVersion } = resolved;
  if (
    node.type === definition.type &&
    definition.migrate &&
    node.typeVersion !== undefined &&
    node.typeVersion < definition.version
  ) {
    node.parameters = definition.migrate(node.parameters, node.typeVersion);
  }
  if (node.disabled) return;
  const result = paramsSchemaFor(definition, typeVersion).safeParse(node.parameters);
  if (result.success) return;
  for (const issue of result.error.issues) {
    if (underExpression(node.parameters, issue.path)) continue;
    problems.push({
      path: jsonPath(`nodes[${index}].parameters`, issue.path),
      message: `node '${node.name}' (${node.type} v${typeVersion}): parameter '${formatIssuePath(issue.path) || '(root)'}' ${issue.message}`,
      nodeName: node.name,
    });
  }
}
