import type { ExpressionScope, Item } from '@budflow/node-sdk';
import type { CompiledTemplate } from '../compile/compile-template.js';
import { currentSources, resolveLineage } from '../scope/lineage.js';

/** Returned by a fast evaluator when the value must come from the sandbox instead. */
export const FAST_BAIL: unique symbol = Symbol('fast-path bail');

/**
 * Evaluates a template on the host for one item, or returns `FAST_BAIL`. Only a subset is accepted
 * at compile time (see `compileFastPath`); at run time any value outside plain data (a prototype
 * lookup, an object where a primitive is needed) also bails, so the sandbox decides.
 */
export type FastEvaluator = (scope: ExpressionScope, itemIndex: number) => unknown;

type Node = Record<string, any> & { type: string };

interface Env {
  scope: ExpressionScope;
  itemIndex: number;
  lineage: Map<string, Item | null> | undefined;
}

type Fn = (env: Env) => unknown;

class Bail extends Error {}
/** A TypeError in the expression: n8n turns the whole `{{ }}` into undefined. */
class Swallow extends Error {}
/** An optional chain met null/undefined. */
class ShortCircuit extends Error {}

const BAIL = new Bail();
const SWALLOW = new Swallow();
const SHORT = new ShortCircuit();

const STRING_METHODS: Record<string, { argc: [number, number]; types: string[] }> = {
  toUpperCase: { argc: [0, 0], types: [] },
  toLowerCase: { argc: [0, 0], types: [] },
  trim: { argc: [0, 0], types: [] },
  trimStart: { argc: [0, 0], types: [] },
  trimEnd: { argc: [0, 0], types: [] },
  includes: { argc: [1, 2], types: ['string', 'number'] },
  startsWith: { argc: [1, 2], types: ['string', 'number'] },
  endsWith: { argc: [1, 2], types: ['string', 'number'] },
  indexOf: { argc: [1, 2], types: ['string', 'number'] },
  slice: { argc: [0, 2], types: ['number', 'number'] },
  substring: { argc: [0, 2], types: ['number', 'number'] },
  charAt: { argc: [0, 1], types: ['number'] },
  padStart: { argc: [1, 2], types: ['number', 'string'] },
  padEnd: { argc: [1, 2], types: ['number', 'string'] },
  concat: { argc: [0, 4], types: ['string', 'string', 'string', 'string'] },
  split: { argc: [1, 2], types: ['string', 'number'] },
  replaceAll: { argc: [2, 2], types: ['string', 'string'] },
};

