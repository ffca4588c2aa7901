import { parse, type Node } from 'acorn';
import { ERROR_CODES, ExpressionError } from '@budflow/node-sdk';
import { parseTemplate, type TemplateSegment } from '../template/parse-template.js';
import { EXTENSION_NAMES, FORBIDDEN_PROPERTIES, KNOWN_VARIABLES } from './extension-names.js';

type AnyNode = Node & Record<string, any>;

/** What an expression reads, so a batch ships only the data it needs. */
export interface TemplateUsage {
  /** `$json` keys read, or `'all'` when the whole item may be read. */
  jsonKeys: Set<string> | 'all';
  /** Nodes referenced by name (`$('X')`, `$node['X']`, `$items('X')`). */
  nodes: Set<string>;
  /** Nodes whose `pairedItem` lineage is needed (`$('X').item`, `.itemMatching()`, `.pairedItem()`). */
  lineageNodes: Set<string>;
  /** Nodes whose whole output is read (`.all()`, `.first()`, `$node`, `$items`...), not only paired items. */
  fullNodes: Set<string>;
  /** Per node read through `.item`: the `json` keys read (`$('X').item.json.key`), or `'all'`. */
  pairedKeys: Map<string, Set<string> | 'all'>;
  /** A node name is computed at run time: every node's data may be needed. */
  dynamicNodes: boolean;
  /** Uses `$input.all()` on other inputs, `$item()` or anything that needs every input item whole. */
  needsInputs: boolean;
  /** May change data it reads (assignment, `delete`, `sort()`...): n8n keeps such changes on the item. */
  mutates: boolean;
}

const MUTATING_METHODS = new Set([
  'sort',
  'reverse',
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'fill',
  'copyWithin',
]);

/** One parsed `{{ }}` segment. */
export interface CompiledSegment {
  /** The rewritten JavaScript expression (extension calls go through `__x`). */
  js: string;
  /** The AST of the original code (for the host fast path). */
  ast: AnyNode | undefined;
}

export interface CompiledTemplate {
  /** The template without its leading `=`. */
  template: string;
  single: boolean;
  /** Text pieces and code segments, in order. */
  parts: Array<{ kind: 'text'; text: string } | ({ kind: 'code' } & CompiledSegment)>;
  /** Body of the sandbox function; parameters are `params`. */
  body: string;
  /** The template's value as one JavaScript expression (used by the sandbox's batch loops). */
  valueExpr: string;
  params: string[];
  usage: TemplateUsage;
  /** Set when the template cannot compile: every evaluation fails with it. */
  error?: ExpressionError;
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as AnyNode).type === 'string';
}

function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'start' || key === 'end' || key === 'loc') continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const c of v) if (isNode(c) && !out.includes(c)) out.push(c);
    } else if (isNode(v) && !out.includes(v)) out.push(v);
  }
  return out;
}

function staticKey(member: AnyNode): string | undefined {
  if (!member.computed && member.property.type === 'Identifier')
    return member.property.name as string;
  if (member.computed && member.property.type === 'Literal') {
    const v = member.property.value;
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  if (member.computed) return literalString(member.property);
  return undefined;
}

function literalString(node: AnyNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0)
    return node.quasis[0]?.value?.cooked as string | undefined;
  return undefined;
}

class SegmentCompiler {
  readonly params = new Set<string>();
  constructor(
    private readonly code: string,
    private readonly usage: TemplateUsage,
    private readonly offset: number,
    /** Expressions reject prototype-related names as n8n does; scripts rely on the sandbox alone. */
    private readonly strictNames = true,
  ) {}

  fail(message: string, node: AnyNode): never {
    throw new ExpressionError(`invalid syntax: ${message}`, {
      code: ERROR_CODES.EXPRESSION_SYNTAX,
      position: { start: this.offset + node.start, end: this.offset + node.end },
    });
  }

  private markMutation(): void {
    this.usage.mutates = true;
    this.usage.jsonKeys = 'all';
  }

