/**
 * Nodes with `transientParams` (Edit Fields from 3.3, Filter, If) get one parameter tree per node
 * run, refilled for each item: every item must still see its own values, and nothing an output
 * keeps may change when the next item's values are filled in.
 */
import { describe, expect, it } from 'vitest';
import { createNodeRegistry, runWorkflow } from '@budflow/core';
import type { JsonObject } from '@budflow/node-sdk';
import { baseNodes } from '@budflow/nodes-base';

const registry = createNodeRegistry(baseNodes);
const items = [1, 2, 3, 4, 5].map((n) => ({ json: { n, name: `item-${n}` } }));

function workflow(node: JsonObject): JsonObject {
  return {
    nodes: [
      {
        name: 'Trigger',
        type: 'n8n-nodes-base.manualTrigger',
        typeVersion: 1,
        position: [0, 0],
        parameters: {},
      },
      { position: [200, 0], ...node, name: 'Node' },
    ],
    connections: { Trigger: { main: [[{ node: 'Node', type: 'main', index: 0 }]] } },
    pinData: { Trigger: items },
  };
}

async function outputs(node: JsonObject): Promise<JsonObject[][]> {
  const result = await runWorkflow(workflow(node), { registry, timezone: 'UTC' });
  expect(result.error).toBeUndefined();
  const main = result.runData.Node?.[0]?.data?.main ?? [];
  return JSON.parse(JSON.stringify(main.map((list) => (list ?? []).map((i) => i.json))));
}

describe('transient parameters', () => {
  it('Edit Fields: each item its own values, also in literal objects holding expressions', async () => {
    const [out] = await outputs({
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      parameters: {
        assignments: {
          assignments: [
            { id: '1', name: 'double', type: 'number', value: '={{ $json.n * 2 }}' },
            { id: '2', name: 'label', type: 'string', value: '={{ $json.name.toUpperCase() }}' },
            // Not something n8n's editor writes, but a valid parameter: a literal container
            // holding an expression (the engine builds a tree per item for these).
            { id: '3', name: 'obj', type: 'object', value: { nested: '={{ $json.n }}' } },
          ],
        },
        includeOtherFields: false,
        options: {},
      },
    });
    expect(out).toEqual(
      items.map(({ json: { n, name } }) => ({
        double: n * 2,
        label: name.toUpperCase(),
        obj: { nested: n },
      })),
    );
  });

  it('Edit Fields: literal JSON Output and binary objects holding expressions, per item', async () => {
    const [raw] = await outputs({
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      parameters: { mode: 'raw', jsonOutput: { a: { b: '={{ $json.n }}' } }, options: {} },
    });
    expect(raw).toEqual(items.map(({ json: { n } }) => ({ a: { b: n } })));
    const result = await runWorkflow(
      workflow({
        type: 'n8n-nodes-base.set',
        typeVersion: 3.4,
        parameters: {
          assignments: {
            assignments: [
              {
                id: '1',
                name: 'file',
                type: 'binary',
                value: { data: '={{ $json.name }}', mimeType: 'text/plain' },
              },
            ],
          },
          includeOtherFields: true,
          options: {},
        },
      }),
      { registry, timezone: 'UTC' },
    );
    expect(result.error).toBeUndefined();
    const files = (result.runData.Node?.[0]?.data?.main?.[0] ?? []).map((i) => i.binary?.file);
    expect(JSON.parse(JSON.stringify(files))).toEqual(
      items.map(({ json: { name } }) => ({ data: name, mimeType: 'text/plain' })),
    );
  });

  it('Edit Fields: options resolved per item are applied per item', async () => {
    const [out] = await outputs({
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      parameters: {
        assignments: {
          assignments: [{ id: '1', name: 'a.b', type: 'number', value: '={{ $json.n }}' }],
        },
        includeOtherFields: false,
        options: { dotNotation: '={{ $json.n % 2 === 0 }}' },
      },
    });
    expect(out).toEqual(
      items.map(({ json: { n } }) => (n % 2 === 0 ? { a: { b: n } } : { 'a.b': n })),
    );
  });

  it('Filter, If and Switch: conditions with per-item values', async () => {
    const conditions = {
      options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
      conditions: [
        {
          id: 'c',
          leftValue: '={{ $json.n }}',
          rightValue: '={{ $json.n % 2 === 0 ? 0 : 100 }}',
          operator: { type: 'number', operation: 'gt' },
        },
      ],
      combinator: 'and',
    };
    const [kept] = await outputs({
      type: 'n8n-nodes-base.filter',
      typeVersion: 2.2,
      parameters: { conditions, options: {} },
    });
    expect(kept!.map((j) => j.n)).toEqual([2, 4]);
    const [yes, no] = await outputs({
      type: 'n8n-nodes-base.if',
      typeVersion: 2.2,
      parameters: { conditions, options: {} },
    });
    expect(yes!.map((j) => j.n)).toEqual([2, 4]);
    expect(no!.map((j) => j.n)).toEqual([1, 3, 5]);
    const routed = await outputs({
      type: 'n8n-nodes-base.switch',
      typeVersion: 3.2,
      parameters: {
        rules: {
          values: [
            { conditions, renameOutput: false },
            {
              conditions: {
                ...conditions,
                conditions: [
                  {
                    id: 'd',
                    leftValue: '={{ $json.name }}',
                    rightValue: '={{ "item-" + $json.n }}',
                    operator: { type: 'string', operation: 'equals' },
                  },
                ],
              },
            },
          ],
        },
        options: { fallbackOutput: 'extra' },
      },
    });
    expect(routed.map((list) => list.map((j) => j.n))).toEqual([[2, 4], [1, 3, 5], []]);
  });
});
