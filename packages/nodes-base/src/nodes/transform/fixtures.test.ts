import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transformNodes } from './index.js';
import { findFixtures, runFixture, usesNodes } from './test-support/fixture-runner.js';

const corpus = fileURLToPath(
  new URL('../../../../../../shared/conformance/n8n-workflows', import.meta.url),
);
const files = findFixtures(corpus).filter((file) => usesNodes(file, transformNodes));

describe.skipIf(files.length === 0)('n8n fixtures (transform nodes, literal inputs)', () => {
  it.each(files.map((file) => [relative(corpus, file), file]))('%s', async (_name, file) => {
    const results = await runFixture(file, transformNodes);
    for (const result of results) {
      if (result.status !== 'checked') continue;
      expect({ node: result.node, items: result.actual }).toEqual({
        node: result.node,
        items: result.expected,
      });
    }
  });
});
