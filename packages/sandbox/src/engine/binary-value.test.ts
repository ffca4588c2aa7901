import { setFlagsFromString } from 'node:v8';
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSContext } from 'quickjs-emscripten';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binaryValueFits,
  decodeBinaryValue,
  encodeBinaryValue,
  measureBinaryValue,
} from './binary-value.js';

// V8's own answer to whether an object keeps fast properties or became a dictionary.
setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line no-new-func, @typescript-eslint/no-implied-eval -- V8's natives syntax needs source text
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (
  o: object,
) => boolean;

let context: QuickJSContext;
beforeAll(async () => {
  context = (await newQuickJSWASMModule(RELEASE_SYNC)).newContext();
});
afterAll(() => context.dispose());

/** QuickJS's binary form of a source expression's value, and its JSON text (if it has one). */
function encode(source: string): { bytes: Uint8Array | undefined; json: string | undefined } {
  const value = context.unwrapResult(context.evalCode(`(${source})`));
  let bytes: Uint8Array | undefined;
  const encoded = context.encodeBinaryJSON(value);
  if (context.typeof(encoded) === 'object') {
    const buffer = context.getArrayBuffer(encoded);
    bytes = buffer.value.slice();
    buffer.dispose();
  }
  encoded.dispose();
  context.setProp(context.global, 'v', value);
  value.dispose();
  const text = context.unwrapResult(
    context.evalCode('(() => { try { return JSON.stringify(v); } catch { return undefined; } })()'),
  );
  const json = context.typeof(text) === 'string' ? context.getString(text) : undefined;
  text.dispose();
  return { bytes, json };
}

const SAME = [
  '[{ a: 1, b: "two", c: [true, false, null], d: { e: -2147483648, f: 2147483647 } }]',
  '[0, -0, 7, -7, 10, 99, 100, -1000, 1.5, -1e-7, 1e21, 2 ** 53, 2 ** 53 + 2, 123456789012345680000, NaN, Infinity, 0.1 + 0.2]',
  '["", "plain", "quote \\" backslash \\\\ tab \\t nl \\n \\b \\f \\r \\u0001 \\u001f", "é ü ß ÿ", "€ 中文", "😀", "\\ud800 lone", "x\\udc00", "\\udbff\\udfff"]',
  '{ b: 1, 2: "two", 1: "one", a: 2, "01": 3, "-1": 4, 4294967295: 5, 4294967294: 6, 2147483648: 7 }',
  '{ a: undefined, b: [undefined, , 3], c: new Array(2), d: 1, e: {}, f: [] }',
  '[new Date(0), new Date(Date.UTC(12345, 0, 1)), new Date(-1e15), new Date(-62198755200000), new Date(NaN)]',
  'JSON.parse(\'{"__proto__": {"x": 1}, "y": [{"__proto__": null}]}\')',
  '{ ["k".repeat(300)]: "v".repeat(300), ["ключ"]: "значение" }',
  'Array.from({ length: 500 }, (_, i) => ({ id: i, name: "user-" + i, price: i / 4, ok: i % 3 === 0 }))',
  // Wide objects (built another way by the decoder): own "__proto__", integer keys, undefined.
  'Object.assign(JSON.parse(\'{"__proto__": {"x": 1}}\'), Object.fromEntries(Array.from({ length: 30 }, (_, i) => [i % 7 === 0 ? String(i) : "f" + i, i % 5 === 0 ? undefined : { i }])))',
  '"top"',
  '42',
];

