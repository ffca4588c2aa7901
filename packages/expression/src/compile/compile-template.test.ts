import { describe, expect, it } from 'vitest';
import { compileTemplate } from './compile-template.js';

describe('compileTemplate', () => {
  it('rewrites extension calls through the dispatcher and keeps native calls', () => {
    const c = compileTemplate('{{ $json.name.toTitleCase().trim() + [1].sum() }}');
    expect(c.parts[0]).toMatchObject({
      kind: 'code',
      js: expect.stringContaining(
        '__x($json.name, "toTitleCase", [], false).trim() + __x([1], "sum", [], false)',
      ),
    });
    expect(c.params).toEqual(['$json']);
  });

  it('marks optional calls so a null receiver short-circuits', () => {
    const c = compileTemplate('{{ $json.a?.isEmpty() }}');
    expect((c.parts[0] as { js: string }).js).toContain('__x($json.a, "isEmpty", [], true)');
  });

  it('records the $json keys read, or all when $json escapes', () => {
    expect(compileTemplate('{{ $json.a + $json["b"] }}').usage.jsonKeys).toEqual(
      new Set(['a', 'b']),
    );
    expect(compileTemplate('{{ Object.keys($json) }}').usage.jsonKeys).toBe('all');
    expect(compileTemplate('{{ $json.keys() }}').usage.jsonKeys).toBe('all');
  });

  it('records referenced nodes and which need lineage', () => {
    const u = compileTemplate(
      "{{ $('A').item.json.x + $('B').all().length + $node['C'].json.y }}",
    ).usage;
    expect(u.nodes).toEqual(new Set(['A', 'B', 'C']));
    expect(u.lineageNodes).toEqual(new Set(['A']));
    expect(compileTemplate('{{ $($json.n).first() }}').usage.dynamicNodes).toBe(true);
  });

  it('flags expressions that mutate data', () => {
    expect(compileTemplate('{{ $json.a = 1 }}').usage.mutates).toBe(true);
    expect(compileTemplate('{{ $json.list.sort() }}').usage.mutates).toBe(true);
    expect(compileTemplate('{{ $json.list.slice().length }}').usage.mutates).toBe(false);
  });

  it('reports syntax errors with their position in the template', () => {
    const c = compileTemplate('abc {{ $json.a + }}');
    expect(c.error).toMatchObject({ code: 'EXPRESSION_SYNTAX', position: { start: 17, end: 17 } });
    expect(c.error?.message).toMatch(/^invalid syntax: .* at position 17$/);
  });

  it('accepts statements the way n8n does: a trailing semicolon, an object literal', () => {
    expect(compileTemplate('{{ Math.floor(1.5); }}').error).toBeUndefined();
    expect(compileTemplate('{{ { a: $json.x } }}').error).toBeUndefined();
    expect(compileTemplate('{{ $json.id // comment\n }}').error).toBeUndefined();
  });

  it('rejects forbidden property names and import()', () => {
    for (const t of [
      '{{ a.constructor }}',
      '{{ a["__proto__"] }}',
      '{{ ({ prototype: 1 }) }}',
      '{{ import("x") }}',
    ])
      expect(compileTemplate(t).error?.code, t).toBe('EXPRESSION_SYNTAX');
  });
});