  /** Checks and analyses the tree; `parents` is the ancestor chain. */
  analyse(node: AnyNode, parents: AnyNode[]): void {
    const parent = parents[parents.length - 1];
    switch (node.type) {
      case 'AssignmentExpression':
      case 'UpdateExpression':
        if ((node.left ?? node.argument)?.type === 'MemberExpression') this.markMutation();
        break;
      case 'UnaryExpression':
        if (node.operator === 'delete') this.markMutation();
        break;
      case 'CallExpression':
        if (
          node.callee.type === 'MemberExpression' &&
          MUTATING_METHODS.has(staticKey(node.callee) ?? '')
        )
          this.markMutation();
        break;
      case 'ImportExpression':
        this.fail('import() is not allowed in expressions', node);
        break;
      case 'MetaProperty':
        this.fail(`${node.meta.name}.${node.property.name} is not allowed in expressions`, node);
        break;
      case 'MemberExpression': {
        const key = staticKey(node);
        if (this.strictNames && key !== undefined && FORBIDDEN_PROPERTIES.has(key))
          this.fail(`'${key}' is not allowed in expressions`, node.property);
        break;
      }
      case 'Property':
      case 'PropertyDefinition':
      case 'MethodDefinition': {
        const key = node.computed ? literalString(node.key) : (node.key.name ?? node.key.value);
        if (this.strictNames && typeof key === 'string' && FORBIDDEN_PROPERTIES.has(key))
          this.fail(`'${key}' is not allowed in expressions`, node.key);
        break;
      }
      case 'Identifier':
        if (
          this.strictNames &&
          FORBIDDEN_PROPERTIES.has(node.name as string) &&
          node.name !== 'constructor'
        )
          this.fail(`'${node.name}' is not allowed in expressions`, node);
        if (this.isReference(node, parent)) this.reference(node, parents);
        break;
    }
    for (const child of children(node)) this.analyse(child, [...parents, node]);
  }

  private isReference(node: AnyNode, parent: AnyNode | undefined): boolean {
    if (!parent) return true;
    if (parent.type === 'MemberExpression' && parent.property === node && !parent.computed)
      return false;
    if (
      (parent.type === 'Property' || parent.type === 'MethodDefinition') &&
      parent.key === node &&
      !parent.computed
    )
      return parent.type === 'Property' && parent.shorthand === true;
    if (
      parent.type === 'LabeledStatement' ||
      parent.type === 'BreakStatement' ||
      parent.type === 'ContinueStatement'
    )
      return false;
    return true;
  }

  private reference(node: AnyNode, parents: AnyNode[]): void {
    const name = node.name as string;
    // Every `$` name is a parameter: n8n's variables, and extra keys a node adds ($response, ...).
    if (!KNOWN_VARIABLES.has(name) && name.charCodeAt(0) !== 36) return;
    this.params.add(name);
    const parent = parents[parents.length - 1];
    const usage = this.usage;
    switch (name) {
      case '$json':
      case '$data': {
        const grand = parents[parents.length - 2];
        const isMethodCall = grand?.type === 'CallExpression' && grand.callee === parent;
        const key =
          parent?.type === 'MemberExpression' && parent.object === node && !isMethodCall
            ? staticKey(parent)
            : undefined;
        if (key === undefined) usage.jsonKeys = 'all';
        else if (usage.jsonKeys !== 'all') usage.jsonKeys.add(key);
        break;
      }
      case '$': {
        const call =
          parent?.type === 'CallExpression' && parent.callee === node ? parent : undefined;
        const nodeName = literalString(call?.arguments[0]);
        if (nodeName === undefined) {
          usage.dynamicNodes = true;
          break;
        }
        usage.nodes.add(nodeName);
        const grand = parents[parents.length - 2];
        const member =
          grand?.type === 'MemberExpression' && grand.object === call
            ? staticKey(grand)
            : undefined;
        const pairedOnly =
          member === 'item' || member === 'itemMatching' || member === 'pairedItem';
        if (member === undefined || pairedOnly) usage.lineageNodes.add(nodeName);
        if (pairedOnly) {
          // $('X').item.json.key: only that key of the paired item is needed.
          const jsonMember = parents[parents.length - 3];
          const keyMember = parents[parents.length - 4];
          const key =
            member === 'item' &&
            jsonMember?.type === 'MemberExpression' &&
            jsonMember.object === grand &&
            staticKey(jsonMember) === 'json' &&
            keyMember?.type === 'MemberExpression' &&
            keyMember.object === jsonMember &&
            !(
              parents[parents.length - 5]?.type === 'CallExpression' &&
              parents[parents.length - 5]?.callee === keyMember
            )
              ? staticKey(keyMember)
              : undefined;
          const known = usage.pairedKeys.get(nodeName);
          if (key === undefined) usage.pairedKeys.set(nodeName, 'all');
          else if (known !== 'all')
            usage.pairedKeys.set(nodeName, new Set([...(known ?? []), key]));
        }
        if (!pairedOnly && member !== 'isExecuted' && member !== 'params')
          usage.fullNodes.add(nodeName);
        break;
      }
      case '$node': {
        const key =
          parent?.type === 'MemberExpression' && parent.object === node
            ? staticKey(parent)
            : undefined;
        if (key === undefined) usage.dynamicNodes = true;
        else {
          usage.nodes.add(key);
          usage.fullNodes.add(key);
        }
        break;
      }
      case '$items': {
        const call =
          parent?.type === 'CallExpression' && parent.callee === node ? parent : undefined;
        if (!call || call.arguments.length === 0) {
          usage.needsInputs = true;
          break;
        }
        const nodeName = literalString(call.arguments[0]);
        if (nodeName === undefined) usage.dynamicNodes = true;
        else {
          usage.nodes.add(nodeName);
          usage.fullNodes.add(nodeName);
        }
        break;
      }
      case '$item':
      case '$evaluateExpression':
        usage.dynamicNodes = true;
        usage.jsonKeys = 'all';
        usage.needsInputs = true;
        break;
      case '$input':
      case '$thisItem':
      case '$binary':
        usage.jsonKeys = 'all';
        usage.needsInputs = true;
        break;
    }
  }

