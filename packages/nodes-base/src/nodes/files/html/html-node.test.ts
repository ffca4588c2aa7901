import type { JsonObject } from '@budflow/node-sdk';
import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { htmlExtractNode } from './html-extract-node.js';
import { htmlNode } from './html-node.js';

const PAGE = `<html><body>
  <h1 class="title">  Shop  </h1>
  <ul><li class="p" data-id="1">Apple <img src="a.png"> <span class="skip">(old)</span></li>
  <li class="p" data-id="2">Pear</li></ul>
  <input name="q" value="search me">
</body></html>`;

const extract = (values: JsonObject[], options: JsonObject = {}, typeVersion = 1.2) =>
  runNode(htmlNode, {
    typeVersion,
    params: { operation: 'extractHtmlContent', extractionValues: { values }, options },
    items: [{ data: PAGE }],
  });

describe('HTML node: extract HTML content', () => {
  it('extracts text, attributes, html and input values', async () => {
    const result = await extract([
      { key: 'title', cssSelector: 'h1', returnValue: 'text' },
      {
        key: 'ids',
        cssSelector: 'li',
        returnValue: 'attribute',
        attribute: 'data-id',
        returnArray: true,
      },
      { key: 'firstHtml', cssSelector: 'li[data-id="2"]', returnValue: 'html' },
      { key: 'query', cssSelector: 'input', returnValue: 'value' },
    ]);
    expect(result.json).toEqual([
      { title: 'Shop', ids: ['1', '2'], firstHtml: 'Pear', query: 'search me' },
    ]);
  });

  it('trims and cleans up only when the options ask for it', async () => {
    const values = [{ key: 'title', cssSelector: 'h1', returnValue: 'text' }];
    const raw = await extract(values, {}, 1.1);
    expect(raw.json[0]!.title).toBe('  Shop  ');
    const trimmed = await extract(values, { trimValues: true }, 1.1);
    expect(trimmed.json[0]!.title).toBe('Shop');
    const cleaned = await extract(
      [{ key: 'li', cssSelector: 'ul', returnValue: 'text' }],
      { cleanUpText: true },
      1.1,
    );
    expect(cleaned.json[0]!.li).toBe('Apple (old) Pear');
  });

  it('skips selectors in text extraction from v1.2', async () => {
    const result = await extract([
      { key: 'item', cssSelector: 'li', returnValue: 'text', skipSelectors: '.skip, img' },
    ]);
    expect(result.json[0]!.item).toBe('Apple');
  });

  it('reads a nested JSON property from v1.1 and an array of documents', async () => {
    const result = await runNode(htmlNode, {
      typeVersion: 1.1,
      params: {
        operation: 'extractHtmlContent',
        dataPropertyName: 'page.html',
        extractionValues: { values: [{ key: 'b', cssSelector: 'b', returnValue: 'text' }] },
      },
      items: [{ page: { html: ['<b>1</b>', '<b>2</b>'] } }],
    });
    expect(result.json).toEqual([{ b: '1' }, { b: '2' }]);
    expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
  });

  it('reads a top-level key containing dots in v1', async () => {
    const result = await runNode(htmlNode, {
      typeVersion: 1,
      params: {
        operation: 'extractHtmlContent',
        dataPropertyName: "['page.html']",
        extractionValues: { values: [{ key: 'b', cssSelector: 'b', returnValue: 'text' }] },
      },
      items: [{ 'page.html': '<b>x</b>' }],
    });
    expect(result.json).toEqual([{ b: 'x' }]);
  });

  it('reads HTML from binary data', async () => {
    const result = await runNode(htmlNode, {
      params: {
        operation: 'extractHtmlContent',
        sourceData: 'binary',
        extractionValues: { values: [{ key: 'h', cssSelector: 'h1', returnValue: 'html' }] },
      },
      items: [
        {
          json: {},
          binary: {
            data: { data: Buffer.from('<h1>é</h1>').toString('base64'), mimeType: 'text/html' },
          },
        },
      ],
    });
    expect(result.json).toEqual([{ h: 'é' }]);
  });

  it('names the missing property, or continues with an error item', async () => {
    await expect(
      runNode(htmlNode, { params: { operation: 'extractHtmlContent' }, items: [{ x: 1 }] }),
    ).rejects.toThrow('No property named "data" exists!');
    const result = await runNode(htmlNode, {
      continueOnFail: true,
      params: { operation: 'extractHtmlContent' },
      items: [{ x: 1 }],
    });
    expect(result.json).toEqual([{ error: 'No property named "data" exists!' }]);
  });

  it('never writes a __proto__ key', async () => {
    const result = await extract([{ key: '__proto__', cssSelector: 'h1', returnValue: 'text' }]);
    expect(result.json).toEqual([{}]);
    expect(Object.getPrototypeOf(result.json[0])).toBe(Object.prototype);
  });
});

