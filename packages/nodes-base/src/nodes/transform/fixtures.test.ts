import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transformNodes } from './index.js';
import { findFixtures, runFixture, usesNodes } from './test-support/fixture-runner.js';

const corpus = fileURLToPath(
  new URL('../../../../../../shared/conformance/n8n-workflows', import.meta.url),
);
/** n8n's offline training nodes return fixed records; these are the customer datastore's. */
const customer = (
  id: string,
  name: string,
  email: string,
  notes: string,
  country: string | null,
  created: string,
) => ({ id, name, email, notes, country, created });
const STUBS = {
  'n8n-nodes-base.n8nTrainingCustomerDatastore': [
    customer(
      '23423532',
      'Jay Gatsby',
      'gatsby@west-egg.com',
      'Keeps asking about a green light??',
      'US',
      '1925-04-10',
    ),
    customer(
      '23423533',
      'José Arcadio Buendía',
      'jab@macondo.co',
      'Lots of people named after him. Very confusing',
      'CO',
      '1967-05-05',
    ),
    customer(
      '23423534',
      'Max Sendak',
      'info@in-and-out-of-weeks.org',
      'Keeps rolling his terrible eyes',
      'US',
      '1963-04-09',
    ),
    customer(
      '23423535',
      'Zaphod Beeblebrox',
      'captain@heartofgold.com',
      'Felt like I was talking to more than one person',
      null,
      '1979-10-12',
    ),
    customer(
      '23423536',
      'Edmund Pevensie',
      'edmund@narnia.gov',
      'Passionate sailor',
      'UK',
      '1950-10-16',
    ),
  ],
};

const files = findFixtures(corpus).filter((file) => usesNodes(file, transformNodes));

describe.skipIf(files.length === 0)('n8n fixtures (transform nodes, literal inputs)', () => {
  it.each(files.map((file) => [relative(corpus, file), file]))('%s', async (_name, file) => {
    const results = await runFixture(file, transformNodes, STUBS);
    for (const result of results) {
      if (result.status !== 'checked') continue;
      expect({ node: result.node, items: result.actual }).toEqual({
        node: result.node,
        items: result.expected,
      });
    }
  });
});
