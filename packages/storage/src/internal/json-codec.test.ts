import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from './json-codec.js';

describe('encodeJson', () => {
  it('stores small values as JSON and large ones gzip-compressed', () => {
    const small = encodeJson({ a: 1 }, 100);
    expect(small.encoding).toBe('json');
    expect(small.bytes.toString('utf8')).toBe('{"a":1}');

    const value = { rows: Array.from({ length: 500 }, (_, i) => ({ i, text: 'repeated text' })) };
    const large = encodeJson(value, 100);
    expect(large.encoding).toBe('gzip');
    expect(large.bytes.length).toBeLessThan(JSON.stringify(value).length / 5);
    expect(decodeJson(large.bytes, large.encoding, 'x')).toEqual(value);
  });

  it('reports unreadable data as STORAGE_DATA_CORRUPT naming what it was', () => {
    expect(() => decodeJson(Buffer.from('not gzip'), 'gzip', "event 3 of execution 'e1'")).toThrow(
      expect.objectContaining({
        code: 'STORAGE_DATA_CORRUPT',
        message: "event 3 of execution 'e1' cannot be read",
      }),
    );
  });
});
