import { afterAll, describe, expect, it } from 'vitest';
import { runTestNode } from '../internal/test-harness.js';
import type { Sandbox, SandboxCallOptions } from '@budflow/sandbox';
import { createCodeNodes, referencedNodes } from './code-nodes.js';
import { createCodeSandbox } from './code-sandbox.js';

const nodes = createCodeNodes({ isolation: 'inline', limits: { timeoutMs: 5_000 } });
const { codeNode, functionNode, functionItemNode } = nodes;
afterAll(() => nodes.close());

const code = (jsCode: string, mode = 'runOnceForAllItems') => ({ jsCode, mode });

describe('Code (JavaScript)', () => {
  it('runs once for all items with $input and returns items', async () => {
    const result = await runTestNode(codeNode, {
      typeVersion: 2,
      items: [{ n: 1 }, { n: 2 }],
      params: code('return $input.all().map(i => ({ json: { n: i.json.n * 10 } }));'),
    });
    expect(result.json).toEqual([{ n: 10 }, { n: 20 }]);
  });

  it('wraps plain objects into items and accepts a single object', async () => {
    const many = await runTestNode(codeNode, { params: code('return [{ a: 1 }, { a: 2 }];') });
    // One input item: every output item pairs with it (the engine's rule, applied by the node).
    expect(many.items).toEqual([
      { json: { a: 1 }, pairedItem: { item: 0 } },
      { json: { a: 2 }, pairedItem: { item: 0 } },
    ]);
    const one = await runTestNode(codeNode, { params: code('return { a: 1 };') });
    expect(one.json).toEqual([{ a: 1 }]);
  });

  it('runs once for each item with $json, $input.item and $itemIndex', async () => {
    const result = await runTestNode(codeNode, {
      typeVersion: 2,
      items: [{ n: 1 }, { n: 2 }, { n: 3 }],
      params: code(
        'if ($json.n === 2) return;\nreturn { json: { n: $input.item.json.n, i: $itemIndex } };',
        'runOnceForEachItem',
      ),
    });
    expect(result.json).toEqual([
      { n: 1, i: 0 },
      { n: 3, i: 2 },
    ]);
    expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
  });

  it('awaits per item in each-item mode', async () => {
    const result = await runTestNode(codeNode, {
      items: [{ n: 1 }, { n: 2 }],
      params: code(
        'const v = await new Promise((r) => setTimeout(() => r($json.n * 3), 10));\nreturn { json: { v } };',
        'runOnceForEachItem',
      ),
    });
    expect(result.json).toEqual([{ v: 3 }, { v: 6 }]);
  });

  it('uses the default code of each mode', async () => {
    const all = await runTestNode(codeNode, {
      items: [{ a: 1 }],
      params: { mode: 'runOnceForAllItems' },
    });
    expect(all.json).toEqual([{ a: 1, myNewField: 1 }]);
    const each = await runTestNode(codeNode, {
      items: [{ a: 1 }],
      params: { mode: 'runOnceForEachItem' },
    });
    expect(each.json).toEqual([{ a: 1, myNewField: 1 }]);
  });

  it('never changes the input items (ImmutableOutput)', async () => {
    const input = { json: { myNewField: 0 } };
    const result = await runTestNode(codeNode, {
      items: [input],
      params: code(
        'for (const item of $input.all()) {\n  item.json.myNewField = 2;\n}\n\nreturn new Promise((resolve) => setTimeout(() => {\n  resolve($input.all())\n}, 100));',
      ),
    });
    expect(result.json).toEqual([{ myNewField: 2 }]);
    expect(input.json.myNewField).toBe(0);
  });

  it('supports async code, Luxon, $execution, $workflow and static data', async () => {
    const result = await runTestNode(codeNode, {
      params: code(`
        await new Promise((r) => setTimeout(r, 50));
        const data = $getWorkflowStaticData('global');
        data.count = (data.count || 0) + 1;
        $execution.customData.set('seen', 'yes');
        const d = DateTime.fromISO('2026-01-02T03:04:05Z').toUTC();
        return [{ json: { year: d.year, count: data.count, exec: $execution.id, wf: $workflow.name, mode: $execution.mode } }];
      `),
    });
    expect(result.json).toEqual([
      { year: 2026, count: 1, exec: 'exec-test', wf: 'test', mode: 'test' },
    ]);
    expect(result.staticData.global).toEqual({ count: 1 });
    expect(result.customData).toEqual({ seen: 'yes' });
  });

  it('captures console.log into the execution log', async () => {
    const result = await runTestNode(codeNode, {
      params: code('console.log("hello", { a: 1 });\nreturn [];'),
    });
    expect(result.logs).toContainEqual({
      level: 'info',
      message: 'hello {"a":1}',
      meta: { nodeName: 'Code', source: 'console' },
    });
  });

  it('reports the user’s line and message, never a host stack', async () => {
    const error = await runTestNode(codeNode, {
      params: code('const a = 1;\n\nthrow new Error("This is an error");'),
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe('This is an error [line 3]');
    expect(error?.message).not.toMatch(/\.ts|node_modules|at /);
    const each = await runTestNode(codeNode, {
      items: [{ a: 1 }, { a: 2 }, { a: 3 }],
      params: code(
        '\n\n\n\nif ($itemIndex === 2) throw new Error("This is an error");\nreturn $json;',
        'runOnceForEachItem',
      ),
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(each?.message).toBe('This is an error [line 5, for item 2]');
    const ref = await runTestNode(codeNode, { params: code('return nope.x;') }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(ref?.message).toMatch(/^ReferenceError: .*nope.* \[line 1\]$/);
  });

  it('continues on fail with error items per failing item', async () => {
    const result = await runTestNode(codeNode, {
      continueOnFail: true,
      items: [{ a: 1 }, { a: 2 }],
      params: code(
        'if ($json.a === 2) throw new Error("bad");\nreturn $json;',
        'runOnceForEachItem',
      ),
    });
    expect(result.json).toEqual([{ a: 1 }, { error: 'bad [line 1, for item 1]' }]);
  });

  it('normalises results with n8n’s messages', async () => {
    const fails = async (jsCode: string, mode?: string) =>
      runTestNode(codeNode, { params: code(jsCode, mode) }).then(
        () => '',
        (e: unknown) => (e as Error).message,
      );
    expect(await fails('return 5;')).toBe("Code doesn't return items properly");
    expect(await fails('return [{ json: {}, foo: 1 }];')).toBe(
      'Unknown top-level item key: foo [item 0]',
    );
    expect(await fails('return [{ json: 5 }];')).toBe("A 'json' property isn't an object [item 0]");
    expect(await fails('return [1, 2];', 'runOnceForEachItem')).toBe(
      "Code doesn't return a single object [item 0]",
    );
    expect(await fails('return "x";', 'runOnceForEachItem')).toBe(
      "Code doesn't return an object [item 0]",
    );
    expect(await fails('return $input.item;')).toMatch(/^Can't use \.item here/);
  });

  it('refuses values JSON cannot hold, per item when continuing on fail', async () => {
    const fails = (jsCode: string) =>
      runTestNode(codeNode, { params: code(jsCode) }).then(
        () => '',
        (e: unknown) => (e as Error).message,
      );
    expect(await fails('return [{ json: { n: 1n } }];')).toMatch(
      /^The returned data cannot be converted to JSON: .+/,
    );
    expect(await fails('return () => 1;')).toMatch(
      /^The returned data cannot be converted to JSON: .+/,
    );
    const each = await runTestNode(codeNode, {
      continueOnFail: true,
      items: [{ a: 1 }, { a: 2 }],
      params: code(
        'return $json.a === 2 ? { json: { big: 2n } } : { json: { a: $json.a } };',
        'runOnceForEachItem',
      ),
    });
    expect(each.json).toEqual([
      { a: 1 },
      {
        error: expect.stringMatching(
          /^The returned data cannot be converted to JSON: .+ \[item 1\]$/,
        ),
      },
    ]);
  });

  it('refuses values nested deeper than the sandbox returns', async () => {
    const error = await runTestNode(codeNode, {
      params: code('let o = {};\nfor (let i = 0; i < 300; i++) o = { o };\nreturn [{ json: o }];'),
    }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.message).toMatch(/nested too deeply/);
    const ok = await runTestNode(codeNode, {
      params: code('let o = {};\nfor (let i = 0; i < 150; i++) o = { o };\nreturn [{ json: o }];'),
    });
    expect(JSON.stringify(ok.json).length).toBeGreaterThan(150 * 5);
  });

  it('keeps a Date in static data and gives $now / $today to code that names them', async () => {
    const result = await runTestNode(codeNode, {
      params: code(
        "$getWorkflowStaticData('global').when = new Date(0);\nreturn [{ json: { y: $now.year > 2000, h: $today.hour } }];",
      ),
    });
    expect(result.json).toEqual([{ y: true, h: 0 }]);
    expect(result.staticData.global).toEqual({ when: new Date(0) });
    // An identifier written with an escape still names the parameter.
    const escaped = await runTestNode(codeNode, {
      params: code('return [{ json: { valid: \\u0024now.isValid } }];'),
    });
    expect(escaped.json).toEqual([{ valid: true }]);
  });

  it('runs the same code again without state left on the compiled function', async () => {
    const jsCode =
      'const f = arguments.callee;\nconst seen = f.seen === true;\ntry { f.seen = true; } catch (e) {}\nreturn [{ json: { seen } }];';
    expect((await runTestNode(codeNode, { params: code(jsCode) })).json).toEqual([{ seen: false }]);
    expect((await runTestNode(codeNode, { params: code(jsCode) })).json).toEqual([{ seen: false }]);
  });

  it('refuses Python with a clear message', async () => {
    await expect(
      runTestNode(codeNode, { params: { language: 'python', pythonCode: 'return []' } }),
    ).rejects.toThrow(/Python is not supported/);
  });

  it('resolves $("Node") through the engine’s expression port', async () => {
    const asked: string[] = [];
    const result = await runTestNode(codeNode, {
      items: [{ i: 0 }, { i: 1 }],
      params: code(
        "return [{ json: { first: $('Source').first().json.v, count: $('Source').all().length, matched: $('Source').itemMatching(1).json.v, exec: $('Source').isExecuted } }];",
      ),
      evaluate: (template, itemIndex) => {
        asked.push(template);
        if (template.includes('isExecuted')) return { isExecuted: true, params: {} };
        if (template.includes('.all()')) return [{ json: { v: 'a' } }, { json: { v: 'b' } }];
        if (template.includes('itemMatching')) return { json: { v: itemIndex === 1 ? 'b' : 'a' } };
        throw new Error('unexpected');
      },
    });
    expect(result.json).toEqual([{ first: 'a', count: 2, matched: 'b', exec: true }]);
    expect(referencedNodes("$('A').item; $node[\"B\"].json; $node.C; $items('D')").sort()).toEqual([
      'A',
      'B',
      'C',
      'D',
    ]);
  });
});

describe('Code results copied in binary form', () => {
  // Counts the calls whose value came back in QuickJS's binary format instead of JSON text.
  const inner = createCodeSandbox({ isolation: 'inline' });
  let attached = 0;
  const counting: Sandbox = {
    ...inner,
    call: async <T>(handler: string, payload: unknown, options?: SandboxCallOptions) => {
      const r = await inner.call<T>(handler, payload, options);
      if (r.attachment !== undefined) attached++;
      return r;
    },
  };
  const counted = createCodeNodes({ sandbox: counting });
  afterAll(() => inner.close());
  const run = async (jsCode: string) => {
    const before = attached;
    const result = await runTestNode(counted.codeNode, { params: code(jsCode) });
    return { items: JSON.stringify(result.items), binary: attached > before };
  };

  it('gives the items the JSON text gives (a comment naming toJSON asks for text)', async () => {
    const bodies = [
      'return [{ json: { b: 1, 2: "two", 1: "one", n: NaN, i: -Infinity, z: -0, u: undefined, d: new Date(0), l: [1, , undefined], s: "€ 😀" + String.fromCharCode(1, 0xd800) } }];',
      'return Array.from({ length: 50 }, (_, i) => ({ id: i, tag: i % 2 ? "odd" : "even", price: i / 4 }));',
      'return { json: { nested: { deeper: [{ deepest: true }] } }, pairedItem: { item: 0 } };',
      'return JSON.parse(\'[{"__proto__": {"p": 1}}]\');',
    ];
    for (const body of bodies) {
      const binary = await run(body);
      const text = await run(`// toJSON\n${body}`);
      expect(binary.binary).toBe(true);
      expect(text.binary).toBe(false);
      expect(binary.items).toBe(text.items);
    }
  });

  it('answers with JSON text for Luxon values, and in binary for code that only uses them', async () => {
    const luxon = await run(
      'return [{ json: { d: DateTime.fromMillis(0, { zone: "UTC" }), p: Duration.fromMillis(1000), n: $now.year > 2000 } }];',
    );
    expect(luxon.binary).toBe(false);
    expect(JSON.parse(luxon.items)).toEqual([
      { json: { d: '1970-01-01T00:00:00.000Z', p: 'PT1S', n: true }, pairedItem: { item: 0 } },
    ]);
    const inner = await run('return [{ json: { wrapped: { i: Interval.after($today, 1000) } } }];');
    expect(inner.binary).toBe(false);
    // This Luxon's Interval has no toJSON: its two DateTimes have.
    expect(JSON.parse(inner.items)[0].json.wrapped.i).toMatchObject({
      s: expect.stringMatching(/^\d{4}-\d\d-\d\dT00:00:00.000/),
      e: expect.stringMatching(/^\d{4}-\d\d-\d\dT00:00:01.000/),
    });
    const strings = await run(
      'return [{ json: { d: DateTime.fromMillis(0, { zone: "UTC" }).toISO(), y: $now.year > 2000 } }];',
    );
    expect(strings).toEqual({
      binary: true,
      items: JSON.stringify([
        { json: { d: '1970-01-01T00:00:00.000Z', y: true }, pairedItem: { item: 0 } },
      ]),
    });
  });

  it('answers with JSON text for shared objects and toJSON methods', async () => {
    const shared = await run('const s = { x: 1 };\nreturn [{ json: { s } }, { json: { s } }];');
    expect(shared).toEqual({
      binary: false,
      items: JSON.stringify([
        { json: { s: { x: 1 } }, pairedItem: { item: 0 } },
        { json: { s: { x: 1 } }, pairedItem: { item: 0 } },
      ]),
    });
    const methods = await run(
      'class A { toJSON() { return "A"; } }\nreturn [{ json: { a: new A(), d: DateTime.fromMillis(0, { zone: "UTC" }), p: Duration.fromMillis(1000) } }];',
    );
    expect(methods.binary).toBe(false);
    expect(JSON.parse(methods.items)).toEqual([
      { json: { a: 'A', d: '1970-01-01T00:00:00.000Z', p: 'PT1S' }, pairedItem: { item: 0 } },
    ]);
  });

  it('keeps static data a toJSON() changes while the result is written', async () => {
    const result = await runTestNode(counted.codeNode, {
      params: code(
        "const s = $getWorkflowStaticData('global');\nreturn [{ json: { x: { toJSON() { s.n = 1; return 2; } } } }];",
      ),
    });
    expect(result.json).toEqual([{ x: 2 }]);
    expect(result.staticData.global).toEqual({ n: 1 });
  });
});

describe('Function and Function Item (legacy)', () => {
  it('Function runs once with `items` (n8n’s default code style)', async () => {
    const result = await runTestNode(functionNode, {
      items: [{ a: 1 }, { a: 2 }],
      params: {
        functionCode: 'for (item of items) {\n  item.json.myNewField = 1;\n}\nreturn items;',
      },
    });
    expect(result.json).toEqual([
      { a: 1, myNewField: 1 },
      { a: 2, myNewField: 1 },
    ]);
    await expect(
      runTestNode(functionNode, { params: { functionCode: 'return;' } }),
    ).rejects.toThrow('No data got returned. Always return an Array of items!');
    await expect(
      runTestNode(functionNode, { params: { functionCode: 'return 1;' } }),
    ).rejects.toThrow('Always an Array of items has to be returned!');
    await expect(
      runTestNode(functionNode, { params: { functionCode: 'return [{ json: {} }, { a: 1 }];' } }),
    ).rejects.toThrow('Inconsistent item format');
  });

  it('Function wraps plain objects and a single object, as n8n normalises items', async () => {
    const list = await runTestNode(functionNode, {
      params: { functionCode: 'return [{ a: 1 }, { a: 2 }];' },
    });
    expect(list.json).toEqual([{ a: 1 }, { a: 2 }]);
    const one = await runTestNode(functionNode, {
      params: { functionCode: 'return { success: true };' },
    });
    expect(one.json).toEqual([{ success: true }]);
  });

  it('Function wraps plain objects and a single object, as n8n normalises items', async () => {
    const list = await runTestNode(functionNode, {
      params: { functionCode: 'return [{ a: 1 }, { a: 2 }];' },
    });
    expect(list.json).toEqual([{ a: 1 }, { a: 2 }]);
    const one = await runTestNode(functionNode, {
      params: { functionCode: 'return { success: true };' },
    });
    expect(one.json).toEqual([{ success: true }]);
  });

  it('Function Item runs per item on the json and can set binary data', async () => {
    const result = await runTestNode(functionItemNode, {
      items: [{ a: 1 }, { a: 2 }],
      params: {
        functionCode:
          "item.b = item.a * 2;\nif (item.a === 2) setBinaryData({ data: { data: 'eA==', mimeType: 'text/plain' } });\nreturn item;",
      },
    });
    expect(result.json).toEqual([
      { a: 1, b: 2 },
      { a: 2, b: 4 },
    ]);
    expect(result.items[1]?.binary?.data?.mimeType).toBe('text/plain');
  });
});
