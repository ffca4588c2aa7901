/**
 * The variables of `multi-node-cases.json` ($('Node'), $input, $node, $items, lineage through
 * pairedItem + source, runs, errors), evaluated against run data built by hand in the shape the engine
 * produces. The workflows themselves run in the engine's conformance suite once its nodes exist.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  ExpressionScope,
  Item,
  JsonObject,
  PairedItem,
  RunData,
  TaskData,
  TaskSource,
} from '@budflow/node-sdk';
import { createExpressionEvaluator } from './create-expression-evaluator.js';

interface Case {
  id: string;
  expression: string;
  expected?: unknown[];
  expectedError?: string;
}
interface Workflow {
  id: string;
  cases: Case[];
  workflow: { name: string; nodes: Array<{ name: string; parameters: JsonObject }> };
}

const corpus = JSON.parse(
  readFileSync(
    new URL(
      '../../../../shared/conformance/n8n-expressions/multi-node-cases.json',
      import.meta.url,
    ),
    'utf8',
  ),
) as { workflows: Workflow[] };
const workflowById = (id: string) => corpus.workflows.find((w) => w.id === id)!;

const evaluator = createExpressionEvaluator({ isolation: 'inline' });
afterAll(() => evaluator.close());

function items(jsons: JsonObject[], paired?: (i: number) => PairedItem | undefined): Item[] {
  return jsons.map((json, i) => {
    const p = paired?.(i);
    return p === undefined ? { json } : { json, pairedItem: p };
  });
}

function task(outputs: Array<Item[] | null>, source: Array<TaskSource | null>): TaskData {
  return {
    startTime: 0,
    executionTime: 0,
    executionIndex: 0,
    executionStatus: 'success',
    source,
    data: { main: outputs },
  };
}

const from = (previousNode: string, previousNodeOutput = 0, previousNodeRun = 0): TaskSource => ({
  previousNode,
  previousNodeOutput,
  previousNodeRun,
});

/** The scope of the Expressions node: its input items are stamped `{ item: i, input }` by the engine. */
function scopeOf(
  w: Workflow,
  runData: RunData,
  input: Item[],
  previousNode: { name: string; outputIndex: number; runIndex: number },
  runIndex = 0,
): ExpressionScope {
  const stamped = input.map((it, i) => ({ json: it.json, pairedItem: { item: i } }));
  const params = new Map(w.workflow.nodes.map((n) => [n.name, n.parameters]));
  return {
    nodeName: 'Expressions',
    nodeType: 'n8n-nodes-base.set',
    nodeTypeVersion: 3.4,
    nodeParameters: params.get('Expressions') ?? {},
    items: stamped,
    inputs: [stamped],
    runIndex,
    runData,
    workflow: {
      id: w.id,
      name: w.workflow.name,
      active: false,
      timezone: 'UTC',
      nodeParameters: (name) => params.get(name),
      hasNode: (name) => params.has(name),
      parentNodes: () => [previousNode.name],
    },
    execution: { id: '1', mode: 'manual', customData: {} },
    previousNode,
    vars: {},
  };
}

/** Evaluates every case over every run's items and compares with the recorded n8n output. */
async function check(w: Workflow, scopes: ExpressionScope[]): Promise<void> {
  for (const c of w.cases) {
    const values: unknown[] = [];
    let error: Error | undefined;
    for (const scope of scopes) {
      const out = await evaluator.resolveParameters(
        c.expression,
        scope,
        scope.items.map((_, i) => i),
      );
      for (const v of out) {
        if (v instanceof Error) error ??= v;
        else values.push(v);
      }
    }
    if (c.expectedError !== undefined) {
      expect(error?.message, c.id).toContain(c.expectedError);
    } else {
      expect(error, c.id).toBeUndefined();
      expect(values, c.id).toEqual(c.expected);
    }
  }
}

