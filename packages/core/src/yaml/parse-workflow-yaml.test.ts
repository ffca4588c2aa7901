import { defineNode, defineTrigger, type Item } from '@budflow/node-sdk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runWorkflow } from '../execution/run-workflow.js';
import { createNodeRegistry } from '../registry/node-registry.js';
import { parseWorkflow } from '../workflow/parse-workflow.js';
import { compileWorkflowYaml, parseWorkflowYaml } from './parse-workflow-yaml.js';
import { workflowToYaml } from './workflow-to-yaml.js';
import { yamlWorkflowJsonSchema } from './yaml-schema.js';
import { YamlWorkflowError } from './yaml-workflow-error.js';

const manual = defineTrigger({
  type: 'budflow.manualTrigger',
  version: 1,
  title: 'Manual',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.manualTrigger', versions: [1] } },
  inputs: [],
  params: z.object({}),
  trigger: { kind: 'manual' },
});
const setNode = defineNode({
  type: 'budflow.set',
  version: 1,
  title: 'Set',
  category: 'flow',
  compat: { n8n: { type: 'n8n-nodes-base.set', versions: [3, 3.4] } },
  params: z.object({ field: z.string().default('x'), value: z.unknown().optional() }),
  perItem: ({ item, params }) => ({
    ...item.json,
    [params.field]: (params.value ?? null) as never,
  }),
});
const ifNode = defineNode({
  type: 'budflow.if',
  version: 1,
  title: 'If',
  category: 'flow',
  compat: { n8n: { type: 'n8n-nodes-base.if', versions: [2] } },
  outputs: [
    { type: 'main', name: 'true' },
    { type: 'main', name: 'false' },
  ],
  params: z.object({ field: z.string() }),
  execute: (ctx) => {
    const field = ctx.params(0).field;
    return [ctx.items.filter((i) => i.json[field]), ctx.items.filter((i) => !i.json[field])];
  },
});
const switchNode = defineNode({
  type: 'budflow.switch',
  version: 1,
  title: 'Switch',
  category: 'flow',
  outputs: (params) =>
    ((params.names as string[] | undefined) ?? ['a', 'b']).map((name) => ({
      type: 'main' as const,
      name,
    })),
  params: z.object({ names: z.array(z.string()).optional() }),
  execute: (ctx) => ctx.params(0).names?.map((_, i) => (i === 0 ? ctx.items : [])) ?? [],
});
const registry = createNodeRegistry([manual, setNode, ifNode, switchNode]);

