import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { JsonObject } from '@budflow/node-sdk';
import { compileTemplate } from '../compile/compile-template.js';
import { createExpressionEvaluator } from '../create-expression-evaluator.js';
import { createSingleItemScope } from '../scope/single-item-scope.js';
import { compileFastPath, FAST_BAIL } from './fast-path.js';

const sandboxOnly = createExpressionEvaluator({ isolation: 'inline', fastPath: false });
afterAll(() => sandboxOnly.close());

const fastValue = (template: string, json: JsonObject): unknown => {
  const fast = compileFastPath(compileTemplate(template));
  return fast ? fast(createSingleItemScope({ json }), 0) : FAST_BAIL;
};

// Item data is JSON: no NaN, no Infinity, no -0 (they do not survive JSON, so the sandbox never sees them).
const item = fc.record({
  a: fc
    .oneof(
      fc.integer({ min: -1000, max: 1000 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0, 0.1, 1e21),
    )
    .map((v) => (Object.is(v, -0) ? 0 : v)),
  b: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('', '10', 'Ünïcode', ' a b ', 'null')),
  c: fc.constantFrom(true, false, null),
  d: fc.record({ x: fc.integer({ min: -5, max: 5 }) }),
  arr: fc.array(fc.integer({ min: -9, max: 9 }), { maxLength: 4 }),
});

const leaf = fc.constantFrom(
  '$json.a',
  '$json.b',
  '$json.c',
  '$json.d.x',
  '$json.arr[0]',
  '$json.arr.length',
  '$json.missing',
  '$json["b"]',
  '$json.d?.x',
  '$json.missing?.x',
  '$itemIndex',
  '1',
  '2.5',
  '"x"',
  "'10'",
  'null',
  'true',
  'undefined',
  '$json.b.length',
  '$json.b.toUpperCase()',
  '$json.b.trim()',
  '$json.b.slice(1)',
  '$json.b.includes("a")',
  '$json.b.padStart(4, "*")',
  '$input.item.json.a',
);
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(
        tie('e'),
        fc.constantFrom('+', '-', '*', '/', '%', '<', '>=', '==', '!=', '===', '&&', '||', '??'),
        tie('e'),
      )
      .map(([l, op, r]) => `(${l} ${op} ${r})`),
    tie('e').map((e) => `!${e}`),
    tie('e').map((e) => `-(${e})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([t, c, a]) => `(${t} ? ${c} : ${a})`),
    fc.tuple(tie('e'), tie('e')).map(([l, r]) => `\`\${${l}}-\${${r}}\``),
  ),
})).e;

describe('host fast path', () => {
  it('accepts the safe subset and rejects calls outside the whitelist', () => {
    expect(compileFastPath(compileTemplate('{{ $json.a + 1 }}'))).toBeTypeOf('function');
    expect(compileFastPath(compileTemplate("{{ $('A').item.json.x }}"))).toBeTypeOf('function');
    expect(compileFastPath(compileTemplate('{{ $json.a.toTitleCase() }}'))).toBeUndefined();
    expect(compileFastPath(compileTemplate('{{ (() => 1)() }}'))).toBeUndefined();
    expect(compileFastPath(compileTemplate('{{ $json.a = 1 }}'))).toBeUndefined();
  });

  it('bails to the sandbox at run time for anything but plain data', () => {
    expect(fastValue('{{ $json.a.toString }}', { a: {} })).toBe(FAST_BAIL);
    expect(fastValue('{{ $json.a + "" }}', { a: [1] })).toBe(FAST_BAIL);
    expect(fastValue('{{ $json.a.b }}', { a: null })).toBeUndefined();
  });

  it('gives the same values as the sandbox on random items and expressions', async () => {
    let fastCount = 0;
    await fc.assert(
      fc.asyncProperty(item, expr, fc.boolean(), async (json, e, mixed) => {
        const template = mixed ? `<{{ ${e} }}>` : `{{ ${e} }}`;
        const fast = fastValue(template, json);
        if (fast === FAST_BAIL) return;
        fastCount++;
        const sandboxed = await sandboxOnly.evaluate(
          `=${template}`,
          createSingleItemScope({ json: json }),
          0,
        );
        expect(fast).toEqual(sandboxed);
      }),
      { numRuns: 300 },
    );
    expect(fastCount).toBeGreaterThan(100);
  }, 120_000);
});
