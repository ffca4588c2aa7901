import type { Item } from '@budflow/node-sdk';
import { runNode } from '@budflow/node-sdk/testing';
import { utils, write } from '@e965/xlsx';
import { describe, expect, it } from 'vitest';
import { extractFromFileNode } from '../extract-from-file/extract-from-file-node.js';
import { spreadsheetFileNode } from './spreadsheet-file-node.js';

const datedWorkbook = (bookType: 'xlsx' | 'xls' | 'ods' = 'xlsx') => {
  const sheet = utils.aoa_to_sheet([
    ['Start Date', 'Amount'],
    [new Date('2026-07-02T00:00:00.000Z'), 1234.5],
  ]);
  sheet.A2!.z = 'yyyy/mm/dd';
  sheet.B2!.z = '#,##0.00';
  const workbook = utils.book_new();
  utils.book_append_sheet(workbook, sheet, 'Dates');
  return write(workbook, { bookType, type: 'buffer' }) as Buffer;
};

const fileItem = (buffer: Buffer, mimeType: string, fileExtension?: string): Item => ({
  json: {},
  binary: {
    data: {
      data: buffer.toString('base64'),
      mimeType,
      ...(fileExtension ? { fileExtension } : {}),
    },
  },
});

describe('Spreadsheet File node', () => {
  it('writes XLS by default and reads it back (v2)', async () => {
    const written = await runNode(spreadsheetFileNode, {
      typeVersion: 2,
      params: { operation: 'toFile' },
      items: [{ a: 1, b: { c: 'x' } }, { a: 2 }],
    });
    expect(written.items[0]!.binary!.data).toMatchObject({ fileName: 'spreadsheet.xls' });
    expect(written.items[0]!.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
    const read = await runNode(spreadsheetFileNode, { typeVersion: 2, items: written.items });
    expect(read.json).toEqual([{ a: 1, 'b.c': 'x' }, { a: 2 }]);
  });

  it('pairs the written file with item 0 in v1', async () => {
    const written = await runNode(spreadsheetFileNode, {
      typeVersion: 1,
      params: { operation: 'toFile', fileFormat: 'csv' },
      items: [{ a: 1 }, { a: 2 }],
    });
    expect(written.items[0]!.pairedItem).toEqual({ item: 0 });
    expect(Buffer.from(written.items[0]!.binary!.data!.data, 'base64').toString()).toBe(
      '\ufeffa\n1\n2',
    );
  });

  it('autodetects CSV from the MIME type in v2 and keeps values as text', async () => {
    const csv = fileItem(Buffer.from('n,s\n1,x'), 'text/csv', 'csv');
    expect((await runNode(spreadsheetFileNode, { typeVersion: 2, items: [csv] })).json).toEqual([
      { n: '1', s: 'x' },
    ]);
    // v1 reads CSV through the spreadsheet library, which types numbers.
    expect((await runNode(spreadsheetFileNode, { typeVersion: 1, items: [csv] })).json).toEqual([
      { n: 1, s: 'x' },
    ]);
  });

  it('skips items without the binary field in v1 and names it in v2', async () => {
    expect((await runNode(spreadsheetFileNode, { typeVersion: 1, items: [{}] })).json).toEqual([]);
    await expect(runNode(spreadsheetFileNode, { typeVersion: 2, items: [{}] })).rejects.toThrow(
      /No binary data exists on item 0/,
    );
  });

  it('reads date cells as serials in v2 and as displayed text in v3', async () => {
    const item = fileItem(datedWorkbook(), 'application/octet-stream', 'xlsx');
    const v2 = await runNode(spreadsheetFileNode, { typeVersion: 2, items: [item] });
    expect(v2.json).toEqual([{ 'Start Date': 46205, Amount: 1234.5 }]);
    const v3 = await runNode(spreadsheetFileNode, { typeVersion: 3, items: [item] });
    expect(v3.json).toEqual([{ 'Start Date': '2026/07/02', Amount: 1234.5 }]);
    const raw = await runNode(spreadsheetFileNode, {
      typeVersion: 3,
      params: { options: { rawData: true } },
      items: [item],
    });
    expect(raw.json[0]!['Start Date']).toBe(46205);
  });
});

describe('Extract from File date cells by version', () => {
  it.each([
    [1, 46205],
    [1.1, 46205],
    [1.2, '2026/07/02'],
  ] as const)('v%s reads %s', async (typeVersion, expected) => {
    const result = await runNode(extractFromFileNode, {
      typeVersion,
      params: { operation: 'xlsx' },
      items: [fileItem(datedWorkbook(), 'application/octet-stream', 'xlsx')],
    });
    expect(result.json).toEqual([{ 'Start Date': expected, Amount: 1234.5 }]);
  });

  it.each(['xls', 'ods'] as const)('v1.2 shows %s dates as displayed', async (bookType) => {
    const result = await runNode(extractFromFileNode, {
      typeVersion: 1.2,
      params: { operation: bookType },
      items: [fileItem(datedWorkbook(bookType), 'application/octet-stream', bookType)],
    });
    expect(typeof result.json[0]!['Start Date']).toBe('string');
    expect(result.json[0]!.Amount).toBe(1234.5);
  });
});

describe('Spreadsheet File v1 reading a CSV file (n8n test expectations)', () => {
  const csv = fileItem(Buffer.from('A,B,C\n1,2,3\n4,5,6\n'), 'text/csv', 'csv');
  const read = (options: Record<string, string | boolean>) =>
    runNode(spreadsheetFileNode, { typeVersion: 1, params: { options }, items: [csv] }).then(
      (result) => result.json,
    );

  it('reads typed values, ranges, header-less rows, raw data and strings', async () => {
    expect(await read({})).toEqual([
      { A: 1, B: 2, C: 3 },
      { A: 4, B: 5, C: 6 },
    ]);
    expect(await read({ range: 'A2:B3' })).toEqual([{ '1': 4, '2': 5 }]);
    expect(await read({ headerRow: false })).toEqual([
      { row: ['A', 'B', 'C'] },
      { row: [1, 2, 3] },
      { row: [4, 5, 6] },
    ]);
    expect(await read({ rawData: true })).toEqual([
      { A: '1', B: '2', C: '3' },
      { A: '4', B: '5', C: '6' },
    ]);
    expect(await read({ readAsString: true })).toEqual([
      { A: 1, B: 2, C: 3 },
      { A: 4, B: 5, C: 6 },
    ]);
  });

  it('writes RTF and HTML with their MIME types', async () => {
    const rows = [
      { A: 1, B: 2 },
      { A: 3, B: 4 },
    ];
    const rtf = await runNode(spreadsheetFileNode, {
      typeVersion: 1,
      params: { operation: 'toFile', fileFormat: 'rtf' },
      items: rows,
    });
    expect(rtf.items[0]!.binary!.data).toMatchObject({
      mimeType: 'application/rtf',
      fileExtension: 'rtf',
      fileName: 'spreadsheet.rtf',
    });
    const html = await runNode(spreadsheetFileNode, {
      typeVersion: 1,
      params: { operation: 'toFile', fileFormat: 'html' },
      items: rows,
    });
    expect(html.items[0]!.binary!.data).toMatchObject({ mimeType: 'text/html', fileType: 'html' });
  });
});
