import type { JsonObject } from '@budflow/node-sdk';
import type { NodeRegistry } from '../ports.js';
import { isParsedWorkflow, parseWorkflow } from '../workflow/parse-workflow.js';
import type { Workflow, WorkflowConnection, WorkflowNode } from '../workflow/workflow-schema.js';
import { yamlLibrary } from './load-yaml.js';
import { fallsThrough, mainOutputNames, nodePorts, yamlTypeName } from './yaml-node-types.js';
import { YAML_ON_ERROR } from './yaml-schema.js';

export interface WorkflowToYamlOptions {
  /** Gives short type names (`set`) and output names (`true`/`false`); without it, full names. */
  registry?: NodeRegistry;
  /** Leaves out node ids and canvas positions (they are regenerated on the way back). */
  minimal?: boolean;
  /** Adds a `# yaml-language-server: $schema=...` line for editors. */
  schemaUrl?: string;
}

const ON_ERROR_SHORT: Record<string, string> = Object.fromEntries(
  Object.entries(YAML_ON_ERROR).map(([short, long]) => [long, short]),
);

type Targets = Array<string | { node: string; input: number }>;

function targetsOf(list: readonly WorkflowConnection[] | null | undefined, type: string): Targets {
  return (list ?? []).map((c) =>
    c.index === 0 && c.type === type ? c.node : { node: c.node, input: c.index },
  );
}

const single = (targets: Targets) => (targets.length === 1 ? targets[0]! : targets);

/**
 * Writes a workflow (the parsed model, or n8n workflow JSON) in the YAML format. The result
 * parses back with `parseWorkflowYaml` to an equivalent workflow.
 */
export function workflowToYaml(
  input: Workflow | JsonObject,
  options: WorkflowToYamlOptions = {},
): string {
  const workflow = isParsedWorkflow(input) ? input : parseWorkflow(structuredClone(input));
  const out: Record<string, unknown> = {};
  if (workflow.name !== undefined) out.name = workflow.name;
  if (workflow.id !== undefined && !options.minimal) out.id = workflow.id;
  if (workflow.active) out.active = true;
  if (Object.keys(workflow.settings).length > 0) out.settings = workflow.settings;

  const nodes: Record<string, unknown> = {};
  workflow.nodes.forEach((node, index) => {
    nodes[node.name] = yamlNode(workflow, node, workflow.nodes[index + 1], options);
  });
  out.nodes = nodes;
  if (workflow.pinData && Object.keys(workflow.pinData).length > 0) out.pinData = workflow.pinData;
  if (Object.keys(workflow.staticData).length > 0) out.staticData = workflow.staticData;

  const document = new (yamlLibrary().Document)(out);
  // Short lists and positions on one line: `next: [A, B]`, `position: [0, 160]`.
  yamlLibrary().visit(document, {
    Pair(_, pair) {
      if (!yamlLibrary().isPair(pair) || !yamlLibrary().isScalar(pair.key)) return;
      const key = pair.key.value;
      if ((key === 'position' || key === 'next') && yamlLibrary().isSeq(pair.value))
        pair.value.flow = true;
      if (key === 'next' && yamlLibrary().isMap(pair.value)) {
        for (const item of pair.value.items)
          if (yamlLibrary().isSeq(item.value)) item.value.flow = true;
      }
    },
  });
  const header = options.schemaUrl ? `# yaml-language-server: $schema=${options.schemaUrl}\n` : '';
  return header + document.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function yamlNode(
  workflow: Workflow,
  node: WorkflowNode,
  following: WorkflowNode | undefined,
  options: WorkflowToYamlOptions,
): Record<string, unknown> {
  const { registry } = options;
  const out: Record<string, unknown> = { type: yamlTypeName(node.type, registry) };
  if (node.typeVersion !== undefined) out.version = node.typeVersion;
  if (node.id && !options.minimal) out.id = node.id;
  if (Object.keys(node.parameters).length > 0) out.params = node.parameters;
  if (node.credentials) {
    out.credentials = Object.fromEntries(
      Object.entries(node.credentials).map(([slot, ref]) => [
        slot,
        ref.id ? { id: ref.id, name: ref.name } : ref.name,
      ]),
    );
  }
  if (
    node.retryOnFail !== undefined ||
    node.maxTries !== undefined ||
    node.waitBetweenTries !== undefined
  ) {
    if (node.maxTries === undefined && node.waitBetweenTries === undefined)
      out.retry = node.retryOnFail ?? false;
    else {
      out.retry = {
        ...(node.retryOnFail !== true ? { enabled: node.retryOnFail ?? false } : {}),
        ...(node.maxTries !== undefined ? { maxTries: node.maxTries } : {}),
        ...(node.waitBetweenTries !== undefined ? { waitMs: node.waitBetweenTries } : {}),
      };
    }
  }
  if (node.onError) out.onError = ON_ERROR_SHORT[node.onError] ?? node.onError;
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
    if (node[key] !== undefined) out[key] = node[key];
  }
  if (!options.minimal) out.position = node.position;

  const next = nextOf(workflow, node, following, registry);
  if (next !== undefined) out.next = next;
  return out;
}

/** `next` for a node, or undefined when falling through to the following node says it all. */
function nextOf(
  workflow: Workflow,
  node: WorkflowNode,
  following: WorkflowNode | undefined,
  registry: NodeRegistry | undefined,
): unknown {
  const byType = workflow.connections[node.name] ?? {};
  const entries = Object.entries(byType).filter(([, outputs]) =>
    outputs.some((list) => (list ?? []).length > 0),
  );
  const asJson = (n: WorkflowNode) => n as unknown as JsonObject;
  const falls = following !== undefined && fallsThrough(asJson(node), asJson(following), registry);
  if (entries.length === 0) return falls ? [] : undefined;
  const main = byType.main ?? [];
  const onlyFirstMain =
    entries.length === 1 &&
    entries[0]![0] === 'main' &&
    main.slice(1).every((l) => (l ?? []).length === 0);
  if (onlyFirstMain) {
    const targets = targetsOf(main[0], 'main');
    if (falls && targets.length === 1 && targets[0] === following.name) return undefined;
    return single(targets);
  }
  const ports = nodePorts(node, registry);
  const names = mainOutputNames(ports);
  const next: Record<string, unknown> = {};
  for (const [type, outputs] of entries) {
    outputs.forEach((list, index) => {
      if ((list ?? []).length === 0) return;
      let key: string;
      if (type !== 'main') key = index === 0 ? type : `${type}[${index}]`;
      else {
        const name = names[index];
        const unique = name !== undefined && names.indexOf(name) === index;
        const clashes = name !== undefined && /^\d+$/.test(name) && name !== String(index);
        const errorOutput = node.onError === 'continueErrorOutput' || node.errorOutput === true;
        if (errorOutput && index === Math.max(names.length, 1)) key = 'error';
        else if (unique && !clashes && name !== 'error') key = name;
        else key = String(index);
      }
      next[key] = single(targetsOf(list, type));
    });
  }
  return next;
}
