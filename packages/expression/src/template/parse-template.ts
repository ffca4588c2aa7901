/** One piece of an `=` template: literal text, or the code between `{{` and `}}`. */
export type TemplateSegment =
  { kind: 'text'; text: string } | { kind: 'code'; code: string; start: number; end: number };

export interface ParsedTemplate {
  segments: TemplateSegment[];
  /** The template is exactly one `{{ }}` with no text around it: the raw value is returned. */
  single: boolean;
}

/**
 * Splits a template (without its leading `=`) as n8n does: the first `}}` after a `{{` closes the
 * expression, even inside a string literal; `\{{` and `\}}` are literal brackets. `start`/`end` are
 * offsets of the code in the template (after the `=`).
 */
export function parseTemplate(template: string): ParsedTemplate {
  const segments: TemplateSegment[] = [];
  let text = '';
  let i = 0;
  const n = template.length;
  while (i < n) {
    const open = template.indexOf('{{', i);
    if (open === -1) {
      text += template.slice(i);
      break;
    }
    if (open > 0 && template.charCodeAt(open - 1) === 92 /* \ */) {
      text += template.slice(i, open - 1) + '{{';
      i = open + 2;
      continue;
    }
    text += template.slice(i, open);
    let close = template.indexOf('}}', open + 2);
    while (close !== -1 && template.charCodeAt(close - 1) === 92)
      close = template.indexOf('}}', close + 2);
    if (text) segments.push({ kind: 'text', text });
    text = '';
    if (close === -1) {
      // An unclosed `{{` runs to the end, as in n8n.
      segments.push({ kind: 'code', code: template.slice(open + 2), start: open + 2, end: n });
      i = n;
      break;
    }
    segments.push({
      kind: 'code',
      code: template.slice(open + 2, close),
      start: open + 2,
      end: close,
    });
    i = close + 2;
  }
  if (text) segments.push({ kind: 'text', text });
  const single = segments.length === 1 && segments[0]!.kind === 'code';
  return { segments, single };
}
