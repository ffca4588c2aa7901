import { describe, expect, it } from 'vitest';
import { parseTemplate } from './parse-template.js';

describe('parseTemplate', () => {
  it('a single {{ }} is "single" (raw value); text around it is not', () => {
    expect(parseTemplate('{{ $json.a }}')).toEqual({
      single: true,
      segments: [{ kind: 'code', code: ' $json.a ', start: 2, end: 11 }],
    });
    expect(parseTemplate(' {{ 1 }}').single).toBe(false);
    expect(parseTemplate('{{ 1 }}{{ 2 }}').segments.map((s) => s.kind)).toEqual(['code', 'code']);
  });

  it('the first }} closes the expression, even inside a string literal (as n8n)', () => {
    expect(parseTemplate('{{ "a}}b" }}').segments).toEqual([
      { kind: 'code', code: ' "a', start: 2, end: 5 },
      { kind: 'text', text: 'b" }}' },
    ]);
  });

  it('text without braces is one text segment; escaped brackets are literal', () => {
    expect(parseTemplate('plain')).toEqual({
      single: false,
      segments: [{ kind: 'text', text: 'plain' }],
    });
    expect(parseTemplate('a \\{{ b')).toEqual({
      single: false,
      segments: [{ kind: 'text', text: 'a {{ b' }],
    });
  });

  it('an unclosed {{ runs to the end', () => {
    expect(parseTemplate('x {{ 1 + 2').segments).toEqual([
      { kind: 'text', text: 'x ' },
      { kind: 'code', code: ' 1 + 2', start: 4, end: 10 },
    ]);
  });
});
