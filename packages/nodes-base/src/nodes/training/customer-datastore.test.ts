import { describe, expect, it } from 'vitest';
import { runNode } from '@budflow/node-sdk/testing';
import { customerDatastoreNode } from './customer-datastore.js';

describe('Customer Datastore (n8n training)', () => {
  it('returns one person per input item by default', async () => {
    const { json } = await runNode(customerDatastoreNode, { items: [{}, {}] });
    expect(json.map((j) => j.name)).toEqual(['Jay Gatsby', 'Jay Gatsby']);
  });

  it('returns all people or a limited number', async () => {
    const all = await runNode(customerDatastoreNode, {
      params: { operation: 'getAllPeople', returnAll: true },
    });
    expect(all.json).toHaveLength(5);
    expect(all.json[3]).toMatchObject({ name: 'Zaphod Beeblebrox', country: null });
    const two = await runNode(customerDatastoreNode, {
      params: { operation: 'getAllPeople', limit: 2 },
    });
    expect(two.json.map((j) => j.id)).toEqual(['23423532', '23423533']);
  });
});
