import {
  copyFields,
  isExpression,
  validateParams,
  type JsonValue,
  type ParameterPath as Path,
} from '@budflow/node-sdk';
import type { ZodType } from 'zod';

interface ZodDefLike {
  type: string;
  shape?: Record<string, ZodType>;
  element?: ZodType;
  valueType?: ZodType;
  innerType?: ZodType;
  catchall?: ZodType;
  checks?: unknown[];
}

const defOf = (schema: ZodType): ZodDefLike =>
  (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;

/** Wrappers that do not change a present value's shape. */
const TRANSPARENT = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'readonly',
  'nonoptional',
]);

/**
 * The schema of the value at `path`, when every container on the way is a plain object, array
 * or record without refinements: then validating that value alone is the same as validating the
 * whole tree. Undefined when it is not (unions, transforms, pipes, refined containers...).
 */
function leafSchemaAt(root: ZodType, path: Path): ZodType | undefined {
  let current: ZodType | undefined = root;
  for (const key of path) {
    while (current && TRANSPARENT.has(defOf(current).type)) current = defOf(current).innerType;
    if (!current) return undefined;
    const def = defOf(current);
    if (def.checks && def.checks.length > 0) return undefined;
    if (def.type === 'object') {
      const next: ZodType | undefined = typeof key === 'string' ? def.shape?.[key] : undefined;
      if (next) current = next;
      else if (def.catchall && defOf(def.catchall).type !== 'never') current = def.catchall;
      else return undefined;
    } else if (def.type === 'array' && typeof key === 'number') {
      current = def.element;
    } else if (def.type === 'record' && typeof key === 'string') {
      current = def.valueType;
    } else {
      return undefined;
    }
  }
  return current;
}

function expressionPaths(value: unknown, path: Array<string | number>, out: Path[]): void {
  if (isExpression(value)) {
    out.push([...path]);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      path.push(i);
      expressionPaths(v, path, out);
      path.pop();
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      path.push(k);
      expressionPaths(v, path, out);
      path.pop();
    }
  }
}

function getAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

interface CopyNode {
  /** Index into the values for a leaf; -1 for a container on the way. */
  leaf: number;
  keys: Array<string | number>;
  children: CopyNode[];
}

/**
 * Compiles `paths` into a function that copies the containers along each path of a tree and
 * puts `values[i]` at `paths[i]`; everything off the paths is shared with the tree. `refill`
 * puts other values into a tree `substitute` made.
 */
function substituter(paths: readonly Path[]): {
  substitute: (base: unknown, values: readonly unknown[]) => unknown;
  refill: ((tree: unknown, values: readonly unknown[]) => void) | undefined;
} {
  const root: CopyNode = { leaf: -1, keys: [], children: [] };
  paths.forEach((path, p) => {
    if (path.length === 0) root.leaf = p;
    let node = root;
    path.forEach((key, depth) => {
      const at = node.keys.indexOf(key);
      let child = node.children[at];
      if (at === -1) {
        child = { leaf: -1, keys: [], children: [] };
        node.keys.push(key);
        node.children.push(child);
      }
      if (depth === path.length - 1) child!.leaf = p;
      node = child!;
    });
  });
  const copy = (container: unknown, node: CopyNode, values: readonly unknown[]): unknown => {
    if (node.leaf >= 0) return values[node.leaf];
    // This site sees the containers of every node type (megamorphic): copyFields and a spread
    // measured alike here (items-10k-pinned, within run-to-run noise).
    const clone = (
      Array.isArray(container) ? container.slice() : copyFields(container as object)
    ) as Record<string | number, unknown>;
    const { keys, children } = node;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      clone[key] = copy(clone[key], children[i]!, values);
    }
    return clone;
  };
  const fill = (container: unknown, node: CopyNode, values: readonly unknown[]): void => {
    const target = container as Record<string | number, unknown>;
    const { keys, children } = node;
    for (let i = 0; i < keys.length; i++) {
      const child = children[i]!;
      if (child.leaf >= 0) target[keys[i]!] = values[child.leaf];
      else fill(target[keys[i]!], child, values);
    }
  };
  return {
    substitute: (base, values) => copy(base, root, values),
    // A tree made by `substitute` has its own containers on every path: refill them in place.
    refill: root.leaf >= 0 ? undefined : (tree, values) => fill(tree, root, values),
  };
}

export interface NodeRef {
  name: string;
  type: string;
  typeVersion: number;
}

/** Returns the validated leaf value, or `INVALID`. */
type LeafCheck = (value: unknown) => unknown;

const INVALID: unique symbol = Symbol('invalid');

/**
 * A check of one leaf value that gives zod's answer without a zod parse for the common leaf
 * types (`unknown`, `any`, unrefined `string`, `number`, `boolean`, optionally wrapped in
 * `optional`/`nullable`); other schemas and values that do not pass use `safeParse`.
 */
