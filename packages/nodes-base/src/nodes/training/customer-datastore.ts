import { defineNode, type Item } from '@budflow/node-sdk';
import { z } from 'zod';

/** The fixed demo records of n8n's "Customer Datastore (n8n training)" node. */
export const TRAINING_CUSTOMERS = [
  {
    id: '23423532',
    name: 'Jay Gatsby',
    email: 'gatsby@west-egg.com',
    notes: 'Keeps asking about a green light??',
    country: 'US',
    created: '1925-04-10',
  },
  {
    id: '23423533',
    name: 'José Arcadio Buendía',
    email: 'jab@macondo.co',
    notes: 'Lots of people named after him. Very confusing',
    country: 'CO',
    created: '1967-05-05',
  },
  {
    id: '23423534',
    name: 'Max Sendak',
    email: 'info@in-and-out-of-weeks.org',
    notes: 'Keeps rolling his terrible eyes',
    country: 'US',
    created: '1963-04-09',
  },
  {
    id: '23423535',
    name: 'Zaphod Beeblebrox',
    email: 'captain@heartofgold.com',
    notes: 'Felt like I was talking to more than one person',
    country: null,
    created: '1979-10-12',
  },
  {
    id: '23423536',
    name: 'Edmund Pevensie',
    email: 'edmund@narnia.gov',
    notes: 'Passionate sailor',
    country: 'UK',
    created: '1950-10-16',
  },
] as const;

/**
 * n8n's offline training node: returns demo customer records (no network), once per input item.
 * Used by n8n's courses and by some of its fixtures.
 */
export const customerDatastoreNode = defineNode({
  type: 'budflow.training.customerDatastore',
  version: 1,
  title: 'Customer Datastore (n8n training)',
  category: 'utility',
  compat: { n8n: { type: 'n8n-nodes-base.n8nTrainingCustomerDatastore', versions: [1] } },
  params: z.object({
    operation: z.enum(['getOnePerson', 'getAllPeople']).default('getOnePerson'),
    returnAll: z.boolean().default(false),
    limit: z.number().int().min(1).default(5),
  }),
  execute(ctx) {
    const out: Item[] = [];
    ctx.items.forEach((_item, i) => {
      const { operation, returnAll, limit } = ctx.params(i);
      const records =
        operation === 'getOnePerson'
          ? TRAINING_CUSTOMERS.slice(0, 1)
          : returnAll
            ? TRAINING_CUSTOMERS
            : TRAINING_CUSTOMERS.slice(0, limit);
      for (const record of records) out.push({ json: { ...record }, pairedItem: { item: i } });
    });
    return out;
  },
});
