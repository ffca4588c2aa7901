// The node of README.md, run as its "Testing" section shows: the README's code must work.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode, NodeError } from './index.js';
import { runNode } from './testing/index.js';

const greetNode = defineNode({
  type: 'acme.greet',
  version: 1,
  title: 'Greet',
  category: 'transform',
  params: () =>
    z.object({
      field: z.string().default('name'),
      greeting: z.string().default('Hello'),
    }),
  execute(ctx) {
    return ctx.items.map((item, index) => {
      const { field, greeting } = ctx.params(index);
      const name = item.json[field];
      if (typeof name !== 'string') throw new NodeError(`'${field}' is not a string`);
      return { json: { ...item.json, greeting: `${greeting}, ${name}` } };
    });
  },
});

describe('README example', () => {
  it('greets with the given parameters and the schema defaults', async () => {
    const { json } = await runNode(greetNode, {
      params: { greeting: 'Hi' },
      items: [{ name: 'Ada' }],
    });
    expect(json).toEqual([{ name: 'Ada', greeting: 'Hi, Ada' }]);
    const defaults = await runNode(greetNode, { items: [{ name: 'Lin' }] });
    expect(defaults.json).toEqual([{ name: 'Lin', greeting: 'Hello, Lin' }]);
  });

  it('fails with the NodeError the node throws', async () => {
    await expect(runNode(greetNode, { items: [{ name: 42 }] })).rejects.toThrow(
      "'name' is not a string",
    );
  });
});
