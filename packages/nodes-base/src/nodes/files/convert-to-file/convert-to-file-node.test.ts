import { runNode } from '@budflow/node-sdk/testing';
import type { Item } from '@budflow/node-sdk';
import { read, utils } from '@e965/xlsx';
import { describe, expect, it } from 'vitest';
import { extractFromFileNode } from '../extract-from-file/extract-from-file-node.js';
import { convertToFileNode } from './convert-to-file-node.js';

const RECORD = {
  id: '23423532',
  name: 'Jay Gatsby',
  notes: 'Keeps asking about a green light??',
  base64: 'VGhpcyBpcyBzb21lIHRleHQgZW5jb2RlZCBhcyBiYXNlNjQ=',
};

const bytesOf = (item: Item, key = 'data') => Buffer.from(item.binary![key]!.data, 'base64');

describe('Convert to File node', () => {
  it('writes CSV with a byte order mark, flattening nested fields', async () => {
    const result = await runNode(convertToFileNode, {
      typeVersion: 1.1,
      params: { options: {} },
      items: [
        { a: 1, nested: { b: 'x', list: [1, 2] } },
        { a: 2, c: 'y,z' },
      ],
    });
    expect(result.items).toHaveLength(1);
    expect(result.items[0]!.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
    const binary = result.items[0]!.binary!.data!;
    expect(binary).toMatchObject({
      fileName: 'File.csv',
      mimeType: 'text/csv',
      fileExtension: 'csv',
    });
    expect(bytesOf(result.items[0]!).toString()).toBe(
      '\ufeffa,nested.b,nested.list.0,nested.list.1,c\n1,x,1,2,\n2,,,,"y,z"',
    );
  });

  it('honours the delimiter, header row and file name options', async () => {
    const result = await runNode(convertToFileNode, {
      params: { options: { delimiter: '|', headerRow: false, fileName: 'out.csv' } },
      items: [{ a: 1, b: 2 }],
    });
    expect(bytesOf(result.items[0]!).toString()).toBe('\ufeff1|2');
    expect(result.items[0]!.binary!.data!.fileName).toBe('out.csv');
  });

  it('writes XLSX and ODS sheets that read back', async () => {
    for (const operation of ['xlsx', 'ods', 'xls'] as const) {
      const result = await runNode(convertToFileNode, {
        params: { operation, options: { sheetName: 'People' } },
        items: [{ name: 'Ann', age: 3 }],
      });
      const workbook = read(bytesOf(result.items[0]!));
      expect(workbook.SheetNames).toEqual(['People']);
      expect(utils.sheet_to_json(workbook.Sheets.People!)).toEqual([{ name: 'Ann', age: 3 }]);
      expect(result.items[0]!.binary!.data!.fileName).toBe(`File.${operation}`);
    }
  });

  it('writes an HTML table and RTF', async () => {
    const html = await runNode(convertToFileNode, {
      params: { operation: 'html' },
      items: [{ a: 'x' }],
    });
    expect(bytesOf(html.items[0]!).toString()).toContain('<table');
    const rtf = await runNode(convertToFileNode, {
      params: { operation: 'rtf' },
      items: [{ a: 'x' }],
    });
    expect(bytesOf(rtf.items[0]!).toString()).toMatch(/^{\\rtf1/);
  });

  it('writes all items to one JSON file, formatted on request', async () => {
    const compact = await runNode(convertToFileNode, {
      typeVersion: 1.1,
      params: { operation: 'toJson', options: {} },
      items: [{ a: 1 }, { b: 2 }],
    });
    expect(bytesOf(compact.items[0]!).toString()).toBe('[{"a":1},{"b":2}]');
    expect(compact.items[0]!.binary!.data).toMatchObject({
      mimeType: 'application/json',
      fileName: 'file.json',
    });
    const pretty = await runNode(convertToFileNode, {
      params: { operation: 'toJson', options: { format: true, fileName: 'x.json' } },
      items: [{ a: 1 }],
    });
    expect(bytesOf(pretty.items[0]!).toString()).toBe('[\n  {\n    "a": 1\n  }\n]');
  });

  it('writes each item to its own JSON file', async () => {
    const result = await runNode(convertToFileNode, {
      params: { operation: 'toJson', mode: 'each', binaryPropertyName: 'file' },
      items: [{ a: 1 }, { b: 2 }],
    });
    expect(result.items.map((item) => bytesOf(item, 'file').toString())).toEqual([
      '{"a":1}',
      '{"b":2}',
    ]);
  });

  it('writes text with an encoding and a byte order mark', async () => {
    const result = await runNode(convertToFileNode, {
      params: {
        operation: 'toText',
        sourceProperty: 'deep.text',
        options: { encoding: 'utf16le', addBOM: true },
      },
      items: [{ deep: { text: 'hé' } }],
    });
    expect([...bytesOf(result.items[0]!)]).toEqual([0xff, 0xfe, 0x68, 0x00, 0xe9, 0x00]);
    expect(result.items[0]!.binary!.data).toMatchObject({
      fileName: 'file.txt',
      mimeType: 'text/plain',
    });
  });

  it('moves base64 to a file, with data URIs and a MIME type', async () => {
    const result = await runNode(convertToFileNode, {
      typeVersion: 1.1,
      params: { operation: 'toBinary', sourceProperty: 'b', options: { fileName: 'x.png' } },
      items: [{ b: `data:image/png;base64,${Buffer.from('png!').toString('base64')}` }],
    });
    expect(bytesOf(result.items[0]!).toString()).toBe('png!');
    expect(result.items[0]!.binary!.data).toMatchObject({
      mimeType: 'image/png',
      fileName: 'x.png',
    });
  });

  it('treats the source as text in v1 when dataIsBase64 is false', async () => {
    const result = await runNode(convertToFileNode, {
      typeVersion: 1,
      params: { operation: 'toBinary', sourceProperty: 't', options: { dataIsBase64: false } },
      items: [{ t: 'plain text' }],
    });
    expect(bytesOf(result.items[0]!).toString()).toBe('plain text');
  });

  it('rejects text that is not base64 and a missing source field', async () => {
    await expect(
      runNode(convertToFileNode, {
        params: { operation: 'toBinary', sourceProperty: 't' },
        items: [{ t: 'not base64!' }],
      }),
    ).rejects.toThrow(/not valid base64/);
    const result = await runNode(convertToFileNode, {
      continueOnFail: true,
      params: { operation: 'toText', sourceProperty: 'missing' },
      items: [{}],
    });
    expect(result.json).toEqual([{ error: 'The value in "missing" is not set' }]);
  });

  it('reads nothing through prototype keys', async () => {
    await expect(
      runNode(convertToFileNode, {
        params: { operation: 'toText', sourceProperty: '__proto__.toString' },
        items: [{}],
      }),
    ).rejects.toThrow('The value in "__proto__.toString" is not set');
  });

  it('creates an ICS event', async () => {
    const result = await runNode(convertToFileNode, {
      params: {
        operation: 'iCal',
        title: 'Launch',
        start: '2024-05-01T10:30:15Z',
        end: '2024-05-01T11:00:00Z',
        additionalFields: { location: 'Moon', uid: 'abc', fileName: 'launch.ics' },
      },
    });
    const text = bytesOf(result.items[0]!).toString();
    expect(text).toContain('SUMMARY:Launch');
    expect(text).toContain('DTSTART:20240501T103015Z');
    expect(text).toContain('DTEND:20240501T110000Z');
    expect(text).toContain('LOCATION:Moon');
    expect(text).toContain('UID:abc');
    expect(result.items[0]!.binary!.data).toMatchObject({
      fileName: 'launch.ics',
      mimeType: 'text/calendar',
    });
  });

  it('creates an all-day ICS event ending the next day', async () => {
    const result = await runNode(convertToFileNode, {
      params: { operation: 'iCal', title: 'Day', start: '2024-05-01T00:00:00Z', allDay: true },
    });
    const text = bytesOf(result.items[0]!).toString();
    expect(text).toContain('DTSTART;VALUE=DATE:20240501');
    expect(text).toContain('DTEND;VALUE=DATE:20240502');
  });

  it('handles many items', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => ({ i, s: `row ${i}` }));
    const result = await runNode(convertToFileNode, { params: {}, items });
    const lines = bytesOf(result.items[0]!).toString().split('\n');
    expect(lines).toHaveLength(20_001);
    expect(lines[20_000]).toBe('19999,row 19999');
  });

  it('reproduces the n8n toText fixture chain', async () => {
    const csv = await runNode(convertToFileNode, { typeVersion: 1.1, items: [RECORD] });
    const rows = await runNode(extractFromFileNode, { items: csv.items });
    expect(rows.json).toEqual([{ '\ufeffid': RECORD.id, ...withoutId(RECORD) }]);

    const piped = await runNode(convertToFileNode, {
      typeVersion: 1.1,
      params: { options: { delimiter: '|' } },
      items: [RECORD],
    });
    const pipedRows = await runNode(extractFromFileNode, {
      params: { options: { delimiter: '|' } },
      items: piped.items,
    });
    expect(pipedRows.json).toEqual(rows.json);

    const base64 = await runNode(convertToFileNode, {
      typeVersion: 1.1,
      params: { operation: 'toBinary', sourceProperty: 'base64', options: {} },
      items: [RECORD],
    });
    const text = await runNode(extractFromFileNode, {
      params: { operation: 'text', options: {} },
      items: base64.items,
    });
    expect(text.json).toEqual([{ data: 'This is some text encoded as base64' }]);
  });
});

function withoutId(record: typeof RECORD) {
  const { id: _id, ...rest } = record;
  return rest;
}
