import {
  WorkflowValidationError,
  type JsonObject,
  type ValidationProblem,
} from '@budflow/node-sdk';
import { closest, distance } from 'fastest-levenshtein';
import type { Document, LineCounter, Node as YamlAstNode } from 'yaml';
import type { ZodError } from 'zod';
import type { NodeRegistry } from '../ports.js';
import { yamlLibrary } from './load-yaml.js';
import { parseWorkflow } from '../workflow/parse-workflow.js';
import type { Workflow, WorkflowConnection } from '../workflow/workflow-schema.js';
import {
  closestYamlType,
  fallsThrough,
  mainOutputNames,
  nodePorts,
  resolveYamlType,
} from './yaml-node-types.js';
import {
  YAML_ON_ERROR,
  yamlWorkflowSchema,
  type YamlNode,
  type YamlTarget,
  type YamlWorkflow,
} from './yaml-schema.js';
import { YamlWorkflowError, type YamlProblem } from './yaml-workflow-error.js';

export interface ParseWorkflowYamlOptions {
  /** Resolves short type names, output names and checks parameters. Strongly recommended. */
  registry?: NodeRegistry;
  /** File name for error messages. */
  file?: string;
}

type Path = Array<string | number>;

/** Where each YAML path is in the text. */
class SourceMap {
  constructor(
    private readonly document: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Line and column of the deepest existing node on `path` (of its key when `atKey`). */
  locate(path: Path, atKey = false): { line: number; column: number } | undefined {
    let node: unknown = this.document.contents;
    let offset = (node as YamlAstNode | null)?.range?.[0];
    for (const segment of path) {
      if (yamlLibrary().isMap(node)) {
        const pair = node.items.find(
          (p) =>
            yamlLibrary().isPair(p) &&
            String(yamlLibrary().isScalar(p.key) ? p.key.value : p.key) === String(segment),
        );
        if (!pair) break;
        const key = pair.key as YamlAstNode | null;
        const value = pair.value as YamlAstNode | null;
        offset = (atKey && segment === path[path.length - 1] ? key : (value ?? key))?.range?.[0];
        node = value;
      } else if (yamlLibrary().isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as YamlAstNode | undefined;
        if (!item) break;
        offset = item.range?.[0];
        node = item;
      } else break;
    }
    if (offset === undefined) return undefined;
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

const dotted = (path: Path) =>
  path
    .map((s, i) =>
      typeof s === 'number'
        ? `[${s}]`
        : /^[A-Za-z_$][\w$]*$/.test(s)
          ? i
            ? `.${s}`
            : s
          : `[${JSON.stringify(s)}]`,
    )
    .join('');

class Problems {
  readonly list: YamlProblem[] = [];
  constructor(private readonly source: SourceMap) {}
  add(path: Path, message: string, options: { nodeName?: string; atKey?: boolean } = {}) {
    this.list.push({
      path: dotted(path),
      message,
      ...(options.nodeName !== undefined ? { nodeName: options.nodeName } : {}),
      ...this.source.locate(path, options.atKey),
    });
  }
}

/** `__proto__` as a plain key would set an object's prototype when the YAML becomes objects. */
const UNSAFE_KEYS = new Set(['__proto__']);
const describeKeys = (shape: readonly string[]) => shape.map((k) => `'${k}'`).join(', ');
const NODE_KEYS = Object.keys(
  (yamlWorkflowSchema.shape.nodes.valueType as unknown as { shape: Record<string, unknown> }).shape,
);
const TOP_KEYS = Object.keys(yamlWorkflowSchema.shape);

function zodProblems(problems: Problems, error: ZodError) {
  for (const issue of error.issues) {
    const path = issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
    const nodeName = path[0] === 'nodes' && typeof path[1] === 'string' ? path[1] : undefined;
    if (issue.code === 'unrecognized_keys') {
      const allowed = path.length === 0 ? TOP_KEYS : path.length === 2 && nodeName ? NODE_KEYS : [];
      for (const key of issue.keys) {
        const hint = allowed.length > 0 ? closest(key, allowed) : undefined;
        problems.add(
          [...path, key],
          `unknown key '${key}'${hint && distance(key, hint) <= 3 ? ` (did you mean '${hint}'?)` : ''}${allowed.length > 0 ? `; expected one of ${describeKeys(allowed)}` : ''}`,
          { atKey: true, ...(nodeName ? { nodeName } : {}) },
        );
      }
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_union') message = unionMessage(path);
    else if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
      message =
        path.length === 1 && path[0] === 'nodes'
          ? 'is required: a map of nodes by name, e.g. `nodes: { Start: { type: manualTrigger } }`'
          : `is required (${issue.message.replace(/, received undefined$/, '').replace(/^Invalid input: /, '')})`;
    }
    problems.add(path, message, nodeName ? { nodeName } : {});
  }
}

/** zod says "Invalid input" for unions: say which shapes are accepted instead. */
function unionMessage(path: Path): string {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (path.length === 1 && last === 'trigger')
    return "expected 'manual', { webhook: { path, method? } } or { schedule: '<cron>' | { cron } | { every: '5m' } }";
  if (last === 'next' || path[path.length - 3] === 'next' || parent === 'next')
    return 'expected a node name, a list of node names or { node, input }, or a map of output name → node names';
  if (last === 'retry') return 'expected true/false or { enabled?, maxTries?, waitMs? }';
  if (parent === 'credentials') return 'expected a credential name or { id, name }';
  if (last === 'id') return 'expected a string or a number';
  return 'invalid value';
}

/** Where the trigger sugar puts its node. */
const TRIGGER_NODE_NAME = 'Trigger';

function triggerNode(trigger: NonNullable<YamlWorkflow['trigger']>): JsonObject {
  if (trigger === 'manual' || !('schedule' in trigger || 'webhook' in trigger)) {
    return { type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} };
  }
  if ('webhook' in trigger) {
    const { path, method, respond } = trigger.webhook;
    return {
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      parameters: {
        path,
        ...(method ? { httpMethod: method } : {}),
        ...(respond && respond !== 'immediately' ? { responseMode: respond } : {}),
        options: {},
      },
    };
  }
  const schedule = trigger.schedule;
  let rule: JsonObject;
  if (typeof schedule === 'string' || schedule.cron) {
    rule = {
      field: 'cronExpression',
      expression: typeof schedule === 'string' ? schedule : schedule.cron!,
    };
  } else {
    const match = /^(\d+)\s*(s|m|h|d)$/.exec(schedule.every ?? '1h')!;
    const amount = Number(match[1]);
    const unit = match[2]!;
    const field = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days' }[unit]!;
    const key = {
      s: 'secondsInterval',
      m: 'minutesInterval',
      h: 'hoursInterval',
      d: 'daysInterval',
    }[unit]!;
    rule = { field, [key]: amount };
  }
  return {
    type: 'n8n-nodes-base.scheduleTrigger',
    typeVersion: 1.2,
    parameters: { rule: { interval: [rule] } },
  };
}

interface CompiledNode {
  name: string;
  yaml: YamlNode | undefined;
  json: JsonObject;
}

/** The n8n connection key of a `next` map key, or a problem message. */
function outputOf(
  key: string,
  names: Array<string | undefined>,
  node: JsonObject,
): { type: string; index: number } | string {
  const named = names.indexOf(key);
  if (named >= 0) return { type: 'main', index: named };
  if (/^\d+$/.test(key)) return { type: 'main', index: Number(key) };
  if (key === 'error' && (node.onError === 'continueErrorOutput' || node.errorOutput === true))
    return { type: 'main', index: Math.max(names.length, 1) };
  const typed = /^([A-Za-z][\w]*)(?:\[(\d+)\])?$/.exec(key);
  if (typed && typed[1] !== 'error' && (typed[1] === 'main' || typed[1]!.includes('_'))) {
    return { type: typed[1]!, index: Number(typed[2] ?? 0) };
  }
  const known = names.filter((n): n is string => n !== undefined);
  if (key === 'error') return "output 'error' exists only with onError: errorOutput";
  return `unknown output '${key}'${known.length > 0 ? `: the node's outputs are ${describeKeys(known)}` : ''} (or use an output index: 0, 1, ...)`;
}

const toTargets = (value: YamlTarget | YamlTarget[] | null | undefined): YamlTarget[] =>
  value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Layout for nodes without `position`: columns by distance from the start, rows in order. */
function layout(
  nodes: CompiledNode[],
  connections: Record<string, Record<string, Array<WorkflowConnection[] | null>>>,
) {
  const depth = new Map<string, number>();
  for (const node of nodes) {
    const mine = depth.get(node.name) ?? 0;
    depth.set(node.name, mine);
    for (const outputs of Object.values(connections[node.name] ?? {}))
      for (const targets of outputs)
        for (const target of targets ?? [])
          if (!depth.has(target.node)) depth.set(target.node, mine + 1);
  }
  const rows = new Map<number, number>();
  for (const node of nodes) {
    if (node.json.position) continue;
    const column = depth.get(node.name) ?? 0;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    node.json.position = [column * 220, row * 160];
  }
}

/**
 * Compiles a YAML workflow to n8n workflow JSON (what `budflow convert --to n8n` prints), or
 * throws a `YamlWorkflowError` listing every problem with its line and column.
 */
export function compileWorkflowYaml(
  text: string,
  options: ParseWorkflowYamlOptions = {},
): JsonObject {
  const lines = new (yamlLibrary().LineCounter)();
  const document = yamlLibrary().parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const source = new SourceMap(document, lines);
  const problems = new Problems(source);
  const { registry } = options;
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      problems.list.push({
        path: '',
        message: `YAML syntax: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '')}`,
        line,
        column: col,
      });
    }
    throw new YamlWorkflowError(problems.list, options.file);
  }
  // Keys that would reach an object's prototype are refused wherever they appear.
  yamlLibrary().visit(document, {
    Pair(_, pair) {
      const key = yamlLibrary().isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key === 'string' && UNSAFE_KEYS.has(key)) {
        const offset = (pair.key as YamlAstNode).range?.[0] ?? 0;
        const { line, col } = lines.linePos(offset);
        problems.list.push({
          path: '',
          message: `the key '__proto__' is not allowed (it would alter object prototypes)`,
          line,
          column: col,
        });
      }
    },
  });
  if (problems.list.length > 0) throw new YamlWorkflowError(problems.list, options.file);
  const raw: unknown = document.toJS({ maxAliasCount: 100 });
  const parsed = yamlWorkflowSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    zodProblems(problems, parsed.error);
    throw new YamlWorkflowError(problems.list, options.file);
  }
  const yaml = parsed.data;

  // Node order as written: toJS() would move integer-like names first.
  const nodesMap = document.get('nodes', true);
  const order = yamlLibrary().isMap(nodesMap)
    ? nodesMap.items.map((p) => String(yamlLibrary().isScalar(p.key) ? p.key.value : p.key))
    : Object.keys(yaml.nodes);

  const compiled: CompiledNode[] = [];
  const unknownTypes = new Set<string>();
  if (yaml.trigger !== undefined) {
    if (Object.prototype.hasOwnProperty.call(yaml.nodes, TRIGGER_NODE_NAME)) {
      problems.add(
        ['trigger'],
        `'trigger' adds a node named '${TRIGGER_NODE_NAME}', and nodes already has one: rename that node or write the trigger as a node`,
      );
    } else {
      compiled.push({
        name: TRIGGER_NODE_NAME,
        yaml: undefined,
        json: { name: TRIGGER_NODE_NAME, ...triggerNode(yaml.trigger) },
      });
    }
  }
  for (const name of order) {
    const node = yaml.nodes[name]!;
    const at: Path = ['nodes', name];
    let type = node.type;
    let typeVersion = node.version;
    const resolved = resolveYamlType(node.type, registry);
    if (resolved) {
      type = resolved.type;
      typeVersion ??= resolved.defaultVersion;
    } else if (registry) {
      unknownTypes.add(name);
      const hint = closestYamlType(node.type, registry);
      problems.add(
        [...at, 'type'],
        `unknown node type '${node.type}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
        { nodeName: name },
      );
    }
    const json: JsonObject = {
      ...(node.id ? { id: node.id } : {}),
      name,
      type,
      ...(typeVersion !== undefined ? { typeVersion } : {}),
      ...(node.position ? { position: node.position } : {}),
      parameters: (node.params ?? {}) as JsonObject,
    };
    if (node.credentials) {
      const credentials: JsonObject = {};
      for (const [slot, ref] of Object.entries(node.credentials)) {
        credentials[slot] =
          typeof ref === 'string'
            ? { id: null, name: ref }
            : { id: ref.id ?? null, name: ref.name };
      }
      json.credentials = credentials;
    }
    if (node.retry !== undefined) {
      const retry = typeof node.retry === 'boolean' ? { enabled: node.retry } : node.retry;
      json.retryOnFail = retry.enabled ?? true;
      if (retry.maxTries !== undefined) json.maxTries = retry.maxTries;
      if (retry.waitMs !== undefined) json.waitBetweenTries = retry.waitMs;
    }
    if (node.onError)
      json.onError = YAML_ON_ERROR[node.onError as keyof typeof YAML_ON_ERROR] ?? node.onError;
    for (const key of [
      'continueOnFail',
      'errorOutput',
      'executeOnce',
      'alwaysOutputData',
      'disabled',
      'notes',
      'notesInFlow',
      'webhookId',
    ] as const) {
      if (node[key] !== undefined) json[key] = node[key];
    }
    compiled.push({ name, yaml: node, json });
  }

  const names = new Set(compiled.map((n) => n.name));
  const connections: Record<string, Record<string, Array<WorkflowConnection[] | null>>> = {};
  const connect = (source: string, type: string, index: number, target: WorkflowConnection) => {
    const byType = (connections[source] ??= {});
    const outputs = (byType[type] ??= []);
    while (outputs.length <= index) outputs.push([]);
    (outputs[index] ??= []).push(target);
  };
  const checkTarget = (
    path: Path,
    source: string,
    target: YamlTarget,
  ): WorkflowConnection | undefined => {
    const node = typeof target === 'string' ? target : target.node;
    if (!names.has(node)) {
      const hint = closest(node, [...names]);
      problems.add(
        path,
        `'${source}' connects to unknown node '${node}'${hint && distance(node, hint) <= Math.max(2, node.length / 3) ? ` (did you mean '${hint}'?)` : ''}`,
        { nodeName: source },
      );
      return undefined;
    }
    return { node, type: 'main', index: typeof target === 'string' ? 0 : (target.input ?? 0) };
  };

  compiled.forEach((node, position) => {
    const ports = nodePorts(
      {
        type: node.json.type as string,
        typeVersion: node.json.typeVersion as number | undefined,
        parameters: node.json.parameters as JsonObject,
      },
      registry,
    );
    const next = node.yaml?.next;
    const at: Path = ['nodes', node.name, 'next'];
    if (next === undefined) {
      const following = compiled[position + 1];
      if (following && fallsThrough(node.json, following.json, registry)) {
        connect(node.name, 'main', 0, { node: following.name, type: 'main', index: 0 });
      }
      return;
    }
    if (next === null || typeof next === 'string' || Array.isArray(next) || isTargetObject(next)) {
      toTargets(next as YamlTarget | YamlTarget[] | null).forEach((target, i) => {
        const resolved = checkTarget(Array.isArray(next) ? [...at, i] : at, node.name, target);
        if (resolved) connect(node.name, 'main', 0, resolved);
      });
      if (!connections[node.name] && ports.hasMainOutput) connections[node.name] = {};
      return;
    }
    const outputNames = mainOutputNames(ports);
    for (const [key, value] of Object.entries(next)) {
      const output = outputOf(key, outputNames, node.json);
      if (typeof output === 'string') {
        problems.add([...at, key], output, { nodeName: node.name, atKey: true });
        continue;
      }
      const targets = toTargets(value);
      const byType = (connections[node.name] ??= {});
      const outputs = (byType[output.type] ??= []);
      while (outputs.length <= output.index) outputs.push([]);
      targets.forEach((target, i) => {
        const resolved = checkTarget(
          Array.isArray(value) ? [...at, key, i] : [...at, key],
          node.name,
          target,
        );
        if (resolved)
          connect(node.name, output.type, output.index, { ...resolved, type: output.type });
      });
    }
  });
  // Every node's connections, in file order, so the JSON reads like the YAML.
  layout(compiled, connections);

  if (yaml.pinData) {
    for (const name of Object.keys(yaml.pinData)) {
      if (!names.has(name))
        problems.add(['pinData', name], `pinned data for unknown node '${name}'`, { atKey: true });
    }
  }
  const workflow: JsonObject = {
    ...(yaml.id !== undefined ? { id: String(yaml.id) } : {}),
    ...(yaml.name !== undefined ? { name: yaml.name } : {}),
    nodes: compiled.map((n) => n.json),
    connections: Object.fromEntries(
      compiled
        .filter((n) => connections[n.name] && Object.keys(connections[n.name]!).length > 0)
        .map((n) => [n.name, connections[n.name]!]),
    ),
    active: yaml.active ?? false,
    settings: (yaml.settings ?? {}) as JsonObject,
    ...(yaml.pinData ? { pinData: yaml.pinData as JsonObject } : {}),
    ...(yaml.staticData ? { staticData: yaml.staticData as JsonObject } : {}),
  };
  // Versions and parameters of the nodes whose type is known, in the same pass, so every
  // problem is reported at once and points into the YAML. Edges were checked above.
  if (registry) {
    const known = compiled.filter((n) => !unknownTypes.has(n.name));
    try {
      parseWorkflow(
        {
          ...structuredClone(workflow),
          nodes: known.map((n) => structuredClone(n.json)),
          connections: {},
        },
        { registry },
      );
    } catch (error) {
      if (!(error instanceof WorkflowValidationError)) throw error;
      for (const problem of error.problems) mapModelProblem(problems, problem, known);
    }
  }
  if (problems.list.length > 0) {
    const byLine = [...problems.list].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    throw new YamlWorkflowError(byLine, options.file);
  }
  return workflow;
}

const isTargetObject = (value: object): boolean =>
  !Array.isArray(value) &&
  typeof (value as { node?: unknown }).node === 'string' &&
  Object.keys(value).every((k) => k === 'node' || k === 'input');

/** Maps a problem of the n8n model (`nodes[3].parameters.x`) to its place in the YAML. */
function mapModelProblem(problems: Problems, problem: ValidationProblem, compiled: CompiledNode[]) {
  const match = /^nodes\[(\d+)\](?:\.([A-Za-z]+))?(.*)$/.exec(problem.path);
  const node = match ? compiled[Number(match[1])] : undefined;
  if (!match || !node) {
    problems.add(
      problem.path.split('.').filter(Boolean),
      problem.message,
      problem.nodeName ? { nodeName: problem.nodeName } : {},
    );
    return;
  }
  const field = { parameters: 'params', typeVersion: 'version' }[match[2] ?? ''] ?? match[2];
  const rest = parsePath(match[3] ?? '');
  const path: Path = node.yaml
    ? ['nodes', node.name, ...(field ? [field] : []), ...rest]
    : ['trigger'];
  problems.add(path, problem.message, { nodeName: node.name });
}

/** `.a[0]["b c"]` → ['a', 0, 'b c']. */
function parsePath(text: string): Path {
  const path: Path = [];
  const re = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[1] !== undefined) path.push(m[1]);
    else if (m[2] !== undefined) path.push(Number(m[2]));
    else path.push(JSON.parse(m[3]!) as string);
  }
  return path;
}

/**
 * Parses a YAML workflow into the same `Workflow` model as `parseWorkflow` gives for n8n JSON.
 * Throws a `YamlWorkflowError` whose problems carry line and column.
 */
export function parseWorkflowYaml(text: string, options: ParseWorkflowYamlOptions = {}): Workflow {
  const json = compileWorkflowYaml(text, options);
  return parseWorkflow(json, options.registry ? { registry: options.registry } : {});
}