  /** Source text of `node` with extension calls rewritten. */
  gen(node: AnyNode): string {
    if (
      node.type === 'CallExpression' &&
      node.callee.type === 'MemberExpression' &&
      !node.callee.computed &&
      node.callee.property.type === 'Identifier' &&
      node.callee.object.type !== 'Super' &&
      EXTENSION_NAMES.has(node.callee.property.name as string)
    ) {
      const args = (node.arguments as AnyNode[]).map((a) => this.gen(a)).join(', ');
      const optional = node.callee.optional === true || node.optional === true;
      return `__x(${this.gen(node.callee.object)}, ${JSON.stringify(node.callee.property.name)}, [${args}], ${optional})`;
    }
    let out = '';
    let pos = node.start;
    for (const child of children(node).sort((a, b) => a.start - b.start)) {
      // Shorthand properties hold two nodes over the same text (`{ id }`): emit it once.
      if (child.start < pos) continue;
      out += this.code.slice(pos, child.start) + this.gen(child);
      pos = child.end;
    }
    return out + this.code.slice(pos, node.end);
  }
}

function parseSegment(code: string): { expr: AnyNode | undefined; source: string } {
  if (code.trim() === '') return { expr: undefined, source: code };
  try {
    const program = parse(code, { ecmaVersion: 'latest', sourceType: 'script' }) as AnyNode;
    const first = (program.body as AnyNode[])[0];
    if (first?.type === 'ExpressionStatement') return { expr: first.expression, source: code };
  } catch {
    // Object literals (`{ a: 1 }`) are not statements; try them as an expression below.
  }
  const wrapped = `(${code}\n)`;
  const program = parse(wrapped, { ecmaVersion: 'latest', sourceType: 'script' }) as AnyNode;
  const body = program.body as AnyNode[];
  if (body.length !== 1 || body[0]!.type !== 'ExpressionStatement')
    throw new SyntaxError('Unexpected token after the expression');
  return { expr: body[0]!.expression, source: wrapped };
}

function emptyUsage(): TemplateUsage {
  return {
    jsonKeys: new Set(),
    nodes: new Set(),
    lineageNodes: new Set(),
    fullNodes: new Set(),
    pairedKeys: new Map(),
    dynamicNodes: false,
    needsInputs: false,
    mutates: false,
  };
}

