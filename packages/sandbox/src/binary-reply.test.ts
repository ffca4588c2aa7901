import { afterAll, describe, expect, it, vi } from 'vitest';
import { BINARY_PAYLOAD_MIN_BYTES, createSandbox } from './create-sandbox.js';
import { encodeBinaryValue } from './engine/binary-value.js';
import { QuickJsEngine } from './engine/quickjs-engine.js';
import type { Sandbox } from './sandbox-options.js';

// `bin` attaches the value of a source expression (binary when the sandbox can, else the JSON text
// from its fallback); `text` answers with JSON.stringify of the same expression, the reference.
const prelude = [
  {
    filename: 'binary.js',
    code: `(function () {
      var SB = __budflowSandbox;
      var evaluate = function (source) { return SB.compile([], 'return (' + source + ');')(); };
      SB.defineHandler('bin', function (p) {
        var v = evaluate(p.source);
        return SB.binaryReply('{"attached":true}', v, function () {
          return '{"value":' + JSON.stringify(v) + '}';
        }, p.refuse);
      });
      SB.defineHandler('text', function (p) { return '{"value":' + JSON.stringify(evaluate(p.source)) + '}'; });
      SB.defineHandler('echo', function (p) { return JSON.stringify(p); });
    })();`,
  },
];

const inline = createSandbox({
  isolation: 'inline',
  limits: { timeoutMs: 1_000, memoryBytes: 32 * 1024 * 1024, outputBytes: 200_000 },
  prelude,
});
afterAll(() => inline.close());

// The payload each inline call handed to QuickJS in binary form (undefined: it went as JSON text).
const executed = vi.spyOn(QuickJsEngine.prototype, 'execute');
const lastBinaryPayload = () => executed.mock.lastCall?.[3];

interface Answer {
  binary?: boolean;
  json?: string;
  error?: string;
}

