import type { JsonValue, NodeContextBase } from '@budflow/node-sdk';

/**
 * `evaluateExpression` with extra variables (`$response`, `$pageCount`, `$request`).
 *
 * The SDK's `evaluateExpression(template, itemIndex)` has no way to pass n8n's additional keys, so
 * they are bound inside the template: each `{{ expr }}` becomes
 * `{{ (($response, $pageCount) => (expr))(JSON.parse("..."), JSON.parse("...")) }}`. The JSON text
 * has its braces escaped so no `}}` appears in it (templates split at the first `}}`, as in n8n).
 */
export type EvaluateWithKeys = (
  template: string,
  itemIndex: number,
  additionalKeys: Record<string, JsonValue>,
) => Promise<unknown>;

const jsonLiteral = (value: JsonValue): string =>
  `JSON.parse(${JSON.stringify(JSON.stringify(value ?? null)).replace(/[{}]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)})`;

/** Rewrites a `=` template so its expressions see `keys` as variables. */
export function bindTemplateKeys(template: string, keys: Record<string, JsonValue>): string {
  const names = Object.keys(keys).filter((k) => /^[$A-Za-z_][$\w]*$/.test(k));
  if (names.length === 0 || !template.startsWith('=')) return template;
  const args = names.map((k) => jsonLiteral(keys[k]!)).join(', ');
  const body = template.slice(1);
  let out = '=';
  let i = 0;
  while (i < body.length) {
    const open = body.indexOf('{{', i);
    if (open === -1) {
      out += body.slice(i);
      break;
    }
    if (open > 0 && body.charCodeAt(open - 1) === 92) {
      out += body.slice(i, open + 2);
      i = open + 2;
      continue;
    }
    let close = body.indexOf('}}', open + 2);
    while (close !== -1 && body.charCodeAt(close - 1) === 92) close = body.indexOf('}}', close + 2);
    const end = close === -1 ? body.length : close;
    const code = body.slice(open + 2, end).trim();
    out += body.slice(i, open);
    out += code === '' ? '{{}}' : `{{ ((${names.join(', ')}) => (${code}\n))(${args}) }}`;
    i = close === -1 ? body.length : close + 2;
  }
  return out;
}

export function evaluateWithKeys(ctx: NodeContextBase): EvaluateWithKeys {
  return (template, itemIndex, additionalKeys) =>
    ctx.evaluateExpression(bindTemplateKeys(template, additionalKeys), itemIndex);
}

/** Reads a value at a dotted path in the node's raw (unresolved) parameters. */
export function rawParameter(ctx: NodeContextBase, path: string): unknown {
  let current: unknown = ctx.node.parameters;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