/** Compiles an n8n template (the string after `=`): parse, check, rewrite, and record its usage. */
export function compileTemplate(template: string): CompiledTemplate {
  const { segments, single } = parseTemplate(template);
  const usage = emptyUsage();
  const params = new Set<string>();
  const parts: CompiledTemplate['parts'] = [];
  try {
    for (const segment of segments) {
      if (segment.kind === 'text') {
        parts.push(segment);
        continue;
      }
      parts.push({ kind: 'code', ...compileSegment(segment, usage, params) });
    }
  } catch (error) {
    const e =
      error instanceof ExpressionError
        ? error
        : new ExpressionError('invalid syntax', {
            code: ERROR_CODES.EXPRESSION_SYNTAX,
            cause: error,
          });
    return {
      template,
      single,
      parts: [],
      body: '',
      valueExpr: 'undefined',
      params: [],
      usage,
      error: e,
    };
  }
  const valueExpr = buildValueExpr(parts, single);
  const body = single
    ? `try { return ${valueExpr}; } catch (e) { return __swallow(e); }`
    : `return ${valueExpr};`;
  return { template, single, parts, body, valueExpr, params: [...params], usage };
}

function compileSegment(
  segment: Extract<TemplateSegment, { kind: 'code' }>,
  usage: TemplateUsage,
  params: Set<string>,
): CompiledSegment {
  let parsed: { expr: AnyNode | undefined; source: string };
  try {
    parsed = parseSegment(segment.code);
  } catch (error) {
    const pos = (error as { pos?: number }).pos;
    const start = segment.start + Math.max(0, Math.min(segment.code.length, (pos ?? 1) - 1));
    const detail =
      error instanceof Error ? error.message.replace(/\s*\(\d+:\d+\)$/, '') : String(error);
    throw new ExpressionError(`invalid syntax: ${detail} at position ${start}`, {
      code: ERROR_CODES.EXPRESSION_SYNTAX,
      position: { start, end: segment.end },
      cause: error,
    });
  }
  if (!parsed.expr) return { js: 'undefined', ast: undefined };
  const offset = parsed.source === segment.code ? segment.start : segment.start - 1;
  const compiler = new SegmentCompiler(parsed.source, usage, offset);
  compiler.analyse(parsed.expr, []);
  const js = compiler.gen(parsed.expr);
  for (const p of compiler.params) params.add(p);
  return { js, ast: parsed.expr };
}

function buildValueExpr(parts: CompiledTemplate['parts'], single: boolean): string {
  if (single) return `(${(parts[0] as { js: string }).js}\n)`;
  const pieces = parts.map((p) =>
    p.kind === 'text'
      ? JSON.stringify(p.text)
      : `__text((function () { try { return (${p.js}\n); } catch (e) { return __swallow(e); } })())`,
  );
  return pieces.length === 0 ? '""' : pieces.join(' + ');
}

/** A Code-node script compiled for the sandbox: extension calls rewritten, usage recorded. */
export interface CompiledScript {
  body: string;
  /** The `$` variables the script uses. */
  params: string[];
  async: boolean;
  usage: TemplateUsage;
}

/**
 * Compiles a script body (statements, `return`, `await` allowed) with the same rewriting as
 * expressions, for a script runner that wants n8n's environment (the Code node).
 */
export function compileScript(code: string): CompiledScript {
  let program: AnyNode;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
    }) as AnyNode;
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    throw new ExpressionError(
      `invalid syntax: ${(error as Error).message.replace(/\s*\(\d+:\d+\)$/, '')}${loc ? ` [line ${loc.line}]` : ''}`,
      {
        code: ERROR_CODES.EXPRESSION_SYNTAX,
        cause: error,
        details: loc ? { line: loc.line, column: loc.column } : {},
      },
    );
  }
  const usage = emptyUsage();
  usage.jsonKeys = 'all';
  usage.needsInputs = true;
  const compiler = new SegmentCompiler(code, usage, 0, false);
  compiler.analyse(program, []);
  let hasAwait = false;
  const visit = (n: AnyNode): void => {
    if (n.type === 'AwaitExpression' || (n.type === 'ForOfStatement' && n.await)) hasAwait = true;
    if (
      n.type === 'FunctionExpression' ||
      n.type === 'FunctionDeclaration' ||
      n.type === 'ArrowFunctionExpression'
    )
      return;
    for (const c of children(n)) visit(c);
  };
  visit(program);
  return { body: compiler.gen(program), params: [...compiler.params], async: hasAwait, usage };
}
