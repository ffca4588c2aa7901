import { afterAll, describe, expect, it } from 'vitest';
import { createExpressionEvaluator } from './create-expression-evaluator.js';
import { createSingleItemScope } from './scope/single-item-scope.js';

// One evaluator for the whole suite: every attack must leave it working for the next test.
const evaluator = createExpressionEvaluator({
  isolation: 'inline',
  limits: { timeoutMs: 500, memoryBytes: 96 * 1024 * 1024, stackBytes: 256 * 1024 },
});
afterAll(() => evaluator.close());

const scope = () => createSingleItemScope({ json: { a: 1, list: [3, 1, 2] } });
const run = (expression: string) => evaluator.evaluate(expression, scope(), 0);

/** The next evaluations see pristine built-ins and globals. */
async function expectUnaffected(): Promise<void> {
  await expect(run('={{ ({}).polluted }}')).resolves.toBeUndefined();
  await expect(run('={{ typeof pwned }}')).resolves.toBe('undefined');
  await expect(run('={{ [1, 2].map(x => x * 2).includes(4) }}')).resolves.toBe(true);
  await expect(run('={{ $json.list.sort().join(",") + JSON.stringify({ b: 2 }) }}')).resolves.toBe(
    '1,2,3{"b":2}',
  );
  await expect(run('={{ "ab".toUpperCase() + (1).toFixed(1) }}')).resolves.toBe('AB1.0');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe('hostile expressions', () => {
  it('prototype walking cannot reach or change prototypes', async () => {
    await expect(run('={{ ({}).__proto__.__proto__ }}')).rejects.toThrow(
      /'__proto__' is not allowed/,
    );
    await expect(run('={{ Object.getPrototypeOf($json).polluted = 1 }}')).resolves.toBe(1);
    await expectUnaffected();
  });

  it('constructor.constructor is rejected, statically and dynamically', async () => {
    await expect(run('={{ $json.constructor.constructor("return process")() }}')).rejects.toThrow(
      /'constructor' is not allowed/,
    );
    const c = '"con" + "structor"';
    await expect(run(`={{ $json[${c}][${c}]("return globalThis")() }}`)).rejects.toThrow(
      /Function is not allowed in the sandbox/,
    );
    await expectUnaffected();
  });

  it('Function, eval and generator constructors are denied', async () => {
    await expect(run('={{ Function("return globalThis")() }}')).rejects.toThrow(
      /Function is not allowed/,
    );
    await expect(run('={{ eval("1 + 1") }}')).rejects.toThrow(/eval is not allowed/);
    await expect(
      run('={{ Object.getPrototypeOf(function* () {})["con" + "structor"]("yield 1")().next() }}'),
    ).rejects.toThrow(/not allowed/);
    await expectUnaffected();
  });

  it('import() is rejected before anything runs', async () => {
    await expect(run('={{ import("node:fs") }}')).rejects.toThrow(/import\(\) is not allowed/);
    await expect(run('={{ import.meta }}')).rejects.toThrow(/invalid syntax/);
    await expectUnaffected();
  });

  it('process, require and other host globals are not there', async () => {
    await expect(run('={{ process.env }}')).rejects.toThrow(/'process' is not available/);
    await expect(run('={{ require("fs") }}')).rejects.toThrow(/'require' is not available/);
    await expect(run('={{ globalThis.process }}')).rejects.toThrow(/'process' is not available/);
    await expectUnaffected();
  });

  it('globalThis and built-in mutation does not survive the evaluation', async () => {
    await expect(run('={{ Array.prototype.map = null }}')).rejects.toThrow(
      /'prototype' is not allowed/,
    );
    for (const attack of [
      'globalThis.pwned = 1',
      'Array["proto" + "type"].map = null',
      'JSON.stringify = () => "x"',
      'Math.max = 0',
      'delete globalThis.JSON',
      'Object.defineProperty(globalThis, "pwned", { value: 1 })',
    ])
      await run(`={{ ${attack} }}`);
    await expect(
      run('={{ (() => { "use strict"; globalThis.pwned = 1; return 1; })() }}'),
    ).resolves.toBeUndefined();
    await expectUnaffected();
  });

  it('Luxon, loaded on first use, is frozen like the built-ins', async () => {
    await run(
      '={{ (DateTime["proto" + "type"].toISO = () => "pwned", Duration.fromMillis = null, 1) }}',
    );
    await run('={{ (() => { "use strict"; DateTime.now = () => 0; })() }}');
    await expect(run('={{ DateTime.fromMillis(0, { zone: "utc" }).toISO() }}')).resolves.toBe(
      '1970-01-01T00:00:00.000Z',
    );
    await expect(run('={{ Duration.fromMillis(60000).as("minutes") }}')).resolves.toBe(1);
    await expectUnaffected();
  });

  it('getters with side effects neither install nor run in the host', async () => {
    await expect(
      run(
        '={{ Object.defineProperty(Object["proto" + "type"], "polluted", { get() { return 1 } }) }}',
      ),
    ).resolves.toBeUndefined();
    // A getter on the returned value runs inside the sandbox (while encoding), bounded by the deadline.
    await expect(run('={{ ({ get a() { while (true) {} } }) }}')).rejects.toMatchObject({
      code: 'SANDBOX_TIMEOUT',
    });
    await expectUnaffected();
  });

  it('huge allocations hit the memory limit', async () => {
    await expect(
      run('={{ (() => { let s = "x"; while (true) s = s + s; })() }}'),
    ).rejects.toMatchObject({ code: 'SANDBOX_MEMORY' });
    await expect(run('={{ new ArrayBuffer(2 ** 30).byteLength }}')).rejects.toMatchObject({
      code: 'SANDBOX_MEMORY',
    });
    await expectUnaffected();
  });

  it('infinite loops hit the deadline', async () => {
    await expect(run('={{ (() => { while (true) {} })() }}')).rejects.toMatchObject({
      code: 'SANDBOX_TIMEOUT',
      message: expect.stringMatching(/did not finish within 500 ms/),
    });
    await expect(
      run('={{ (() => { try { while (true) {} } catch (e) { return "caught" } })() }}'),
    ).rejects.toMatchObject({
      code: 'SANDBOX_TIMEOUT',
    });
    await expectUnaffected();
  });

  it('deep recursion hits the stack limit', async () => {
    await expect(run('={{ (function f() { return f() + 1; })() }}')).rejects.toThrow(/stack limit/);
    await expectUnaffected();
  });

  it('100k nested Proxies fail instead of exhausting the host', async () => {
    await expect(
      run(
        '={{ (() => { let p = {}; for (let i = 0; i < 100000; i++) p = new Proxy(p, {}); return p.x; })() }}',
      ),
    ).rejects.toThrow(/stack limit/);
    await expectUnaffected();
  });

  it('template-literal keys cannot name forbidden properties', async () => {
    await expect(run('={{ $json[`__proto__`].polluted = 1 }}')).rejects.toThrow(
      /'__proto__' is not allowed/,
    );
    await expect(run('={{ ({})[`__pro${"to"}__`].polluted = 1 }}')).resolves.toBe(1);
    await expectUnaffected();
  });

  it('destructuring cannot pull Function out of a prototype', async () => {
    await expect(
      run('={{ (({ constructor: { constructor: F } }) => F("return 1")())({}) }}'),
    ).rejects.toThrow(/'constructor' is not allowed/);
    await expect(
      run(
        '={{ (({ ["con" + "structor"]: { ["con" + "structor"]: F } }) => F("return 1")())({}) }}',
      ),
    ).rejects.toThrow(/Function is not allowed/);
    await expectUnaffected();
  });

  it('spread cannot copy into or out of the built-ins', async () => {
    await expect(
      run('={{ Object.assign(Object["proto" + "type"], { polluted: 1 }) }}'),
    ).resolves.toBeUndefined();
    await expect(
      run('={{ ({ ...Object["proto" + "type"], ...$json, polluted: 1 }).polluted }}'),
    ).resolves.toBe(1);
    await expectUnaffected();
  });

  it('switch and class bodies cannot mutate globals', async () => {
    await expect(
      run(
        '={{ (() => { switch (1) { case 1: Array["proto" + "type"].includes = () => true; } return [].includes(1); })() }}',
      ),
    ).resolves.toBe(false);
    await expect(
      run(
        '={{ (() => { class A { static { Object["proto" + "type"].polluted = 1; } } return ({}).polluted; })() }}',
      ),
    ).resolves.toBeUndefined();
    await expectUnaffected();
  });
});

describe('hostile expressions in worker isolation', () => {
  it('a runaway script does not block the caller, and the pool recovers', async () => {
    const pooled = createExpressionEvaluator({ limits: { timeoutMs: 300 } });
    try {
      await pooled.evaluate('={{ 1 }}', scope(), 0);
      let ticked = false;
      const loop = pooled.evaluate('={{ (() => { while (true) {} })() }}', scope(), 0);
      setImmediate(() => {
        ticked = true;
      });
      await expect(loop).rejects.toMatchObject({ code: 'SANDBOX_TIMEOUT' });
      expect(ticked).toBe(true);
      await expect(pooled.evaluate('={{ $json.a + 1 }}', scope(), 0)).resolves.toBe(2);
      await expect(
        pooled.evaluate('={{ $json.a.toString().padStart(3, "0") }}', scope(), 0),
      ).resolves.toBe('001');
    } finally {
      await pooled.close();
    }
  }, 30_000);
});

describe('hostile expressions in a batch', () => {
  it('a denied operation fails only the items that attempt it', async () => {
    const s = scope();
    s.items.push({ json: { a: 2, list: [] }, pairedItem: { item: 1 } });
    s.inputs = [s.items];
    const out = await evaluator.resolveParameters(
      '={{ $json.a === 2 ? process.env : $json.a }}',
      s,
      [0, 1],
    );
    expect(out[0]).toBe(1);
    expect(out[1]).toBeInstanceOf(Error);
    expect((out[1] as Error).message).toMatch(
      /'process' is not available in the sandbox \[node 'Node', item 1\]/,
    );
  });
});
