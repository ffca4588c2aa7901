/** Small node definitions and a workflow for recovery tests (test-local, not n8n nodes). */
import { createNodeRegistry } from '@budflow/core';
import { defineNode, defineTrigger, type JsonObject } from '@budflow/node-sdk';
import { z } from 'zod';

export function createRecoveryNodes() {
  const calls: string[] = [];
  const trigger = defineTrigger({
    type: 'test.trigger',
    version: 1,
    title: 'Trigger',
    category: 'trigger',
    params: z.object({}),
    trigger: { kind: 'manual' },
  });
  const data = defineNode({
    type: 'test.data',
    version: 1,
    title: 'Data',
    category: 'core',
    params: z.object({ items: z.array(z.record(z.string(), z.unknown())).default([]) }),
    execute(ctx) {
      calls.push(ctx.node.name);
      return ctx.params(0).items.map((json) => ({ json: json as JsonObject }));
    },
  });
  const add = defineNode({
    type: 'test.add',
    version: 1,
    title: 'Add',
    category: 'transform',
    params: z.object({ field: z.string(), by: z.number() }),
    perItem(ctx) {
      if (ctx.itemIndex === 0) calls.push(ctx.node.name);
      const current = Number(ctx.item.json[ctx.params.field] ?? 0);
      return { ...ctx.item.json, [ctx.params.field]: current + ctx.params.by };
    },
  });
  const merge = defineNode({
    type: 'test.merge',
    version: 1,
    title: 'Merge',
    category: 'flow',
    inputs: [{ type: 'main' }, { type: 'main' }],
    params: z.object({}),
    execute(ctx) {
      calls.push(ctx.node.name);
      return ctx.inputs.flat();
    },
  });
  const wait = defineNode({
    type: 'test.wait',
    version: 1,
    title: 'Wait',
    category: 'flow',
    params: z.object({}),
    execute(ctx) {
      calls.push(ctx.node.name);
      ctx.putExecutionToWait(null);
      return ctx.items;
    },
  });
  return { registry: createNodeRegistry([trigger, data, add, merge, wait]), calls };
}

/** T -> D -> A1 -> A2 -> M(0); D -> B1 -> M(1): a chain, a branch and a two-input node. */
export function recoveryWorkflow(): JsonObject {
  const node = (name: string, type: string, position: [number, number], parameters = {}) => ({
    id: name,
    name,
    type,
    typeVersion: 1,
    position,
    parameters,
  });
  const to = (node: string, index = 0) => ({ node, type: 'main', index });
  return {
    name: 'Recovery',
    nodes: [
      node('T', 'test.trigger', [0, 0]),
      node('D', 'test.data', [200, 0], { items: [{ n: 1 }, { n: 2 }, { n: 3 }] }),
      node('A1', 'test.add', [400, 0], { field: 'n', by: 10 }),
      node('A2', 'test.add', [600, 0], { field: 'n', by: 100 }),
      node('B1', 'test.add', [400, 300], { field: 'b', by: 1 }),
      node('M', 'test.merge', [800, 100]),
    ],
    connections: {
      T: { main: [[to('D')]] },
      D: { main: [[to('A1'), to('B1')]] },
      A1: { main: [[to('A2')]] },
      A2: { main: [[to('M', 0)]] },
      B1: { main: [[to('M', 1)]] },
    },
    settings: { executionOrder: 'v1' },
  };
}

/** T -> D -> W (waits for a webhook) -> A. */
export function waitingWorkflow(): JsonObject {
  const node = (name: string, type: string, x: number, parameters = {}) => ({
    id: name,
    name,
    type,
    typeVersion: 1,
    position: [x, 0],
    parameters,
  });
  const to = (name: string) => [[{ node: name, type: 'main', index: 0 }]];
  return {
    name: 'Waiting',
    nodes: [
      node('T', 'test.trigger', 0),
      node('D', 'test.data', 200, { items: [{ n: 1 }] }),
      node('W', 'test.wait', 400),
      node('A', 'test.add', 600, { field: 'n', by: 5 }),
    ],
    connections: { T: { main: to('D') }, D: { main: to('W') }, W: { main: to('A') } },
    settings: { executionOrder: 'v1' },
  };
}