describe('HTML node: convert to HTML table', () => {
  it('builds one table from all items with the default styling', async () => {
    const result = await runNode(htmlNode, {
      params: { operation: 'convertToHtmlTable', options: { capitalize: true } },
      items: [
        { first_name: 'Ann', ok: true },
        { first_name: 'Bo', age: 3 },
      ],
    });
    expect(result.items).toHaveLength(1);
    expect(result.items[0]!.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
    const table = result.json[0]!.table as string;
    expect(
      table.startsWith("<table style='border-spacing:0; font-family:helvetica,arial,sans-serif' >"),
    ).toBe(true);
    expect(table).toContain('<tr><th>First Name</th><th>Ok</th><th>Age</th></tr>');
    expect(table).toContain('<input type="checkbox" checked="checked"/>');
    expect(table).toContain('>undefined</td>');
  });

  it('uses custom attributes without default styling', async () => {
    const result = await runNode(htmlNode, {
      params: {
        operation: 'convertToHtmlTable',
        options: {
          customStyling: true,
          caption: 'Cap',
          tableAttributes: 'id="t"',
          rowAttributes: 'class="r"',
          cellAttributes: 'class="c"',
        },
      },
      items: [{ a: 1 }],
    });
    expect(result.json[0]!.table).toBe(
      '<table  id="t"><caption>Cap</caption><thead  ><tr><th>a</th></tr></thead><tbody><tr  class="r"><td  class="c">1</td></tr></tbody></table>',
    );
  });

  it('outputs nothing for no items', async () => {
    const result = await runNode(htmlNode, {
      params: { operation: 'convertToHtmlTable' },
      items: [],
    });
    expect(result.json).toEqual([]);
  });
});

describe('HTML node: generate HTML template', () => {
  it('returns the default template when there is nothing to resolve', async () => {
    const result = await runNode(htmlNode, { params: {} });
    expect(result.json[0]!.html).toMatch(/^<!DOCTYPE html>/);
  });

  it('needs the expression evaluator for {{ }} parts', async () => {
    await expect(
      runNode(htmlNode, { params: { html: '<p>{{ $json.x }}</p>' }, items: [{ x: 1 }] }),
    ).rejects.toThrow(/evaluator/);
  });
});

describe('HTML Extract node (legacy)', () => {
  it('trims by default and reads top-level properties', async () => {
    const result = await runNode(htmlExtractNode, {
      params: {
        extractionValues: {
          values: [
            { key: 'title', cssSelector: 'h1' },
            { key: 'names', cssSelector: 'li', returnArray: true },
          ],
        },
      },
      items: [{ data: PAGE }],
    });
    expect(result.json).toEqual([{ title: 'Shop', names: ['Apple  (old)', 'Pear'] }]);
  });

  it('keeps whitespace when trimValues is false', async () => {
    const result = await runNode(htmlExtractNode, {
      params: {
        extractionValues: { values: [{ key: 'title', cssSelector: 'h1' }] },
        options: { trimValues: false },
      },
      items: [{ data: PAGE }],
    });
    expect(result.json).toEqual([{ title: '  Shop  ' }]);
  });
});

describe('HTML node v1.2 text extraction (n8n behaviour)', () => {
  const page = `<html>
<head>
\t<title>My Page</title>\t
</head>
<body>
\t<h1>My Page</h1>
\t<p>Hello World</p>
\t<div class="content">
\t\t<p>Another paragraph\\n</p>
\t\t<p>Yet \\r\\n\\r\\n\\t\\t\\t\\t\\t\\t\\another paragraph\\n</p>
\t\t<p>And\\one more\\n</p>
\t</div>
\t<img src="https://n8n.io/n8n-logo.png" alt="n8n.io logo" />
\t<a href="https://n8n.io">n8n.io</a>
    <input id="text-id" type="text" value="n8n" />
</body>
</html>`
    .replace(/\\n/g, '\n')
    .replace(/\\r/g, '\r')
    .replace(/\\t/g, '\t')
    .replace(/\\a/g, 'a')
    .replace(/\\o/g, 'o');

  const run = (value: JsonObject, options: JsonObject = {}) =>
    runNode(htmlNode, {
      typeVersion: 1.2,
      params: { operation: 'extractHtmlContent', extractionValues: { values: [value] }, options },
      items: [{ data: page }],
    }).then((result) => result.json[0]!.data);

  it('renders text like html-to-text, with clean-up and trimming options', async () => {
    expect(await run({ key: 'data', cssSelector: 'html' }, { cleanUpText: true })).toBe(
      'MY PAGEHello WorldAnother paragraphYet another paragraphAndone moren8n.io logo [https://n8n.io/n8n-logo.png] n8n.io [https://n8n.io]',
    );
    expect(await run({ key: 'data', cssSelector: 'html' }, { trimValues: true })).toBe(
      'MY PAGE\n\nHello World\n\nAnother paragraph\n\nYet another paragraph\n\nAndone more\n\nn8n.io logo [https://n8n.io/n8n-logo.png] n8n.io [https://n8n.io]',
    );
    expect(await run({ key: 'data', cssSelector: 'html', skipSelectors: 'img, a' })).toBe(
      'MY PAGE\n\nHello World\n\nAnother paragraph\n\nYet another paragraph\n\nAndone more',
    );
    expect(await run({ key: 'data', cssSelector: 'p', returnArray: true })).toEqual([
      'Hello World',
      'Another paragraph',
      'Yet another paragraph',
      'Andone more',
    ]);
  });

  it('returns every attribute when no attribute name is given', async () => {
    expect(await run({ key: 'data', cssSelector: 'div', returnValue: 'attribute' })).toEqual({
      class: 'content',
    });
  });

  it('returns inner HTML and input values untouched', async () => {
    const html = (await run({ key: 'data', cssSelector: 'body', returnValue: 'html' })) as string;
    expect(html.startsWith('\n\t<h1>My Page</h1>')).toBe(true);
    expect(html).toContain('<img src="https://n8n.io/n8n-logo.png" alt="n8n.io logo">');
    expect(await run({ key: 'data', cssSelector: '#text-id', returnValue: 'value' })).toBe('n8n');
  });
});
