import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from './create-sandbox.js';

const inline = createSandbox({
  isolation: 'inline',
  limits: { timeoutMs: 400, memoryBytes: 64 * 1024 * 1024, outputBytes: 10_000 },
  prelude: [
    {
      filename: 'helpers.js',
      code: `
        globalThis.double = (n) => n * 2;
        __budflowSandbox.defineHandler('sum', (payload) => payload.values.reduce((a, b) => a + b, 0));
        __budflowSandbox.defineHandler('json', (payload) => JSON.stringify({ got: payload }));
      `,
    },
  ],
});
afterAll(() => inline.close());

describe('createSandbox', () => {
  it('runs a script body with arguments copied in and the value copied out', async () => {
    const input = { list: [1, 2, 3] };
    const r = await inline.run<number[]>('data.list.push(4); return data.list.map(double);', {
      params: ['data'],
      args: [input],
    });
    expect(r.value).toEqual([2, 4, 6, 8]);
    expect(input.list).toEqual([1, 2, 3]);
  });

  it('returns non-JSON values faithfully: undefined, NaN, Infinity, Date, nested undefined dropped', async () => {
    const r = await inline.run(
      'return [undefined, NaN, -Infinity, new Date(0), { a: undefined, b: 1 }]',
    );
    expect(r.value).toEqual([null, Number.NaN, Number.NEGATIVE_INFINITY, new Date(0), { b: 1 }]);
    expect((await inline.run('return undefined')).value).toBeUndefined();
  });

  it('calls handlers registered by a prelude, also with raw JSON results', async () => {
    expect((await inline.call('sum', { values: [1, 2, 3] })).value).toBe(6);
    expect((await inline.call('json', [1], { raw: true })).value).toBe('{"got":[1]}');
  });

  it('bounds the nesting of raw results when asked (strings do not count)', async () => {
    const nested = (levels: number): unknown => (levels === 0 ? 'x[[{\\"{' : [nested(levels - 1)]);
    // {"got": five arrays deep} is six levels.
    const six = await inline.call('json', nested(5), { raw: true, maxDepth: 6 });
    expect(JSON.parse(six.value as string)).toEqual({ got: nested(5) });
    await expect(inline.call('json', nested(5), { raw: true, maxDepth: 5 })).rejects.toMatchObject({
      code: 'SANDBOX_ERROR',
      message: expect.stringMatching(/nested too deeply/),
      details: { reason: 'depth', limit: 5 },
    });
    expect((await inline.call('sum', { values: [1, 2] })).value).toBe(3);
  });

  it('captures console output', async () => {
    const r = await inline.run('console.log("a", { b: 1 }); console.error("c"); return 1');
    expect(r.console).toEqual([
      { level: 'log', message: 'a {"b":1}' },
      { level: 'error', message: 'c' },
    ]);
  });

  it('reports user errors with their message and line', async () => {
    await expect(
      inline.run('const a = 1;\n\nthrow new TypeError("boom " + a);'),
    ).rejects.toMatchObject({
      code: 'SANDBOX_ERROR',
      message: 'TypeError: boom 1 [line 3]',
      details: { name: 'TypeError', line: 3 },
    });
  });

  it('stops runaway scripts at the deadline (SANDBOX_TIMEOUT)', async () => {
    await expect(inline.run('for (;;) {}')).rejects.toMatchObject({ code: 'SANDBOX_TIMEOUT' });
    expect((await inline.run('return 1')).value).toBe(1);
  });

  it('enforces the memory limit (SANDBOX_MEMORY)', async () => {
    await expect(inline.run('let s = "x"; for (;;) s += s;')).rejects.toMatchObject({
      code: 'SANDBOX_MEMORY',
    });
    expect((await inline.run('return 2')).value).toBe(2);
  });

  it('enforces the output limit (SANDBOX_OUTPUT_TOO_LARGE)', async () => {
    await expect(inline.run('return "x".repeat(20000)')).rejects.toMatchObject({
      code: 'SANDBOX_OUTPUT_TOO_LARGE',
    });
  });

  it('enforces the stack limit', async () => {
    await expect(inline.run('const f = () => f(); f();')).rejects.toMatchObject({
      code: 'SANDBOX_ERROR',
      details: { reason: 'stack' },
    });
  });

  it('built-ins are frozen, so one run cannot change what the next sees', async () => {
    await inline.run(
      'for (const f of [() => { Array.prototype.map = null }, () => { globalThis.leak = 1 }, () => { Object.prototype.polluted = 1 }]) try { f() } catch {}',
    );
    const r = await inline.run(
      'return [typeof [].map, typeof leak, ({}).polluted, Object.isFrozen(Object.prototype)]',
    );
    expect(r.value).toEqual(['function', 'undefined', null, true]);
  });

  it('has no code generation, no host globals, and ordinary code still works', async () => {
    await expect(inline.run('return Function("return 1")()')).rejects.toThrow(
      /Function is not allowed/,
    );
    await expect(inline.run('return process.env')).rejects.toThrow(/'process' is not available/);
    const r = await inline.run(
      'const e = new Error("x"); e.name = "Custom"; class A { toString() { return "a"; } } return [e.name, String(new A()), (1234.5).toLocaleString("en-US"), new URL("https://a.b/c?d=1").pathname]',
    );
    expect(r.value).toEqual(['Custom', 'a', '1,234.5', '/c']);
  });
});

describe('recycleAfterCalls', () => {
  it('rebuilds the context after the given number of calls', async () => {
    const recycled = createSandbox({
      isolation: 'inline',
      recycleAfterCalls: 2,
      prelude: [
        {
          filename: 'state.js',
          code: '(function () { let n = 0; __budflowSandbox.defineHandler("tick", () => ++n); })();',
        },
      ],
    });
    try {
      const ticks = [];
      for (let i = 0; i < 5; i++) ticks.push((await recycled.call('tick', null)).value);
      expect(ticks).toEqual([1, 2, 1, 2, 1]);
    } finally {
      await recycled.close();
    }
  });
});

describe('createSandbox in worker threads', () => {
  it('runs in a worker, survives a stuck script via the watchdog, and closes', async () => {
    const pooled = createSandbox({ limits: { timeoutMs: 300 }, watchdogGraceMs: 200, poolSize: 1 });
    try {
      expect((await pooled.run('return 40 + 2')).value).toBe(42);
      await expect(pooled.run('for (;;) {}')).rejects.toMatchObject({ code: 'SANDBOX_TIMEOUT' });
      expect((await pooled.run('return "again"')).value).toBe('again');
    } finally {
      await pooled.close();
    }
    await expect(pooled.run('return 1')).rejects.toThrow(/closed/);
  }, 30_000);

  it('fails every call clearly when a prelude is broken', async () => {
    const broken = createSandbox({ prelude: [{ filename: 'bad.js', code: 'this is not js' }] });
    try {
      await expect(broken.run('return 1')).rejects.toThrow(/sandbox prelude bad.js failed/);
    } finally {
      await broken.close();
    }
  }, 30_000);
});