async function answer(sandbox: Sandbox, handler: string, source: string): Promise<Answer> {
  try {
    const r = await sandbox.call<string>(handler, { source }, { raw: true, maxDepth: 20 });
    const parsed = JSON.parse(r.value) as { attached?: boolean; value?: unknown };
    const binary = parsed.attached === true;
    // JSON text of what the host got: compares values and the order of their keys.
    return { binary, json: JSON.stringify(binary ? r.attachment : parsed.value) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

async function compare(source: string, sandbox: Sandbox = inline) {
  const [bin, text] = await Promise.all([
    answer(sandbox, 'bin', source),
    answer(sandbox, 'text', source),
  ]);
  if (text.error !== undefined) expect(bin.error).toBe(text.error);
  else expect(bin.json).toBe(text.json);
  return bin;
}

const SAME = [
  '[{ a: 1, b: "two", c: [true, false, null], d: { e: -2147483648, f: 2147483647 } }]',
  '[0, -0, 1.5, -1e-7, 1e21, 2 ** 53, NaN, Infinity, -Infinity, 0.1 + 0.2]',
  '["", "plain", "quote \\" backslash \\\\ tab \\t nl \\n \\u0001 \\u001f", "é ü ß", "€ 中文", "😀", "\\ud800 lone", "x\\udc00"]',
  '{ b: 1, 2: "two", 1: "one", a: 2, "01": 3, "-1": 4, 4294967295: 5, 4294967294: 6 }',
  '{ a: undefined, b: [undefined, , 3], c: new Array(2), d: 1 }',
  '[new Date(0), new Date(Date.UTC(12345, 0, 1)), new Date(-1e15), new Date(NaN)]',
  'JSON.parse(\'{"__proto__": {"x": 1}, "y": [{"__proto__": null}]}\')',
  '[Object.assign(Object.create(null), { k: 1 }), Object.freeze({ f: 1 }), (() => { const o = { a: 1, b: 2, c: 3 }; delete o.b; return o; })()]',
  '(() => { const a = [1, 2]; a.extra = 3; return { a }; })()',
  '{ [Symbol("hidden")]: 1, shown: 2, long: "x".repeat(40) + "\\u0080\\u00ff" }',
  'Array.from({ length: 300 }, (_, i) => ({ id: i, name: "user-" + i, ok: i % 2 === 0 }))',
];

// JSON writes these differently from (or cannot write) the binary format: the fallback's text.
const FALLBACK = [
  '(() => { const s = { x: 1 }; return [s, s]; })()',
  '(() => { const s = {}; s.self = s; return s; })()',
  '{ big: 1n }',
  '{ m: new Map([[1, 2]]), s: new Set([1]) }',
  '{ get g() { return 1; }, v: 2 }',
  '{ f() {}, v: 1 }',
  '{ s: Symbol("x") }',
  '{ t: new Uint8Array([1, 2]) }',
  '{ b: new String("boxed"), n: new Number(1) }',
  '{ r: /re/g, e: new Error("x") }',
  '{ p: new Proxy({ a: 1 }, {}) }',
  '(() => { const a = [1, 2]; Object.defineProperty(a, 1, { get() { return 5; } }); return a; })()',
];

describe('binaryReply', () => {
  it('gives what JSON.parse(JSON.stringify(value)) gives, in binary form', async () => {
    for (const source of SAME) {
      const r = await compare(source);
      expect({ source, binary: r.binary }).toEqual({ source, binary: true });
    }
  });

  it('answers with the fallback text where JSON differs, or with its error', async () => {
    for (const source of FALLBACK) {
      const r = await compare(source);
      expect({ source, binary: r.binary }).toEqual({ source, binary: r.error ? undefined : false });
    }
    expect((await answer(inline, 'bin', '{ big: 1n }')).error).toMatch(/BigInt/);
  });

  it('copies own properties: no toJSON() is called, no prototype is read', async () => {
    const r = await answer(
      inline,
      'bin',
      '(() => { class A { constructor() { this.a = 1; } toJSON() { return "A"; } } return [new A()]; })()',
    );
    expect(r).toEqual({ binary: true, json: '[{"a":1}]' });
    const own = await answer(
      inline,
      'bin',
      '[Object.assign(new Date(0), { toJSON: () => "own" })]',
    );
    expect(own).toEqual({ binary: true, json: '["1970-01-01T00:00:00.000Z"]' });
    const hole = await answer(
      inline,
      'bin',
      '(() => { const a = [1, , 3]; Object.setPrototypeOf(a, [7, 8, 9]); return a; })()',
    );
    expect(hole).toEqual({ binary: true, json: '[1,null,3]' });
  });

  it('answers with the fallback text for a value with a property it was told to refuse', async () => {
    const source = '[{ a: 1 }, { b: { isMarked: true, é: 2 } }]';
    const refused = (refuse: string[]) =>
      inline.call<string>('bin', { source, refuse }, { raw: true }).then((r) => r.attachment);
    expect(await refused(['isMarked'])).toBeUndefined();
    expect(await refused(['é'])).toBeUndefined();
    expect(await refused(['isOther', 'c'])).toEqual([{ a: 1 }, { b: { isMarked: true, é: 2 } }]);
  });

  it('keeps the output and depth limits of the JSON text', async () => {
    // 200,000 characters of output: as binary it would fit, as JSON text it does not.
    const big = '"x".repeat(199000).split("").map(() => 1)';
    await expect(inline.call('bin', { source: big }, { raw: true })).rejects.toMatchObject({
      code: 'SANDBOX_OUTPUT_TOO_LARGE',
    });
    // 40 strings of 1,000 characters: 40,121 characters of JSON, counted exactly (a bound of six
    // characters per character would not fit).
    const strings = 'Array.from({ length: 40 }, (_, i) => String(i % 10).repeat(1000))';
    expect(await compare(strings)).toMatchObject({ binary: true });
    const keys = '{ ["k".repeat(1000)]: 1 }';
    await expect(
      inline.call('bin', { source: `Array.from({ length: 300 }, () => (${keys}))` }, { raw: true }),
    ).rejects.toMatchObject({ code: 'SANDBOX_OUTPUT_TOO_LARGE' });
    // maxDepth 20, plus one for the envelope, less {"attached": ...}: the value may nest 19 levels.
    const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
    expect(await answer(inline, 'bin', nested(19))).toEqual({ binary: true, json: nested(19) });
    expect(await answer(inline, 'text', nested(19))).toMatchObject({ json: nested(19) });
    const deep = await answer(inline, 'bin', nested(20));
    expect(deep.error).toMatch(/nested too deeply/);
    expect(await answer(inline, 'text', nested(20))).toEqual(deep);
  });

  it('never hands back a copy the memory limit cut short', async () => {
    // 40 references to one 1 MB string: 40 MB of output, more than the 32 MB memory limit.
    const r = await answer(
      inline,
      'bin',
      '(() => { const s = "y".repeat(1 << 20); return Array.from({ length: 40 }, () => s); })()',
    );
    expect(r.binary).not.toBe(true);
    expect(r.error).toMatch(/memory|too large/);
    expect(await answer(inline, 'bin', '[1]')).toEqual({ binary: true, json: '[1]' });
  });

  it('gives handlers the payload JSON.parse(JSON.stringify(payload)) would', async () => {
    const payloads: unknown[] = [
      {
        items: Array.from({ length: 50 }, (_, i) => ({
          json: { id: i, n: `user-${i}`, p: i / 4 },
        })),
      },
      // eslint-disable-next-line no-sparse-arrays -- an array hole is one of the cases
      { a: undefined, f: () => 1, l: [undefined, , 3], n: NaN, z: -0, big: 2 ** 40, s: '€ \ud800' },
      JSON.parse('{"__proto__": {"x": 1}, "2": "b", "1": "a"}'),
      // JSON text for these: a Date and an object with toJSON.
      { when: new Date(0), custom: { toJSON: () => 'custom' } },
      null,
      undefined,
    ];
    for (const [i, payload] of payloads.entries()) {
      const r = await inline.call<string>('echo', payload, { raw: true });
      expect(r.value).toBe(JSON.stringify(payload) ?? 'null');
      // Only the first (50 items) is large enough as it is.
      expect({ i, binary: lastBinaryPayload() !== undefined }).toEqual({ i, binary: i === 0 });
      // From BINARY_PAYLOAD_MIN_BYTES on, the payload crosses in binary form.
      const large = [payload, 'x'.repeat(BINARY_PAYLOAD_MIN_BYTES)];
      expect((await inline.call<string>('echo', large, { raw: true })).value).toBe(
        JSON.stringify(large),
      );
      expect({ i, binary: lastBinaryPayload() !== undefined }).toEqual({ i, binary: i !== 3 });
    }
    // As before: JSON.stringify's error, thrown by call() itself.
    expect(() => inline.call('echo', { big: 1n }, { raw: true })).toThrow(/BigInt/);
  });

  it('ends a call whose binary payload QuickJS cannot read within its memory limit', async () => {
    const small = createSandbox({
      isolation: 'inline',
      limits: { timeoutMs: 1_000, memoryBytes: 8 * 1024 * 1024, outputBytes: 200_000 },
      prelude,
    });
    try {
      // ~4 MB of bytes: within the limit as bytes, far past it as QuickJS objects.
      const pad = Array.from({ length: 600_000 }, (_, i) => ({ i }));
      await expect(small.call('text', { source: '1', pad }, { raw: true })).rejects.toMatchObject({
        code: 'SANDBOX_MEMORY',
        message: 'script exceeded the sandbox memory limit',
      });
      expect(lastBinaryPayload()).toBeDefined();
      // A fresh context answers the next call, also one with a binary payload.
      const next = Array.from({ length: 200 }, (_, i) => ({ i }));
      expect((await small.call<string>('echo', next, { raw: true })).value).toBe(
        JSON.stringify(next),
      );
    } finally {
      await small.close();
    }
  });

  it('moves the binary value out of a worker thread', async () => {
    const pooled = createSandbox({ prelude });
    try {
      for (const source of [...SAME.slice(0, 4), FALLBACK[0]!]) await compare(source, pooled);
      const r = await answer(pooled, 'bin', SAME[SAME.length - 1]!);
      expect(r.binary).toBe(true);
      const payload = { list: Array.from({ length: 200 }, (_, i) => ({ i, s: `s${i}` })) };
      // Large enough to cross (moved to the worker) in binary form.
      expect(encodeBinaryValue(payload, 1 << 20)!.length).toBeGreaterThanOrEqual(
        BINARY_PAYLOAD_MIN_BYTES,
      );
      expect((await pooled.call('echo', payload, { raw: true })).value).toBe(
        JSON.stringify(payload),
      );
    } finally {
      await pooled.close();
    }
  }, 30_000);
});