function isPlainData(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function primitive(v: unknown): boolean {
  return (
    v === null ||
    (typeof v !== 'object' &&
      typeof v !== 'function' &&
      typeof v !== 'symbol' &&
      typeof v !== 'bigint')
  );
}

function member(obj: unknown, key: unknown, optional: boolean): unknown {
  if (obj === null || obj === undefined) {
    if (optional) throw SHORT;
    throw SWALLOW;
  }
  if (typeof obj === 'string') {
    if (key === 'length') return obj.length;
    if (typeof key === 'number' && Number.isInteger(key) && key >= 0) return obj[key];
    throw BAIL;
  }
  if (!isPlainData(obj)) throw BAIL;
  if (typeof key !== 'string' && typeof key !== 'number') throw BAIL;
  const k = String(key);
  if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw BAIL;
  if (Object.hasOwn(obj, k)) return (obj as Record<string, unknown>)[k];
  if (Array.isArray(obj)) {
    // Missing array indexes are undefined in both realms; named properties come from prototypes.
    if (/^(0|[1-9]\d*)$/.test(k)) return undefined;
    throw BAIL;
  }
  // Object.prototype is frozen in the sandbox and has the same names; keep to own properties.
  if (k in Object.prototype) throw BAIL;
  return undefined;
}

function needPrimitive(v: unknown): unknown {
  if (!primitive(v)) throw BAIL;
  return v;
}

function text(v: unknown): string {
  if (v || v === 0) {
    if (!primitive(v)) throw BAIL;
    return String(v);
  }
  return '';
}

class FastCompiler {
  compile(node: Node): Fn {
    switch (node.type) {
      case 'Literal': {
        if ((node as { regex?: unknown }).regex || typeof node.value === 'bigint') throw BAIL;
        const v = node.value as unknown;
        return () => v;
      }
      case 'TemplateLiteral': {
        const quasis = (node.quasis as Node[]).map((q) => q.value.cooked as string | undefined);
        if (quasis.some((q) => q === undefined)) throw BAIL;
        const exprs = (node.expressions as Node[]).map((e) => this.compile(e));
        return (env) => {
          let out = quasis[0]!;
          for (let i = 0; i < exprs.length; i++) {
            const v = needPrimitive(exprs[i]!(env));
            out += String(v) + quasis[i + 1]!;
          }
          return out;
        };
      }
      case 'Identifier':
        switch (node.name) {
          case '$json':
          case '$data':
            return (env) => env.scope.items[env.itemIndex]?.json ?? BAILING();
          case '$itemIndex':
            return (env) => env.itemIndex;
          case '$runIndex':
            return (env) => env.scope.runIndex;
          case 'undefined':
            return () => undefined;
          case 'NaN':
            return () => Number.NaN;
          case 'Infinity':
            return () => Number.POSITIVE_INFINITY;
        }
        throw BAIL;
      case 'ChainExpression': {
        const inner = this.compile(node.expression as Node);
        return (env) => {
          try {
            return inner(env);
          } catch (e) {
            if (e === SHORT) return undefined;
            throw e;
          }
        };
      }
      case 'MemberExpression':
        return this.member(node);
      case 'UnaryExpression': {
        const arg = this.compile(node.argument as Node);
        switch (node.operator) {
          case '!':
            return (env) => !arg(env);
          case '-':
            return (env) => -(needPrimitive(arg(env)) as number);
          case '+':
            return (env) => +(needPrimitive(arg(env)) as number);
          case 'typeof':
            if ((node.argument as Node).type === 'Identifier') throw BAIL;
            return (env) => {
              const v = arg(env);
              if (!primitive(v) && !isPlainData(v)) throw BAIL;
              return typeof v;
            };
        }
        throw BAIL;
      }
      case 'BinaryExpression':
        return this.binary(node);
      case 'LogicalExpression': {
        const l = this.compile(node.left as Node);
        const r = this.compile(node.right as Node);
        if (node.operator === '&&') return (env) => l(env) && r(env);
        if (node.operator === '||') return (env) => l(env) || r(env);
        if (node.operator === '??') return (env) => l(env) ?? r(env);
        throw BAIL;
      }
      case 'ConditionalExpression': {
        const t = this.compile(node.test as Node);
        const c = this.compile(node.consequent as Node);
        const a = this.compile(node.alternate as Node);
        return (env) => (t(env) ? c(env) : a(env));
      }
      case 'CallExpression':
        return this.call(node);
    }
    throw BAIL;
  }

  private member(node: Node): Fn {
    const object = node.object as Node;
    const optional = node.optional === true;
    // $('Node').item and $input.item: the paired / current item.
    const itemOf = this.itemSource(object, node);
    if (itemOf) return itemOf;
    const obj = this.compile(object);
    if (!node.computed) {
      const key = (node.property as Node).name as string;
      return (env) => member(obj(env), key, optional);
    }
    const prop = this.compile(node.property as Node);
    return (env) => {
      const o = obj(env);
      const k = prop(env);
      if (typeof k === 'number' && !Number.isInteger(k)) throw BAIL;
      return member(o, k, optional);
    };
  }

  /** Recognises `$input.item` and `$('X').item` (only followed by `.json`). */
  private itemSource(object: Node, node: Node): Fn | undefined {
    if (node.computed || (node.property as Node).name !== 'item') return undefined;
    if (object.type === 'Identifier' && object.name === '$input')
      return (env) => env.scope.items[env.itemIndex] ?? BAILING();
    if (
      object.type === 'CallExpression' &&
      (object.callee as Node).type === 'Identifier' &&
      (object.callee as Node).name === '$' &&
      (object.arguments as Node[]).length === 1 &&
      (object.arguments as Node[])[0]!.type === 'Literal' &&
      typeof (object.arguments as Node[])[0]!.value === 'string'
    ) {
      const name = (object.arguments as Node[])[0]!.value as string;
      return (env) => pairedItem(env, name);
    }
    return undefined;
  }

  private binary(node: Node): Fn {
    const l = this.compile(node.left as Node);
    const r = this.compile(node.right as Node);
    const op = node.operator as string;
    // Left then right, as JavaScript evaluates them; no pair array per evaluation.
    const left = (env: Env): any => needPrimitive(l(env));
    const right = (env: Env): any => needPrimitive(r(env));
    switch (op) {
      case '+':
        return (env) => {
          const a = left(env);
          return a + right(env);
        };
      case '-':
        return (env) => {
          const a = left(env);
          return a - right(env);
        };
      case '*':
        return (env) => {
          const a = left(env);
          return a * right(env);
        };
      case '/':
        return (env) => {
          const a = left(env);
          return a / right(env);
        };
      case '%':
        return (env) => {
          const a = left(env);
          return a % right(env);
        };
      case '<':
        return (env) => {
          const a = left(env);
          return a < right(env);
        };
      case '>':
        return (env) => {
          const a = left(env);
          return a > right(env);
        };
      case '<=':
        return (env) => {
          const a = left(env);
          return a <= right(env);
        };
      case '>=':
        return (env) => {
          const a = left(env);
          return a >= right(env);
        };
      case '==':
        return (env) => {
          const a = left(env);
          return a == right(env);
        };
      case '!=':
        return (env) => {
          const a = left(env);
          return a != right(env);
        };
      case '===':
        return (env) => {
          const a = left(env);
          return a === right(env);
        };
      case '!==':
        return (env) => {
          const a = left(env);
          return a !== right(env);
        };
    }
    throw BAIL;
  }

  private call(node: Node): Fn {
    const callee = node.callee as Node;
    if (node.optional || callee.type !== 'MemberExpression' || callee.computed || callee.optional)
      throw BAIL;
    const name = (callee.property as Node).name as string;
    const spec = Object.hasOwn(STRING_METHODS, name) ? STRING_METHODS[name] : undefined;
    if (!spec) throw BAIL;
    const args = (node.arguments as Node[]).map((a) => {
      if (a.type === 'SpreadElement') throw BAIL;
      return this.compile(a);
    });
    if (args.length < spec.argc[0] || args.length > spec.argc[1]) throw BAIL;
    const recv = this.compile(callee.object as Node);
    return (env) => {
      const s = recv(env);
      if (s === null || s === undefined) throw SWALLOW;
      if (typeof s !== 'string') throw BAIL;
      if (args.length === 0) return (String.prototype[name as 'trim'] as () => unknown).call(s);
      const values = args.map((a, i) => {
        const v = a(env);
        if (typeof v !== spec.types[i]) throw BAIL;
        return v;
      });
      return (String.prototype[name as 'trim'] as (...a: unknown[]) => unknown).apply(s, values);
    };
  }
}

function BAILING(): never {
  throw BAIL;
}

function pairedItem(env: Env, name: string): Item {
  env.lineage ??= new Map();
  let item = env.lineage.get(name);
  if (item === undefined) {
    const target = resolveLineage(env.scope, name, env.itemIndex, currentSources(env.scope));
    item = Array.isArray(target)
      ? (env.scope.runData[name]?.[target[0]]?.data?.main?.[target[1]]?.[target[2]] ?? null)
      : null;
    env.lineage.set(name, item);
  }
  // Lineage errors carry n8n's messages: the sandbox path reports them.
  if (item === null) throw BAIL;
  return item;
}

function finish(v: unknown): unknown {
  if (v === 0) return 0; // -0 does not survive the sandbox's JSON boundary either
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw BAIL;
    return v;
  }
  if (!isPlainData(v)) throw BAIL;
  // A copy, as the sandbox returns one: nodes may change what they receive.
  return structuredClone(v);
}