function problemsOf(text: string) {
  try {
    parseWorkflowYaml(text, { registry, file: 'flow.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(YamlWorkflowError);
    return (error as YamlWorkflowError).problems;
  }
  throw new Error('expected the YAML to be invalid');
}

const outputs = (result: Awaited<ReturnType<typeof runWorkflow>>, node: string): Item[][] =>
  result.runData[node]?.[0]?.data?.main?.map((list) => list ?? []) ?? [];

describe('parseWorkflowYaml', () => {
  it('compiles short type names to n8n types with the newest typeVersion', () => {
    const workflow = parseWorkflowYaml(
      'name: T\nnodes:\n  Start:\n    type: manualTrigger\n  Shape:\n    type: set\n    params: { field: a, value: 1 }\n',
      { registry },
    );
    expect(workflow.nodes.map((n) => [n.name, n.type, n.typeVersion])).toEqual([
      ['Start', 'n8n-nodes-base.manualTrigger', 1],
      ['Shape', 'n8n-nodes-base.set', 3.4],
    ]);
    expect(workflow.connections).toEqual({
      Start: { main: [[{ node: 'Shape', type: 'main', index: 0 }]] },
    });
  });

  it('accepts n8n and full BudFlow names and keeps an explicit version', () => {
    const workflow = parseWorkflowYaml(
      'nodes:\n  A:\n    type: n8n-nodes-base.set\n    version: 3\n  B:\n    type: budflow.set\n',
      { registry },
    );
    expect(workflow.nodes.map((n) => [n.type, n.typeVersion])).toEqual([
      ['n8n-nodes-base.set', 3],
      ['n8n-nodes-base.set', 3.4],
    ]);
  });

  it('maps output names of If and of dynamic outputs to output indexes', () => {
    const workflow = parseWorkflowYaml(
      [
        'nodes:',
        '  Start: { type: manualTrigger }',
        '  Check:',
        '    type: if',
        '    params: { field: ok }',
        '    next: { true: [Yes], false: No }',
        '  Yes: { type: set, next: [] }',
        '  No: { type: set, next: Route }',
        '  Route:',
        '    type: switch',
        '    params: { names: [red, green, blue] }',
        '    next: { blue: [Yes, { node: No, input: 0 }], 1: No }',
      ].join('\n'),
      { registry },
    );
    expect(workflow.connections.Check!.main!.map((l) => l?.map((c) => c.node))).toEqual([
      ['Yes'],
      ['No'],
    ]);
    expect(workflow.connections.Yes).toBeUndefined();
    expect(workflow.connections.Route!.main!.map((l) => l?.map((c) => c.node))).toEqual([
      [],
      ['No'],
      ['Yes', 'No'],
    ]);
  });

  it('maps node settings: retry, onError, executeOnce, disabled, credentials', () => {
    const [node] = parseWorkflowYaml(
      [
        'nodes:',
        '  Call:',
        '    type: set',
        '    retry: { maxTries: 5, waitMs: 200 }',
        '    onError: errorOutput',
        '    executeOnce: true',
        '    disabled: true',
        '    credentials: { httpBasicAuth: My login, httpHeaderAuth: { id: "7", name: Key } }',
      ].join('\n'),
      { registry },
    ).nodes;
    expect(node).toMatchObject({
      retryOnFail: true,
      maxTries: 5,
      waitBetweenTries: 200,
      onError: 'continueErrorOutput',
      executeOnce: true,
      disabled: true,
      credentials: {
        httpBasicAuth: { id: null, name: 'My login' },
        httpHeaderAuth: { id: '7', name: 'Key' },
      },
    });
  });

  it("connects the error output with 'error' when onError is errorOutput", () => {
    const workflow = parseWorkflowYaml(
      'nodes:\n  A:\n    type: set\n    onError: errorOutput\n    next: { 0: B, error: C }\n  B: { type: set }\n  C: { type: set }\n',
      { registry },
    );
    expect(workflow.connections.A!.main!.map((l) => l?.map((c) => c.node))).toEqual([['B'], ['C']]);
  });

  it('turns trigger sugar into a first node', () => {
    const json = compileWorkflowYaml(
      'trigger: { webhook: { path: orders, method: POST, respond: responseNode } }\nnodes:\n  A: { type: n8n-nodes-base.noOp }\n',
    );
    expect(json.nodes).toMatchObject([
      {
        name: 'Trigger',
        type: 'n8n-nodes-base.webhook',
        parameters: { path: 'orders', httpMethod: 'POST', responseMode: 'responseNode' },
      },
      { name: 'A' },
    ]);
    expect(json.connections).toEqual({
      Trigger: { main: [[{ node: 'A', type: 'main', index: 0 }]] },
    });
    const schedule = compileWorkflowYaml('trigger: { schedule: { every: 5m } }\nnodes: {}\n');
    expect((schedule.nodes as unknown[])[0]).toMatchObject({
      type: 'n8n-nodes-base.scheduleTrigger',
      parameters: { rule: { interval: [{ field: 'minutes', minutesInterval: 5 }] } },
    });
  });

  it('keeps node order as written, also for number-like names', () => {
    const workflow = parseWorkflowYaml("nodes:\n  Z: { type: set }\n  '2': { type: set }\n", {
      registry,
    });
    expect(workflow.nodes.map((n) => n.name)).toEqual(['Z', '2']);
    expect(workflow.connections.Z!.main![0]![0]!.node).toBe('2');
  });

  it('runs: expressions stay `={{ }}` strings and If routes by output name', async () => {
    const workflow = parseWorkflowYaml(
      [
        'nodes:',
        '  Start: { type: manualTrigger }',
        '  Mark: { type: set, params: { field: ok, value: true } }',
        '  Check: { type: if, params: { field: ok }, next: { false: No, true: Yes } }',
        '  Yes: { type: set, params: { field: branch, value: yes }, next: [] }',
        '  No: { type: set, params: { field: branch, value: "={{ $json.ok }}" } }',
      ].join('\n'),
      { registry },
    );
    expect(workflow.nodes.find((n) => n.name === 'No')!.parameters.value).toBe('={{ $json.ok }}');
    const result = await runWorkflow(workflow, { registry });
    expect(result.status).toBe('success');
    expect(outputs(result, 'Yes')).toEqual([
      [{ json: { ok: true, branch: 'yes' }, pairedItem: { item: 0 } }],
    ]);
    expect(result.runData.No).toBeUndefined();
  });
});

describe('YAML errors', () => {
  it('gives line and column of a YAML syntax error', () => {
    const [problem] = problemsOf('nodes:\n  A:\n    type: set\n   params: [\n');
    expect(problem).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(problem!.message).toMatch(/^YAML syntax/);
  });

  it('reports duplicate node names at the second one', () => {
    const [problem] = problemsOf('nodes:\n  A:\n    type: set\n  A:\n    type: set\n');
    expect(problem).toMatchObject({ line: 4, column: 3 });
    expect(problem!.message).toMatch(/unique/);
  });

  it('names an unknown key, suggests the right one and lists the expected shape', () => {
    const problems = problemsOf('nodes:\n  A:\n    type: set\n    parms: {}\n');
    expect(problems).toEqual([
      expect.objectContaining({ path: 'nodes.A.parms', line: 4, column: 5, nodeName: 'A' }),
    ]);
    expect(problems[0]!.message).toMatch(/did you mean 'params'.*expected one of 'type'/);
  });

  it('reports a wrong value type where it is', () => {
    const [problem] = problemsOf('name: x\nnodes:\n  A:\n    type: 3\n');
    expect(problem).toMatchObject({ path: 'nodes.A.type', line: 4, column: 11 });
    expect(problem!.message).toMatch(/expected string/);
  });

  it('suggests the closest node type for an unknown one', () => {
    const [problem] = problemsOf('nodes:\n  A:\n    type: sett\n');
    expect(problem).toMatchObject({ path: 'nodes.A.type', line: 3, column: 11 });
    expect(problem!.message).toMatch(/unknown node type 'sett' \(did you mean 'set'\?\)/);
  });

  it('reports unknown targets and unknown output names, all at once', () => {
    const problems = problemsOf(
      'nodes:\n  A:\n    type: if\n    params: { field: x }\n    next: { yes: B, false: [C] }\n  B: { type: set }\n',
    );
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['nodes.A.next.yes', 5],
      ['nodes.A.next.false[0]', 5],
    ]);
    expect(problems[0]!.message).toMatch(/unknown output 'yes'.*'true', 'false'/);
    expect(problems[1]!.message).toMatch(/unknown node 'C'/);
  });

  it('reports type, edge and parameter problems in one pass, in line order', () => {
    const problems = problemsOf(
      'nodes:\n  A:\n    type: sett\n  B:\n    type: set\n    params: { field: 3 }\n    next: Nowhere\n',
    );
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['nodes.A.type', 3],
      ['nodes.B.params.field', 6],
      ['nodes.B.next', 7],
    ]);
  });

  it('points parameter errors into params', () => {
    const [problem] = problemsOf('nodes:\n  A:\n    type: set\n    params:\n      field: 3\n');
    expect(problem).toMatchObject({ path: 'nodes.A.params.field', line: 5, column: 14 });
  });

  it('puts file, line and column in the message', () => {
    expect(() =>
      parseWorkflowYaml('nodes:\n  A:\n    type: sett\n', { registry, file: 'f.yaml' }),
    ).toThrow(/f\.yaml:3:11: nodes\.A\.type: unknown node type/);
  });

  it('refuses __proto__ keys anywhere, so nothing is polluted', () => {
    const problems = problemsOf(
      'nodes:\n  A:\n    type: set\n    params: { field: a, value: { __proto__: { polluted: 1 } } }\n',
    );
    expect(problems).toEqual([
      expect.objectContaining({ line: 4, column: 34, message: expect.stringMatching(/__proto__/) }),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('says which required key is missing', () => {
    const [problem] = problemsOf('name: x\n');
    expect(problem).toMatchObject({ path: 'nodes' });
    expect(problem!.message).toMatch(/is required: a map of nodes by name/);
  });
});

describe('workflowToYaml', () => {
  const json = {
    name: 'Round',
    nodes: [
      {
        name: 'Start',
        type: 'n8n-nodes-base.manualTrigger',
        typeVersion: 1,
        position: [0, 0],
        parameters: {},
      },
      {
        name: 'Check',
        type: 'n8n-nodes-base.if',
        typeVersion: 2,
        position: [200, 0],
        parameters: { field: 'ok' },
        retryOnFail: true,
        maxTries: 2,
      },
      {
        name: 'Yes',
        type: 'n8n-nodes-base.set',
        typeVersion: 3.4,
        position: [400, 0],
        parameters: { field: 'a', value: '={{ $json.ok }}' },
      },
      {
        name: 'No',
        type: 'n8n-nodes-base.set',
        typeVersion: 3.4,
        position: [400, 200],
        parameters: {},
        onError: 'continueRegularOutput',
      },
    ],
    connections: {
      Start: { main: [[{ node: 'Check', type: 'main', index: 0 }]] },
      Check: {
        main: [[{ node: 'Yes', type: 'main', index: 0 }], [{ node: 'No', type: 'main', index: 0 }]],
      },
    },
    settings: { executionOrder: 'v1' },
  };

  it('writes short types, output names, settings and omits `next` where the order says it', () => {
    const text = workflowToYaml(json, { registry, minimal: true });
    expect(text).toContain('type: if');
    expect(text).toMatch(/next:\n\s+"true": Yes\n\s+"false": No/);
    expect(text).toContain('retry:\n      maxTries: 2');
    expect(text).toContain('onError: continue');
    expect(text).not.toContain('position');
    // Yes would fall through to No: it says it ends.
    expect(text).toMatch(/Yes:[\s\S]*next: \[\]/);
  });

  it('round-trips to the same model', () => {
    const original = parseWorkflow(structuredClone(json), { registry });
    const back = parseWorkflowYaml(workflowToYaml(json, { registry }), { registry });
    expect(back).toEqual(original);
  });

  it('round-trips without a registry, with full type names and output indexes', () => {
    const text = workflowToYaml(json);
    expect(text).toContain('type: n8n-nodes-base.if');
    expect(text).toMatch(/next:\n\s+"0": Yes\n\s+"1": No/);
    expect(parseWorkflowYaml(text)).toEqual(parseWorkflow(structuredClone(json)));
  });
});

describe('yamlWorkflowJsonSchema', () => {
  it('is a JSON Schema of the format with the node types as examples', () => {
    const schema = yamlWorkflowJsonSchema({ registry }) as {
      $schema: string;
      properties: {
        nodes: { additionalProperties: { properties: { type: { examples: string[] } } } };
      };
      required: string[];
    };
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.required).toEqual(['nodes']);
    expect(schema.properties.nodes.additionalProperties.properties.type.examples).toContain('if');
  });
});