describe('multi-node variables (hand-built run data)', () => {
  it('base: $(), $input, $node, $items, $item, $prevNode, $workflow, lineage', async () => {
    const w = workflowById('base');
    const start = items([{}]);
    const fn = items(
      [105, 160, 121, 275, 950].map((n) => ({ initialName: n })),
      () => ({ item: 0 }),
    );
    const rename = items(
      fn.map((it) => ({ data: it.json.initialName! })),
      (i) => ({ item: i }),
    );
    const runData: RunData = {
      Start: [task([start], [])],
      Function: [task([fn], [from('Start')])],
      Rename: [task([rename], [from('Function')])],
    };
    await check(w, [scopeOf(w, runData, rename, { name: 'Rename', outputIndex: 0, runIndex: 0 })]);
  });

  it('merge: lineage through a node with two inputs', async () => {
    const w = workflowById('merge');
    const start = items([{ base: 10 }]);
    const a = items([{ a: 20, from: 'A' }], () => ({ item: 0 }));
    const b = items([{ b: 11, from: 'B' }], () => ({ item: 0 }));
    const merged = [
      { json: a[0]!.json, pairedItem: { item: 0, input: 0 } },
      { json: b[0]!.json, pairedItem: { item: 0, input: 1 } },
    ];
    const runData: RunData = {
      Start: [task([start], [])],
      'Set A': [task([a], [from('Start')])],
      'Set B': [task([b], [from('Start')])],
      Merge: [task([merged], [from('Set A'), from('Set B')])],
    };
    await check(w, [scopeOf(w, runData, merged, { name: 'Merge', outputIndex: 0, runIndex: 0 })]);
  });

  it('loop: $runIndex and lineage across Loop Over Items runs (sourceOverwrite)', async () => {
    const w = workflowById('loop-runindex');
    const names = ['one', 'two', 'three'];
    const start = items(names.map((n) => ({ n })));
    const runData: RunData = { Start: [task([start], [])], 'Loop Over Items': [], Expressions: [] };
    const scopes: ExpressionScope[] = [];
    for (let k = 0; k < 3; k++) {
      const batch = [
        { json: start[k]!.json, pairedItem: { item: k, sourceOverwrite: from('Start') } },
      ];
      runData['Loop Over Items']!.push(
        task([[], batch], [k === 0 ? from('Start') : from('Expressions', 0, k - 1)]),
      );
      scopes.push(
        scopeOf(w, runData, batch, { name: 'Loop Over Items', outputIndex: 1, runIndex: k }, k),
      );
      runData.Expressions!.push(
        task([items([{ n: names[k]! }], () => ({ item: 0 }))], [from('Loop Over Items', 1, k)]),
      );
    }
    await check(w, scopes);
  });

  it('after a loop: .all() reads the last run, .all(branch, run) and $items pick one', async () => {
    const w = workflowById('after-loop');
    const names = ['one', 'two', 'three'];
    const start = items(names.map((n) => ({ n })));
    const inside = names.map((n, k) =>
      task([items([{ n, run: k }], () => ({ item: 0 }))], [from('Loop Over Items', 1, k)]),
    );
    const done = start.map((it, i) => ({ json: it.json, pairedItem: { item: i } }));
    const runData: RunData = {
      Start: [task([start], [])],
      'Loop Over Items': [
        task([[], [start[0]!]], [from('Start')]),
        task([[], [start[1]!]], [from('Inside', 0, 0)]),
        task([[], [start[2]!]], [from('Inside', 0, 1)]),
        task([done, []], [from('Inside', 0, 2)]),
      ],
      Inside: inside,
    };
    await check(w, [
      scopeOf(w, runData, done, { name: 'Loop Over Items', outputIndex: 0, runIndex: 3 }),
    ]);
  });

  it('expressions that mutate $json change the item, as in n8n', async () => {
    const w = workflowById('array-mutation-next-node');
    const startItem = { json: { arr: [3, 1, 2], input: 'a' } as JsonObject };
    const sorterParams = w.workflow.nodes.find((n) => n.name === 'Sorter')!.parameters;
    // The Sorter node's own run: its input item is the trigger's output item.
    const sorterScope = scopeOf(w, { Start: [task([[startItem]], [])] }, [startItem], {
      name: 'Start',
      outputIndex: 0,
      runIndex: 0,
    });
    sorterScope.items = [startItem];
    sorterScope.inputs = [[startItem]];
    const [resolved] = await evaluator.resolveParameters(
      sorterParams.assignments!,
      sorterScope,
      [0],
    );
    expect(resolved).toMatchObject({ assignments: [{ value: [1, 2, 3] }, { value: 'b' }] });
    const sorted = { json: { ...startItem.json, sorted: [1, 2, 3] }, pairedItem: { item: 0 } };
    const runData: RunData = {
      Start: [task([[startItem]], [])],
      Sorter: [task([[sorted]], [from('Start')])],
    };
    await check(w, [
      scopeOf(w, runData, [sorted], { name: 'Sorter', outputIndex: 0, runIndex: 0 }),
    ]);
  });

  it('errors: multiple matches, missing pairing, unexecuted node, unknown run', async () => {
    const agg = workflowById('error-paired-item-multiple-matches');
    const make = items([{ name: 'x' }, { name: 'y' }, { name: 'z' }], () => ({ item: 0 }));
    const aggregated = items([{ name: ['x', 'y', 'z'] }], () => [
      { item: 0 },
      { item: 1 },
      { item: 2 },
    ]);
    await check(agg, [
      scopeOf(
        agg,
        {
          Start: [task([items([{}])], [])],
          Make: [task([make], [from('Start')])],
          Aggregate: [task([aggregated], [from('Make')])],
        },
        aggregated,
        { name: 'Aggregate', outputIndex: 0, runIndex: 0 },
      ),
    ]);

    const missing = workflowById('error-paired-item-missing');
    const broken = items([{ k: 1 }, { k: 2 }, { k: 3 }]);
    await check(missing, [
      scopeOf(
        missing,
        {
          Start: [task([items([{ name: 'a' }, { name: 'b' }])], [])],
          'Break pairedItem chain': [task([broken], [from('Start')])],
        },
        broken,
        { name: 'Break pairedItem chain', outputIndex: 0, runIndex: 0 },
      ),
    ]);

    const never = workflowById('error-node-not-executed-first');
    const code = items([{ code: 1 }], () => ({ item: 0 }));
    await check(never, [
      scopeOf(
        never,
        { Start: [task([items([{ code: 1 }])], [])], If: [task([[], code], [from('Start')])] },
        code,
        { name: 'If', outputIndex: 1, runIndex: 0 },
      ),
    ]);

    const badRun = workflowById('error-items-bad-run-index');
    const renamed = items([{ data: 1 }], () => ({ item: 0 }));
    await check(badRun, [
      scopeOf(
        badRun,
        { Start: [task([items([{}])], [])], Rename: [task([renamed], [from('Start')])] },
        renamed,
        { name: 'Rename', outputIndex: 0, runIndex: 0 },
      ),
    ]);
  });
});
