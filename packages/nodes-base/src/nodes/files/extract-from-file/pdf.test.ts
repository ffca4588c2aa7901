import type { Item } from '@budflow/node-sdk';
import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { extractFromFileNode } from './extract-from-file-node.js';

/** A minimal PDF with Helvetica text, one array of lines per page, and an info dictionary. */
function makePdf(pages: string[][]): Buffer {
  const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>'];
  const kids = pages.map((_, i) => `${3 + i * 2} 0 R`).join(' ');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  const fontId = 3 + pages.length * 2;
  pages.forEach((lines, i) => {
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Contents ${4 + i * 2} 0 R ` +
        `/Resources << /Font << /F1 ${fontId} 0 R >> >> >>`,
    );
    const content = lines
      .map((line, j) => `BT /F1 12 Tf 20 ${250 - j * 20} Td (${line}) Tj ET`)
      .join('\n');
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  });
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  objects.push('<< /Title (Test Doc) /Author (BudFlow) >>');
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\n`;
  out += `startxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const pdfItem = (buffer: Buffer, json: Item['json'] = {}): Item => ({
  json,
  binary: {
    data: { data: buffer.toString('base64'), mimeType: 'application/pdf', fileExtension: 'pdf' },
  },
});

const PDF = makePdf([['Hello world', 'Second line'], ['Page two']]);

describe('Extract from File node: PDF', () => {
  it('extracts text, page count, info and the pdf.js version', async () => {
    const result = await runNode(extractFromFileNode, {
      params: { operation: 'pdf' },
      items: [pdfItem(PDF)],
    });
    expect(result.json[0]).toMatchObject({
      numpages: 2,
      numrender: 2,
      info: { Title: 'Test Doc', Author: 'BudFlow', PDFFormatVersion: '1.4' },
      text: 'Hello world\nSecond line\n\nPage two',
    });
    expect(result.json[0]!.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(result.items[0]!.binary).toBeUndefined();
  });

  it('returns pages separately, limits pages, and keeps the source', async () => {
    const result = await runNode(extractFromFileNode, {
      params: {
        operation: 'pdf',
        options: { joinPages: false, maxPages: 1, keepSource: 'both' },
      },
      items: [pdfItem(PDF, { id: 7 })],
    });
    expect(result.json[0]).toMatchObject({ id: 7, text: ['Hello world\nSecond line'] });
    expect(result.items[0]!.binary!.data).toBeDefined();
  });

  it('rejects a file that is not a PDF, or continues with an error item', async () => {
    const broken = pdfItem(Buffer.from('not a pdf'));
    await expect(
      runNode(extractFromFileNode, { params: { operation: 'pdf' }, items: [broken] }),
    ).rejects.toMatchObject({ itemIndex: 0 });
    const result = await runNode(extractFromFileNode, {
      continueOnFail: true,
      params: { operation: 'pdf' },
      items: [broken],
    });
    expect(typeof result.json[0]!.error).toBe('string');
  });
});
