import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { markdownNode } from './markdown-node.js';

const PAGE =
  '<html><head><title>Example Domain</title></head><body><div><h1>Example Domain</h1>' +
  '<p>Some <strong>bold</strong> text.</p><p><a href="https://example.com">More...</a></p></div></body></html>';

describe('Markdown node', () => {
  it('converts HTML to Markdown, keeping the input fields', async () => {
    const result = await runNode(markdownNode, {
      params: { html: PAGE, options: {} },
      items: [{ keep: 1 }],
    });
    expect(result.json).toEqual([
      {
        keep: 1,
        data: '# Example Domain\n\nSome **bold** text.\n\n[More...](https://example.com)',
      },
    ]);
  });

  it('applies text replacements and custom delimiters', async () => {
    const result = await runNode(markdownNode, {
      params: {
        html: '<p><em>a</em> <strong>b</strong></p><ul><li>x</li></ul>',
        options: {
          emDelimiter: '*',
          strongDelimiter: '__',
          bulletMarker: '-',
          textReplace: { values: [{ pattern: 'x', replacement: 'y' }] },
        },
      },
    });
    expect(result.json[0]!.data).toBe('*a* __b__\n\n- y');
  });

  it('converts Markdown to HTML with showdown options', async () => {
    const plain = await runNode(markdownNode, {
      params: { mode: 'markdownToHtml', markdown: '# Title\n\n~~gone~~ ...', options: {} },
    });
    expect(plain.json[0]!.data).toBe('<h1 id="title">Title</h1>\n<p>~~gone~~ …</p>');
    const withOptions = await runNode(markdownNode, {
      params: {
        mode: 'markdownToHtml',
        markdown: '# Title\n\n~~gone~~',
        destinationKey: 'out.html',
        options: { noHeaderId: true, strikethrough: true },
      },
    });
    expect(withOptions.json[0]).toEqual({
      out: { html: '<h1>Title</h1>\n<p><del>gone</del></p>' },
    });
  });

  it('wraps a complete HTML document when asked', async () => {
    const result = await runNode(markdownNode, {
      params: { mode: 'markdownToHtml', markdown: 'hi', options: { completeHTMLDocument: true } },
    });
    expect(result.json[0]!.data).toBe(
      '<!DOCTYPE HTML>\n<html>\n<head>\n<meta charset="utf-8">\n</head>\n<body>\n<p>hi</p>\n</body>\n</html>',
    );
  });

  it('gives an empty string for empty input and no items for no input', async () => {
    expect((await runNode(markdownNode, { params: { html: '' } })).json).toEqual([{ data: '' }]);
    expect((await runNode(markdownNode, { items: [] })).json).toEqual([]);
  });

  it('refuses a destination through a prototype key', async () => {
    await expect(
      runNode(markdownNode, { params: { html: '<p>x</p>', destinationKey: '__proto__.polluted' } }),
    ).rejects.toThrow(/reserved key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('converts a large document', async () => {
    const html = Array.from({ length: 2000 }, (_, i) => `<p>paragraph ${i}</p>`).join('');
    const result = await runNode(markdownNode, { params: { html } });
    const text = result.json[0]!.data as string;
    expect(text.split('\n\n')).toHaveLength(2000);
  });

  it('matches the n8n fixture outputs', async () => {
    const path = fileURLToPath(
      new URL(
        '../../../../../../../shared/conformance/n8n-workflows/Markdown/workflow.markdown.json',
        import.meta.url,
      ),
    );
    const fixture = JSON.parse(readFileSync(path, 'utf8')) as {
      nodes: Array<{ name: string; parameters: Record<string, any> }>;
      pinData: Record<string, Array<{ json: { data: string } }>>;
    };
    const html = fixture.nodes.find((n) => n.name === 'Code')!.parameters.data.data as string;
    const options = (name: string) =>
      fixture.nodes.find((n) => n.name === name)!.parameters.options;
    const md = await runNode(markdownNode, { params: { html, options: options('Markdown1') } });
    const ignored = await runNode(markdownNode, {
      params: { html, options: options('Markdown2') },
    });
    const replaced = await runNode(markdownNode, {
      params: { html, options: options('Markdown3') },
    });
    expect(ignored.json).toEqual(fixture.pinData.Markdown2!.map((i) => i.json));
    expect(replaced.json).toEqual(fixture.pinData.Markdown3!.map((i) => i.json));
    const markdown = md.json[0]!.data as string;
    const fragment = await runNode(markdownNode, {
      params: { mode: 'markdownToHtml', markdown, options: options('Markdown4') },
      items: md.json,
    });
    const document = await runNode(markdownNode, {
      params: { mode: 'markdownToHtml', markdown, options: options('Markdown') },
      items: md.json,
    });
    expect(fragment.json).toEqual(fixture.pinData.Markdown4!.map((i) => i.json));
    expect(document.json).toEqual(fixture.pinData.Markdown!.map((i) => i.json));
  });
});