function leafCheck(schema: ZodType): LeafCheck {
  const slow: LeafCheck = (value) => {
    const result = schema.safeParse(value);
    return result.success ? result.data : INVALID;
  };
  let inner = schema;
  let def = defOf(inner);
  while ((def.type === 'optional' || def.type === 'nullable') && def.innerType) {
    inner = def.innerType;
    def = defOf(inner);
  }
  if (def.checks && def.checks.length > 0) return slow;
  let accepts: ((value: unknown) => boolean) | undefined;
  switch (def.type) {
    case 'unknown':
    case 'any':
      accepts = () => true;
      break;
    case 'string':
      accepts = (v) => typeof v === 'string';
      break;
    case 'number':
      accepts = (v) => typeof v === 'number' && Number.isFinite(v);
      break;
    case 'boolean':
      accepts = (v) => typeof v === 'boolean';
      break;
  }
  if (!accepts) return slow;
  const test = accepts;
  return (value) => (value !== undefined && value !== null && test(value) ? value : slow(value));
}

/** Validates the resolved parameters of one item (`itemIndex` is for error messages). */
export interface ItemParamsValidator<P> {
  /** From a whole resolved parameter tree. */
  readonly fromTree: (resolved: JsonValue, itemIndex: number) => P;
  /**
   * From the expression values alone, one per path of `paths` (see `resolveParameterValues`).
   * With `reuse` (one per node run, for nodes with `transientParams`), the tree it returns for one
   * item may be refilled for the next.
   */
  readonly fromValues: (
    values: readonly JsonValue[],
    itemIndex: number,
    reuse?: { tree?: unknown },
  ) => P;
}

function samePaths(a: readonly Path[], b: readonly Path[]): boolean {
  return a.length === b.length && a.every((p, i) => deepEqual(p, b[i]));
}

/**
 * Validates per-item resolved parameters. Item 0 is validated in full; when every expression
 * sits where its own schema decides alone (see `leafSchemaAt`), the other items only validate
 * their expression values and reuse item 0's validated tree, which turns a full zod parse per
 * item (10-20 µs for Set or Filter parameters) into a few leaf checks. Anything unusual falls
 * back to validating the whole tree, so results and error messages are the same either way.
 * `valuePaths` (from the evaluator) must list the expression paths of `rawParams`, in document order.
 */
export function createItemParamsValidator<P>(
  schema: ZodType<P>,
  rawParams: JsonValue,
  node: NodeRef,
  valuePaths?: readonly Path[],
): ItemParamsValidator<P> {
  const found: Path[] = [];
  expressionPaths(rawParams, [], found);
  if (valuePaths && !samePaths(found, valuePaths)) {
    throw new Error(`node '${node.name}': the evaluator reported other expression paths`);
  }
  const paths = found;
  const full = (value: JsonValue, itemIndex: number) =>
    validateParams(schema, value, node, itemIndex);
  const leaves = paths.map((path) => leafSchemaAt(schema, path));
  const shortcut = paths.length > 0 && leaves.every((leaf) => leaf !== undefined);
  const checks = shortcut ? leaves.map((leaf) => leafCheck(leaf)) : [];
  const { substitute, refill } = substituter(paths);

  let base: { params: P; values: readonly unknown[] } | undefined;
  let usable = shortcut;
  /** `raw`: the unvalidated leaf values; `resolved`: the whole tree, when the caller has one. */
  const fromLeaves = (
    raw: readonly unknown[],
    resolved: JsonValue | undefined,
    itemIndex: number,
    reuse?: { tree?: unknown },
  ): P => {
    if (!usable) return full(treeOf(raw, resolved), itemIndex);
    // The checks return the raw value itself unless zod converts it: copy only then.
    let values: unknown[] | readonly unknown[] = raw;
    for (let i = 0; i < paths.length; i++) {
      const value = checks[i]!(raw[i]);
      // A failing leaf: the full validation reports it with the node's usual message.
      if (value === INVALID) return full(treeOf(raw, resolved), itemIndex);
      if (value !== raw[i]) {
        if (values === raw) values = raw.slice();
        (values as unknown[])[i] = value;
      }
    }
    if (!base) {
      const params = full(treeOf(raw, resolved), itemIndex);
      // The validated tree must hold each leaf as validated alone, else the shortcut is unsafe.
      usable = paths.every((path, i) => deepEqual(getAt(params, path), values[i]));
      base = { params, values };
      return params;
    }
    // The same values as the base (a single item resolving as in the previous run): share it.
    // Parameters are never mutated by nodes (literal parameters are shared the same way).
    const known = base.values;
    let same = true;
    for (let i = 0; i < values.length && same; i++) same = Object.is(values[i], known[i]);
    if (same) return base.params;
    if (reuse && refill) {
      if (reuse.tree === undefined) reuse.tree = substitute(base.params, values);
      else refill(reuse.tree, values);
      return reuse.tree as P;
    }
    return substitute(base.params, values) as P;
  };
  const treeOf = (values: readonly unknown[], resolved: JsonValue | undefined): JsonValue =>
    resolved !== undefined || paths.length === 0
      ? (resolved ?? rawParams)
      : (substitute(rawParams, values) as JsonValue);
  return {
    fromTree: (resolved, itemIndex) =>
      fromLeaves(
        paths.map((path) => getAt(resolved, path)),
        resolved,
        itemIndex,
      ),
    fromValues: (values, itemIndex, reuse) => fromLeaves(values, undefined, itemIndex, reuse),
  };
}
