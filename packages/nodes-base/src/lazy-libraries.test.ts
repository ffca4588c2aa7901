import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runNode } from '@budflow/node-sdk/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/*
 * Heavy libraries load when a node that needs them runs, not with the package (start-up memory:
 * ~48 MiB of RSS for these twelve, imported together into a bare Node process). Each mock records
 * that its library was loaded and passes it through.
 */
const { loaded, track } = vi.hoisted(() => {
  const loaded = new Set<string>();
  const track =
    (name: string) =>
    async (importOriginal: () => Promise<unknown>): Promise<unknown> => {
      loaded.add(name);
      return importOriginal();
    };
  return { loaded, track };
});

vi.mock('undici', track('undici'));
vi.mock('@e965/xlsx', track('@e965/xlsx'));
vi.mock('moment-timezone', track('moment-timezone'));
vi.mock('ics', track('ics'));
vi.mock('jsonwebtoken', track('jsonwebtoken'));
vi.mock('xml2js', track('xml2js'));
vi.mock('jose', track('jose'));
vi.mock('otpauth', track('otpauth'));
vi.mock('iconv-lite', track('iconv-lite'));
vi.mock('chardet', track('chardet'));
vi.mock('ts-ics', track('ts-ics'));
vi.mock('csv-parse/sync', track('csv-parse/sync'));
vi.mock('lodash-es/isEqual.js', track('lodash-es'));
vi.mock('lodash-es/merge.js', track('lodash-es'));

const server = createServer((_req, res) => res.end('{"ok":true}'));
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('heavy libraries', () => {
  it('are not loaded by importing the package', async () => {
    const { baseNodes } = await import('./index.js');
    expect(baseNodes.map((node) => node.type)).toContain('budflow.xml');
    expect([...loaded]).toEqual([]);
  });

  it('moment-timezone loads for Date & Time v1 only', async () => {
    const { dateTimeNode } = await import('./nodes/transform/date-time.js');
    const v2 = await runNode(dateTimeNode, {
      typeVersion: 2,
      params: { operation: 'formatDate', date: '2024-01-02', format: 'yyyy' },
    });
    expect(v2.json).toEqual([{ formattedDate: '2024' }]);
    expect(loaded.has('moment-timezone')).toBe(false);
    const v1 = await runNode(dateTimeNode, {
      typeVersion: 1,
      params: { value: '2024-01-02T00:00:00Z', toFormat: 'YYYY' },
    });
    expect(v1.json).toEqual([{ data: '2024' }]);
    expect(loaded.has('moment-timezone')).toBe(true);
  });

  it('undici loads at the first request, not when the client is made', async () => {
    const { createHttpClient } = await import('./nodes/outside/internal/http-client.js');
    const client = createHttpClient({ ssrf: { allow: ['127.0.0.1'] } });
    expect(loaded.has('undici')).toBe(false);
    const response = await client.request({ url: `${base}/` });
    expect(response.body.toString()).toBe('{"ok":true}');
    expect(loaded.has('undici')).toBe(true);
    await client.close();
  });

  it('xml2js loads when the XML node runs', async () => {
    const { xmlNode } = await import('./nodes/files/xml/xml-node.js');
    expect(loaded.has('xml2js')).toBe(false);
    const { json } = await runNode(xmlNode, {
      params: { mode: 'xmlToJson', dataPropertyName: 'data' },
      items: [{ json: { data: '<a>1</a>' } }],
    });
    expect(json).toEqual([{ a: '1' }]);
    expect(loaded.has('xml2js')).toBe(true);
  });

  it('lodash loads when the first node that needs it runs (Merge, Sort, Remove Duplicates...)', async () => {
    const { sortNode } = await import('./nodes/transform/sort.js');
    const { lodash } = await import('./shared/lodash.js');
    expect(loaded.has('lodash-es')).toBe(false);
    expect(() => lodash()).toThrow(/before it was loaded/);
    const { json } = await runNode(sortNode, {
      items: [{ v: 3 }, { v: 1 }, { v: 2 }],
      params: { type: 'simple', sortFieldsUi: { sortField: [{ fieldName: 'v' }] } },
    });
    expect(json.map((j) => j.v)).toEqual([1, 2, 3]);
    expect(loaded.has('lodash-es')).toBe(true);
    expect(lodash().isEqual({ a: [1] }, { a: [1] })).toBe(true);
  });
});
