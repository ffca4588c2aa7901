import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { xmlNode } from './xml-node.js';

describe('XML node', () => {
  it('round-trips JSON through XML like the n8n fixture (single key becomes the root)', async () => {
    const toXml = await runNode(xmlNode, {
      params: { mode: 'jsonToxml', options: {} },
      items: [{ a: { b: { c: 1 } } }],
    });
    expect(toXml.json[0]!.data).toContain('<a>\n  <b>\n    <c>1</c>');
    const back = await runNode(xmlNode, { params: { options: {} }, items: toXml.json });
    expect(back.json).toEqual([{ a: { b: { c: '1' } } }]);
  });

  it('merges attributes and avoids single-element arrays by default', async () => {
    const result = await runNode(xmlNode, {
      items: [{ data: '<list kind="x"><item id="1">one</item><item id="2">two</item></list>' }],
    });
    expect(result.json).toEqual([
      {
        list: {
          kind: 'x',
          item: [
            { _: 'one', id: '1' },
            { _: 'two', id: '2' },
          ],
        },
      },
    ]);
  });

  it('honours parser options (explicitArray, explicitRoot, ignoreAttrs)', async () => {
    const result = await runNode(xmlNode, {
      params: { options: { explicitArray: true, explicitRoot: false, ignoreAttrs: true } },
      items: [{ data: '<r a="1"><x>1</x></r>' }],
    });
    expect(result.json).toEqual([{ x: ['1'] }]);
  });

  it('honours builder options (rootName, headless, custom attribute key)', async () => {
    const result = await runNode(xmlNode, {
      params: { mode: 'jsonToxml', options: { rootName: 'doc', headless: true, attrkey: '@' } },
      items: [{ one: 1, two: { '@': { id: '7' }, text: 'x' } }],
    });
    expect(result.json[0]!.data).toBe(
      '<doc>\n  <one>1</one>\n  <two id="7">\n    <text>x</text>\n  </two>\n</doc>',
    );
  });

  it('writes to the named property and passes pairedItem', async () => {
    const result = await runNode(xmlNode, {
      params: { mode: 'jsonToxml', dataPropertyName: 'xml', options: { headless: true } },
      items: [{ a: 1 }, { b: 2 }],
    });
    expect(result.json).toEqual([{ xml: '<a>1</a>' }, { xml: '<b>2</b>' }]);
    expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
  });

  it('names the missing property and the item', async () => {
    await expect(runNode(xmlNode, { items: [{ other: '<a/>' }] })).rejects.toThrow(
      /Item has no JSON property called "data"/,
    );
  });

  it('rejects malformed XML', async () => {
    await expect(runNode(xmlNode, { items: [{ data: '<a><b></a>' }] })).rejects.toMatchObject({
      itemIndex: 0,
      nodeName: 'XML',
    });
  });

  it('drops failed items when continuing on failure, as n8n does', async () => {
    const result = await runNode(xmlNode, {
      continueOnFail: true,
      items: [{ data: '<a>1</a>' }, { data: '<broken' }, { data: '<b>2</b>' }],
    });
    expect(result.json).toEqual([{ a: '1' }, { b: '2' }]);
  });

  it('gives no items for empty input', async () => {
    expect((await runNode(xmlNode, { items: [] })).json).toEqual([]);
  });

  it('never pollutes prototypes with __proto__ elements', async () => {
    const result = await runNode(xmlNode, {
      items: [{ data: '<root><__proto__><polluted>yes</polluted></__proto__><ok>1</ok></root>' }],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(result.json[0]!.root as object)).toEqual(['ok']);
    await expect(
      runNode(xmlNode, {
        params: { options: { attrkey: '__proto__' } },
        items: [{ data: '<a/>' }],
      }),
    ).rejects.toThrow(/attrkey/);
  });

  it('converts a large document', async () => {
    const entries = Array.from({ length: 5000 }, (_, i) => `<e n="${i}">${i}</e>`).join('');
    const result = await runNode(xmlNode, { items: [{ data: `<r>${entries}</r>` }] });
    const list = (result.json[0]!.r as { e: unknown[] }).e;
    expect(list).toHaveLength(5000);
    expect(list[4999]).toEqual({ _: '4999', n: '4999' });
  });
});