/** Compiles the fast evaluator of a template, or undefined when it is outside the safe subset. */
export function compileFastPath(template: CompiledTemplate): FastEvaluator | undefined {
  if (template.error || template.usage.mutates) return undefined;
  const compiler = new FastCompiler();
  let parts: Array<string | Fn>;
  try {
    parts = template.parts.map((p) => {
      if (p.kind === 'text') return p.text;
      if (!p.ast) return () => undefined;
      return compiler.compile(p.ast as Node);
    });
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
  const segment = (fn: Fn, env: Env): unknown => {
    try {
      return fn(env);
    } catch (e) {
      if (e === SWALLOW || e === SHORT) return undefined;
      if (e instanceof TypeError || e instanceof RangeError) return undefined;
      throw e;
    }
  };
  if (template.single) {
    const fn = parts[0] as Fn;
    return (scope, itemIndex) => {
      try {
        return finish(segment(fn, { scope, itemIndex, lineage: undefined }));
      } catch (e) {
        if (e === BAIL) return FAST_BAIL;
        throw e;
      }
    };
  }
  return (scope, itemIndex) => {
    const env: Env = { scope, itemIndex, lineage: undefined };
    try {
      let out = '';
      for (const p of parts) out += typeof p === 'string' ? p : text(segment(p, env));
      return out;
    } catch (e) {
      if (e === BAIL) return FAST_BAIL;
      throw e;
    }
  };
}