describe('QuickJS binary values', () => {
  it('measures the JSON length exactly and decodes what JSON.parse gives', () => {
    for (const source of SAME) {
      const { bytes, json } = encode(source);
      expect(bytes).toBeDefined();
      expect({ source, length: measureBinaryValue(bytes!, 10) }).toEqual({
        source,
        length: json!.length,
      });
      expect(JSON.stringify(decodeBinaryValue(bytes!))).toBe(JSON.stringify(JSON.parse(json!)));
      expect(binaryValueFits(bytes!, 10, json!.length)).toBe(true);
      expect(binaryValueFits(bytes!, 10, json!.length - 1)).toBe(false);
    }
  });

  it('makes ordinary objects, whatever their number of properties', () => {
    for (const n of [0, 1, 4, 5, 10, 11, 20, 21, 26, 40, 100, 200]) {
      const source = `Object.fromEntries(Array.from({ length: ${n} }, (_, i) => ["k" + i, i]))`;
      const decoded = decodeBinaryValue(encode(source).bytes!) as Record<string, unknown>;
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(decoded.constructor).toBe(Object);
      expect(Object.keys(decoded)).toHaveLength(n);
      expect(decoded).toEqual(
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])),
      );
      // Fast properties wherever JSON.parse gives them (assigned one by one, 26 and more did not).
      const parsed = JSON.parse(JSON.stringify(decoded)) as object;
      const asFast = hasFastProperties(decoded) || !hasFastProperties(parsed);
      expect({ n, asFast }).toEqual({ n, asFast: true });
    }
  });

  it('refuses shared objects, cycles and what JSON writes differently', () => {
    for (const source of [
      '(() => { const s = { x: 1 }; return [s, s]; })()',
      '(() => { const s = {}; s.self = s; return s; })()',
      '{ big: 1n }',
      '{ t: new Uint8Array([1, 2]) }',
      '{ b: new String("boxed") }',
    ]) {
      const { bytes } = encode(source);
      expect({ source, fits: binaryValueFits(bytes!, 10, 1e9) }).toEqual({ source, fits: false });
    }
  });

  it('refuses deeper nesting than asked, and bytes cut short or followed by others', () => {
    const { bytes } = encode('[[[1]]]');
    expect(measureBinaryValue(bytes!, 3)).toBe(7);
    expect(measureBinaryValue(bytes!, 2)).toBeUndefined();
    for (let n = 0; n < bytes!.length; n++)
      expect(measureBinaryValue(bytes!.subarray(0, n), 3)).toBeUndefined();
    expect(measureBinaryValue(Uint8Array.from([...bytes!, 1]), 3)).toBeUndefined();
    expect(measureBinaryValue(Uint8Array.from([4, ...bytes!.subarray(1)]), 3)).toBeUndefined();
  });

  it('writes JSON data that QuickJS reads as JSON.parse would', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const shared = { s: 1 };
    const values: unknown[] = [
      { a: 1, b: 'two', c: [true, false, null], d: { e: -2147483648, f: 2147483647 } },
      [0, -0, 7, -7, 1.5, -1e-7, 1e21, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, NaN, Infinity],
      ['', 'plain', 'quote " backslash \\ nl \n \u0001', 'é ß ÿ', '€ 中文', '😀', '\ud800 lone'],
      { b: 1, 2: 'two', 1: 'one', '01': 3, '-1': 4, 4294967295: 5 },
      // eslint-disable-next-line no-sparse-arrays -- an array hole is one of the cases
      { a: undefined, f: () => 1, s: Symbol('s'), b: [undefined, , () => 1, 3], c: new Array(2) },
      JSON.parse('{"__proto__": {"x": 1}, "y": [{"__proto__": null}]}') as unknown,
      Object.assign(Object.create(null) as object, { k: 1 }),
      { ['ключ']: 'значение', ['k'.repeat(300)]: 'v'.repeat(300) },
      [shared, shared],
      Array.from({ length: 500 }, (_, i) => ({ id: i, name: `user-${i}`, price: i / 4 })),
      'top',
      42,
      null,
    ];
    for (const value of values) {
      const bytes = encodeBinaryValue(value, 1 << 20);
      expect(bytes).toBeDefined();
      const buffer = context.newArrayBuffer(bytes!.slice().buffer);
      const read = context.decodeBinaryJSON(buffer);
      buffer.dispose();
      context.setProp(context.global, 'v', read);
      read.dispose();
      const text = context.unwrapResult(
        context.evalCode(
          'JSON.stringify([v, v !== null && typeof v === "object" && !Array.isArray(v) ? Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null : true])',
        ),
      );
      const [json, plain] = JSON.parse(context.getString(text)) as [unknown, boolean];
      text.dispose();
      expect(JSON.stringify(json)).toBe(JSON.stringify(value));
      expect(plain).toBe(true);
    }
    // "__proto__" stays an own property, as JSON.parse makes it.
    const own = encodeBinaryValue(JSON.parse('{"__proto__": {"x": 1}}'), 1 << 20)!;
    const buffer = context.newArrayBuffer(own.slice().buffer);
    const read = context.decodeBinaryJSON(buffer);
    buffer.dispose();
    context.setProp(context.global, 'p', read);
    read.dispose();
    const check = context.unwrapResult(
      context.evalCode('Object.prototype.hasOwnProperty.call(p, "__proto__") && p.x === undefined'),
    );
    expect(context.dump(check)).toBe(true);
    check.dispose();
  });

  it('leaves to JSON text what JSON.stringify treats its own way, and what is too large', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    class Point {
      x = 1;
    }
    for (const value of [
      undefined,
      { d: new Date(0) },
      { p: new Point() },
      { j: { toJSON: () => 'x' } },
      { b: 1n },
      cyclic,
      { m: new Map() },
      [new (class extends Array {})()],
    ]) {
      expect(encodeBinaryValue(value, 1 << 20)).toBeUndefined();
    }
    expect(encodeBinaryValue('x'.repeat(2000), 1000)).toBeUndefined();
    expect(encodeBinaryValue('x'.repeat(2000), 1 << 20)).toBeDefined();
  });
});
