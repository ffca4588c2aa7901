import type { Item } from '@budflow/node-sdk';
import { runNode } from '@budflow/node-sdk/testing';
import { utils, write } from '@e965/xlsx';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { extractFromFileNode } from './extract-from-file-node.js';

const fileItem = (
  content: string | Buffer,
  extra: Partial<{ json: Record<string, unknown>; fileExtension: string; mimeType: string }> = {},
): Item => ({
  json: (extra.json ?? {}) as Item['json'],
  binary: {
    data: {
      data: (typeof content === 'string' ? Buffer.from(content) : content).toString('base64'),
      mimeType: extra.mimeType ?? 'text/plain',
      ...(extra.fileExtension ? { fileExtension: extra.fileExtension } : {}),
    },
  },
});

const extract = (params: Record<string, unknown>, items: Item[]) =>
  runNode(extractFromFileNode, { params: params as never, items });

describe('Extract from File node: CSV', () => {
  it('reads rows keyed by the header, dropping empty cells', async () => {
    const result = await extract({}, [fileItem('a,b,c\n1,,3\n4,5,6')]);
    expect(result.json).toEqual([
      { a: '1', c: '3' },
      { a: '4', b: '5', c: '6' },
    ]);
    expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
  });

  it('keeps the byte order mark in the first header unless asked to exclude it', async () => {
    const withBom = fileItem('\ufeffid,name\n1,x');
    expect((await extract({}, [withBom])).json).toEqual([{ '\ufeffid': '1', name: 'x' }]);
    expect((await extract({ options: { enableBOM: true } }, [withBom])).json).toEqual([
      { id: '1', name: 'x' },
    ]);
  });

  it('supports header-less rows, empty cells, row limits and a starting line', async () => {
    const csv = fileItem('skip me\na;b\n1;\n2;3\n4;5');
    const rows = await extract(
      { options: { delimiter: ';', fromLine: 2, maxRowCount: 2, includeEmptyCells: true } },
      [csv],
    );
    expect(rows.json).toEqual([
      { a: '1', b: '' },
      { a: '2', b: '3' },
    ]);
    const raw = await extract({ options: { headerRow: false, includeEmptyCells: true } }, [
      fileItem('x,y\n1,'),
    ]);
    expect(raw.json).toEqual([{ row: ['x', 'y'] }, { row: ['1', ''] }]);
    const dropped = await extract({ options: { headerRow: false } }, [fileItem('1,,3')]);
    expect(dropped.json).toEqual([{ row: { 0: '1', 2: '3' } }]);
  });

  it('rejects malformed CSV, or skips the bad records when asked', async () => {
    const bad = fileItem('a,b\n1,2\n3\n4,5');
    await expect(extract({}, [bad])).rejects.toMatchObject({ itemIndex: 0 });
    const skipped = await extract(
      { options: { skipRecordsWithErrors: { value: { enabled: true } } } },
      [bad],
    );
    expect(skipped.json).toEqual([
      { a: '1', b: '2' },
      { a: '4', b: '5' },
    ]);
    await expect(
      extract(
        {
          options: { skipRecordsWithErrors: { value: { enabled: true, maxSkippedRecords: 0.5 } } },
        },
        [bad],
      ),
    ).rejects.toThrow('Max number of skipped records exceeded');
    const quotes = await extract({ options: { relaxQuotes: true } }, [fileItem('a\nsay "hi"')]);
    expect(quotes.json).toEqual([{ a: 'say "hi"' }]);
  });

  it('drops a __proto__ header instead of polluting', async () => {
    const result = await extract({}, [fileItem('__proto__,ok\npolluted,1')]);
    expect(result.json).toEqual([{ ok: '1' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names a missing binary field', async () => {
    await expect(extract({}, [{ json: {} }])).rejects.toThrow(/No binary data exists on item 0/);
    await expect(extract({ binaryPropertyName: 'file' }, [fileItem('a')])).rejects.toThrow(
      /binary file 'file'/,
    );
  });

  it('reads a large file', async () => {
    const body = Array.from({ length: 50_000 }, (_, i) => `${i},name ${i}`).join('\n');
    const result = await extract({}, [fileItem(`id,name\n${body}`)]);
    expect(result.json).toHaveLength(50_000);
    expect(result.json[49_999]).toEqual({ id: '49999', name: 'name 49999' });
  });
});

describe('Extract from File node: spreadsheets', () => {
  const workbook = () => {
    const sheet = utils.json_to_sheet([
      { name: 'Ann', age: 3 },
      { name: 'Bo', age: 4, note: 'x' },
    ]);
    const other = utils.aoa_to_sheet([['k'], ['v']]);
    return write(
      { SheetNames: ['People', 'Other'], Sheets: { People: sheet, Other: other } },
      { bookType: 'xlsx', type: 'buffer' },
    ) as Buffer;
  };

  it('reads the first sheet, a named sheet, and header-less rows', async () => {
    const file = fileItem(workbook(), { fileExtension: 'xlsx' });
    expect((await extract({ operation: 'xlsx' }, [file])).json).toEqual([
      { name: 'Ann', age: 3 },
      { name: 'Bo', age: 4, note: 'x' },
    ]);
    expect(
      (await extract({ operation: 'xlsx', options: { sheetName: 'Other' } }, [file])).json,
    ).toEqual([{ k: 'v' }]);
    expect(
      (await extract({ operation: 'xlsx', options: { headerRow: false, range: 'A1:B2' } }, [file]))
        .json,
    ).toEqual([{ row: ['name', 'age'] }, { row: ['Ann', 3] }]);
    expect(
      (await extract({ operation: 'xlsx', options: { includeEmptyCells: true, range: 0 } }, [file]))
        .json[0],
    ).toEqual({ name: 'Ann', age: 3, note: '' });
  });

  it('names a missing sheet', async () => {
    const file = fileItem(workbook(), { fileExtension: 'xlsx' });
    await expect(
      extract({ operation: 'xlsx', options: { sheetName: 'Nope' } }, [file]),
    ).rejects.toThrow('Spreadsheet does not contain sheet called "Nope"!');
  });

  it('reads an RTF table with numbers kept as numbers', async () => {
    const rows = [
      { A: 1, B: 2, C: 3 },
      { A: 4, B: 5, C: 6 },
    ];
    const rtf = write(
      { SheetNames: ['S'], Sheets: { S: utils.json_to_sheet(rows) } },
      { bookType: 'rtf', type: 'buffer' },
    ) as Buffer;
    expect((await extract({ operation: 'rtf' }, [fileItem(rtf)])).json).toEqual(rows);
  });

  it('reads an HTML table', async () => {
    const html = '<table><tr><th>a</th></tr><tr><td>1</td></tr></table>';
    expect((await extract({ operation: 'html' }, [fileItem(html)])).json).toEqual([{ a: 1 }]);
  });
});

describe('Extract from File node: text, JSON, ICS, base64', () => {
  it('reads text, stripping a BOM and detecting Latin-1', async () => {
    expect((await extract({ operation: 'text' }, [fileItem('\ufeffhello')])).json).toEqual([
      { data: 'hello' },
    ]);
    const latin1 = fileItem(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect((await extract({ operation: 'text' }, [latin1])).json).toEqual([{ data: 'café' }]);
    const text = 'It’s a “quoted” word – naïve café, déjà vu. Übergrößenträger schön.';
    const cp1252 = fileItem(iconv.encode(text, 'windows-1252'));
    expect((await extract({ operation: 'text' }, [cp1252])).json).toEqual([{ data: text }]);
    const explicit = await extract({ operation: 'text', options: { encoding: 'utf16le' } }, [
      fileItem(iconv.encode('hé', 'utf16le')),
    ]);
    expect(explicit.json).toEqual([{ data: 'hé' }]);
    const kept = await extract({ operation: 'text', options: { stripBOM: false } }, [
      fileItem('\ufeffhi'),
    ]);
    expect(kept.json).toEqual([{ data: '\ufeffhi' }]);
  });

  it('parses JSON into a nested destination and keeps source data on request', async () => {
    const item = fileItem('{"a":[1,2]}', { json: { keep: 1 } });
    item.binary!.other = { data: '', mimeType: 'text/plain' };
    const result = await extract(
      { operation: 'fromJson', destinationKey: 'out.value', options: { keepSource: 'json' } },
      [item],
    );
    expect(result.items[0]).toMatchObject({
      json: { keep: 1, out: { value: { a: [1, 2] } } },
      binary: { other: { mimeType: 'text/plain' } },
    });
    expect(result.items[0]!.binary!.data).toBeUndefined();
    const both = await extract({ operation: 'fromJson', options: { keepSource: 'both' } }, [item]);
    expect(both.items[0]!.binary!.data).toBeDefined();
  });

  it('reads an empty JSON file as {} and rejects invalid JSON', async () => {
    expect((await extract({ operation: 'fromJson' }, [fileItem('')])).json).toEqual([{ data: {} }]);
    await expect(extract({ operation: 'fromJson' }, [fileItem('{oops')])).rejects.toThrow(
      "The file selected in 'Input Binary Field' is not in JSON format",
    );
  });

  it('drops __proto__ keys from parsed JSON', async () => {
    const result = await extract({ operation: 'fromJson' }, [
      fileItem('{"__proto__":{"polluted":1},"a":{"__proto__":{"x":1}}}'),
    ]);
    expect(result.json).toEqual([{ data: { a: {} } }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('skips items without the binary field, as n8n does', async () => {
    expect((await extract({ operation: 'text' }, [{ json: { a: 1 } }])).json).toEqual([]);
  });

  it('moves a file to a base64 property', async () => {
    const result = await extract({ operation: 'binaryToPropery', destinationKey: 'b64' }, [
      fileItem(Buffer.from([0, 1, 2, 255])),
    ]);
    expect(result.json).toEqual([{ b64: 'AAEC/w==' }]);
  });

  it('parses an ICS calendar', async () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//EN',
      'BEGIN:VEVENT',
      'UID:1',
      'DTSTAMP:20240101T000000Z',
      'DTSTART:20240501T103000Z',
      'DTEND:20240501T110000Z',
      'SUMMARY:Launch',
      'RRULE:FREQ=DAILY;UNTIL=20240510',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const result = await extract({ operation: 'fromIcs' }, [fileItem(ics)]);
    const calendar = result.json[0]!.data as { events: Array<Record<string, any>> };
    expect(calendar.events[0]).toMatchObject({
      uid: '1',
      summary: 'Launch',
      start: { date: '2024-05-01T10:30:00.000Z' },
      recurrenceRule: { frequency: 'DAILY', until: { date: '2024-05-10T00:00:00.000Z' } },
    });
  });
});
