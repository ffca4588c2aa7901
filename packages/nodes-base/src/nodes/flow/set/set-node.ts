import {
  copyFields,
  defineNode,
  type BinaryRef,
  type ExecuteContext,
  type Item,
  type JsonObject,
  type JsonValue,
} from '@budflow/node-sdk';
import {
  deepCopyJson,
  describeValue,
  getPath,
  hasRawParam,
  isUnsafeKey,
  nodeError,
  setPath,
  toJsonValue,
  unsetPath,
  validateFieldType,
} from '../../../shared/index.js';
import {
  FIELD_DEFAULTS,
  JSON_OUTPUT_DEFAULT,
  VALUE_DEFAULTS,
  setV1Params,
  setV3Params,
  type SetV1Params,
  type SetV3Params,
} from './set-params.js';

type Include = 'all' | 'none' | 'selected' | 'except';

/** Field access with or without dot notation, as the Set node's `dotNotation` option says. */
interface FieldHelper {
  get(object: JsonObject, key: string): unknown;
  set(object: JsonObject, key: string, value: unknown): void;
  unset(object: JsonObject, key: string): void;
}

/** With dot notation off, `['a.b']` and `["a.b"]` address the flat key `a.b`. */
function plainKey(object: JsonObject, key: string): string {
  if (Object.prototype.hasOwnProperty.call(object, key)) return key;
  if (/^\[(['"]).*\1\]$/.test(key)) {
    const inner = key.slice(2, -2);
    if (Object.prototype.hasOwnProperty.call(object, inner)) return inner;
  }
  return key;
}

const DOTTED_FIELDS: FieldHelper = {
  get: (object, key) => getPath(object, key),
  set: (object, key, value) => void setPath(object, key, value),
  unset: (object, key) => void unsetPath(object, key),
};

const PLAIN_FIELDS: FieldHelper = {
  get: (object, key) => {
    const k = plainKey(object, key);
    return isUnsafeKey(k) || !Object.prototype.hasOwnProperty.call(object, k)
      ? undefined
      : object[k];
  },
  set: (object, key, value) => {
    const k = plainKey(object, key);
    if (!isUnsafeKey(k)) object[k] = value as JsonValue;
  },
  unset: (object, key) => {
    const k = plainKey(object, key);
    if (!isUnsafeKey(k)) delete object[k];
  },
};

function fieldHelper(dotNotation: boolean | undefined): FieldHelper {
  return dotNotation !== false ? DOTTED_FIELDS : PLAIN_FIELDS;
}

/**
 * Before writing or removing a dotted path of a shallow copy, copies the top-level container
 * the path goes through (input items are shared with the node's input, never mutated).
 */
function ownPath(json: JsonObject, key: string, dotted: boolean): void {
  if (!dotted) return;
  const dot = key.indexOf('.');
  if (dot === -1) return;
  const first = key.slice(0, dot);
  const value = Object.prototype.hasOwnProperty.call(json, first) ? json[first] : undefined;
  if (value !== null && typeof value === 'object') json[first] = deepCopyJson(value);
}

const splitFieldList = (list: string) =>
  list
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field);

interface ComposeOptions {
  include: Include;
  dotNotation: boolean | undefined;
  includeBinary: boolean;
  includeFields: string;
  excludeFields: string;
}

/** Builds the output item: kept input fields first, then the new fields in order. */
function composeReturnItem(
  itemIndex: number,
  input: Item,
  newFields: FieldList,
  options: ComposeOptions,
): Item {
  const out: Item = { json: {}, pairedItem: { item: itemIndex } };
  if (options.includeBinary && input.binary !== undefined) out.binary = { ...input.binary };
  const helper = fieldHelper(options.dotNotation);
  // Input items are never mutated by nodes, so kept fields are shared with the input; a field
  // written or removed through a dotted path gets its top-level container copied first.
  const dotted = options.dotNotation !== false;
  switch (options.include) {
    case 'all':
      out.json = copyFields(input.json);
      break;
    case 'selected':
      for (const key of splitFieldList(options.includeFields)) {
        const value = helper.get(input.json, key);
        const target =
          options.dotNotation !== false && key.includes('.') ? key.split('.').pop()! : key;
        helper.set(out.json, target, deepCopyJson(value));
      }
      break;
    case 'except': {
      const json = { ...input.json };
      for (const key of splitFieldList(options.excludeFields)) {
        ownPath(json, key, dotted);
        helper.unset(json, key);
      }
      out.json = json;
      break;
    }
    case 'none':
      break;
  }
  const { names, values, size } = newFields;
  for (let i = 0; i < size; i++) {
    const key = names[i]!;
    if (options.include === 'all' || options.include === 'except') ownPath(out.json, key, dotted);
    helper.set(out.json, key, values[i]);
  }
  return out;
}

/**
 * The fields an item gets, in order; one list per node run, emptied for each item (no arrays or
 * tuples per item: Edit Fields runs over 10,000-item inputs).
 */
class FieldList {
  readonly names: string[] = [];
  readonly values: unknown[] = [];
  /** Entries in use (the arrays keep their storage between items). */
  size = 0;

  clear(): void {
    this.size = 0;
  }

  /** Adds a new field, or replaces the value of one added before (the last assignment wins). */
  put(name: string, value: unknown): void {
    let at = 0;
    while (at < this.size && this.names[at] !== name) at++;
    this.names[at] = name;
    this.values[at] = value;
    if (at === this.size) this.size++;
  }
}

/** Parses the JSON of `JSON Output` or an object field, repairing JavaScript-style objects. */
function parseJsonParameter(
  ctx: ExecuteContext<unknown>,
  data: unknown,
  itemIndex: number,
  entryName?: string,
): JsonObject {
  const location = entryName ? `entry "${entryName}" inside 'Fields to Set'` : "'JSON Output'";
  let parsed: unknown = data;
  if (typeof data === 'string') {
    try {
      parsed = JSON.parse(data);
    } catch {
      const recovered = data
        .replace(/'/g, '"')
        .replace(/(['"])?([a-zA-Z0-9_]+)(['"])?:/g, '"$2":')
        .replace(/,\s*([\]}])/g, '$1')
        .replace(/,+$/, '');
      try {
        parsed = JSON.parse(recovered);
      } catch {
        throw nodeError(ctx, `The ${location} in item ${itemIndex} contains invalid JSON`, {
          itemIndex,
          description: recovered === data ? data : `${recovered};\n Original input: ${data}`,
        });
      }
    }
  }
  if (
    parsed === undefined ||
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed)
  ) {
    throw nodeError(
      ctx,
      `The ${location} in item ${itemIndex} does not contain a valid JSON object`,
      { itemIndex },
    );
  }
  return parsed as JsonObject;
}

const conversionHint = (name: string) =>
  `To fix the error try to change the type for the field "${name}" or activate the option “Ignore Type Conversion Errors” to apply a less strict type validation`;

/** Validates and converts one field value (n8n's `validateEntry`). */
function validateEntry(
  ctx: ExecuteContext<unknown>,
  name: string,
  type: string,
  raw: unknown,
  itemIndex: number,
  ignoreErrors: boolean,
): unknown {
  const version = ctx.typeVersion;
  if (version >= 3.2 && (raw === undefined || raw === null)) return null;
  let value = raw;
  if (type === 'string') {
    if (version > 3 && (value === undefined || value === null)) {
      if (ignoreErrors) return null;
      throw nodeError(
        ctx,
        `'${name}' expects a ${type} but we got ${describeValue(value)} [item ${itemIndex}]`,
        { itemIndex, description: conversionHint(name) },
      );
    }
    value = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  // Values that already have the field's type pass as they are (what validateFieldType returns).
  if (
    (type === 'number' && typeof value === 'number' && !Number.isNaN(value)) ||
    (type === 'boolean' && typeof value === 'boolean') ||
    type === 'string'
  ) {
    return value;
  }
  const result = validateFieldType(name, value, type);
  if (!result.valid) {
    if (ignoreErrors) return value ?? null;
    throw nodeError(ctx, `${result.errorMessage} [item ${itemIndex}]`, {
      itemIndex,
      description: conversionHint(name),
    });
  }
  return toJsonValue(result.newValue ?? null);
}

/** A `binary` assignment: the name of a binary property of the input item, or binary data itself. */
function binaryValue(
  ctx: ExecuteContext<unknown>,
  item: Item,
  assignment: { name: string; value?: unknown },
  itemIndex: number,
): BinaryRef {
  const { name, value } = assignment;
  if (typeof value === 'string') {
    const found =
      item.binary && Object.prototype.hasOwnProperty.call(item.binary, value)
        ? item.binary[value]
        : undefined;
    if (!found) {
      throw nodeError(
        ctx,
        `This operation expects the node's input data to contain a binary file '${value}', but none was found [item ${itemIndex}]`,
        { itemIndex },
      );
    }
    return found;
  }
  if (value !== null && typeof value === 'object' && 'data' in value && 'mimeType' in value) {
    return value as BinaryRef;
  }
  throw nodeError(ctx, `Could not find binary data specified in field ${name}`, { itemIndex });
}

/** Hosts that spread the context may drop its methods; then the engine-resolved value is used. */
const canEvaluate = (ctx: ExecuteContext<unknown>) =>
  typeof (ctx as Partial<ExecuteContext<unknown>>).evaluateExpression === 'function';

/** n8n re-resolves `{{ }}` parts of raw JSON itself, writing objects as JSON text. */
async function resolveRawJson(
  ctx: ExecuteContext<unknown>,
  raw: string,
  itemIndex: number,
): Promise<string> {
  let out = raw;
  for (const match of raw.matchAll(/{{[\s\S]*?}}/g)) {
    const resolvable = match[0];
    const value = await ctx.evaluateExpression(`=${resolvable}`, itemIndex);
    out = out.replace(
      resolvable,
      typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value),
    );
  }
  return out;
}

function rawString(
  ctx: ExecuteContext<unknown>,
  path: ReadonlyArray<string | number>,
): string | undefined {
  let value: unknown = ctx.node.parameters;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return typeof value === 'string' && value.startsWith('=') ? value.replace(/^=+/, '') : undefined;
}

async function executeV3(ctx: ExecuteContext<SetV3Params>): Promise<Item[][]> {
  const version = ctx.typeVersion;
  const first = ctx.items.length > 0 ? ctx.params(0) : undefined;
  const out: Item[] = [];
  const newFields = new FieldList();
  let compose: ComposeOptions | undefined;
  for (let i = 0; i < ctx.items.length; i++) {
    const item = ctx.items[i]!;
    let newItem: Item;
    try {
      const params = ctx.params(i);
      const include: Include =
        version >= 3.3 ? (params.includeOtherFields ? params.include : 'none') : params.include;
      const options = params.options;
      // Items whose options resolve alike share one ComposeOptions (options are rarely per item).
      // Compared by value: with transient parameters one tree is refilled for every item.
      const includeBinary =
        version >= 3.4 ? !options.stripBinary && include !== 'none' : !!options.includeBinary;
      if (
        !compose ||
        compose.include !== include ||
        compose.dotNotation !== options.dotNotation ||
        compose.includeBinary !== includeBinary ||
        compose.includeFields !== params.includeFields ||
        compose.excludeFields !== params.excludeFields
      ) {
        compose = {
          include,
          dotNotation: options.dotNotation,
          includeBinary,
          includeFields: params.includeFields,
          excludeFields: params.excludeFields,
        };
      }
      const ignoreErrors = !!options.ignoreConversionErrors;
      newFields.clear();
      if (params.mode === 'raw') {
        const raw = rawString(ctx, ['jsonOutput']);
        const json =
          raw !== undefined && raw.includes('{{') && canEvaluate(ctx)
            ? await resolveRawJson(ctx, raw, i)
            : hasRawParam(ctx.node, ['jsonOutput'])
              ? params.jsonOutput
              : JSON_OUTPUT_DEFAULT;
        for (const [key, value] of Object.entries(parseJsonParameter(ctx, json, i)))
          newFields.put(key, value);
      } else if (version < 3.3) {
        for (const [index, entry] of params.fields.values.entries()) {
          let value: unknown = hasRawParam(ctx.node, ['fields', 'values', index, entry.type])
            ? entry[entry.type]
            : FIELD_DEFAULTS[entry.type];
          if (entry.type === 'objectValue' && value !== undefined && value !== null) {
            const raw = rawString(ctx, ['fields', 'values', index, 'objectValue']);
            if (raw !== undefined && raw.includes('{{') && canEvaluate(ctx)) {
              value = parseJsonParameter(ctx, await resolveRawJson(ctx, raw, i), i, entry.name);
            } else if (typeof value === 'string') {
              value = parseJsonParameter(ctx, value.replace(/^=+/, ''), i, entry.name);
            }
          }
          const type = entry.type.replace('Value', '');
          newFields.put(entry.name, validateEntry(ctx, entry.name, type, value, i, ignoreErrors));
        }
      } else {
        for (const assignment of params.assignments.assignments) {
          if (assignment.type === 'binary') continue;
          // validateEntry converts objects and arrays into new ones (toJsonValue): nothing of
          // the parameters is kept here.
          newFields.put(
            assignment.name,
            validateEntry(ctx, assignment.name, assignment.type, assignment.value, i, ignoreErrors),
          );
        }
      }
      newItem = composeReturnItem(i, item, newFields, compose);
      if (params.mode === 'manual' && version >= 3.3) {
        for (const assignment of params.assignments.assignments) {
          if (assignment.type !== 'binary') continue;
          if (isUnsafeKey(assignment.name)) continue;
          newItem.binary = {
            ...newItem.binary,
            [assignment.name]: binaryValue(ctx, item, assignment, i),
          };
        }
      }
    } catch (error) {
      if (!ctx.continueOnFail) throw error;
      // n8n puts pairedItem inside json here; keep the shape users see.
      newItem = {
        json: { error: (error as Error).message, pairedItem: { item: i } },
        pairedItem: { item: i },
      };
    }
    if (first?.duplicateItem && ctx.execution.mode === 'manual') {
      for (let j = 0; j <= first.duplicateCount; j++) out.push(newItem);
    } else {
      out.push(newItem);
    }
  }
  return [out];
}

function executeV1(ctx: ExecuteContext<SetV1Params>): Item[][] {
  const out: Item[] = [];
  for (let i = 0; i < ctx.items.length; i++) {
    const item = ctx.items[i]!;
    const params = ctx.params(i);
    const newItem: Item = { json: {}, pairedItem: { item: i } };
    if (!params.keepOnlySet) {
      if (item.binary !== undefined) newItem.binary = { ...item.binary };
      newItem.json = deepCopyJson(item.json);
    }
    const helper = fieldHelper(params.options.dotNotation);
    const valueOf = (list: keyof typeof VALUE_DEFAULTS, index: number, value: unknown) =>
      hasRawParam(ctx.node, ['values', list, index, 'value']) ? value : VALUE_DEFAULTS[list];
    params.values.boolean.forEach((entry, index) =>
      helper.set(newItem.json, entry.name, !!valueOf('boolean', index, entry.value)),
    );
    for (const [index, entry] of params.values.number.entries()) {
      let value = valueOf('number', index, entry.value);
      if (ctx.typeVersion >= 2 && typeof value === 'string' && !Number.isNaN(Number(value))) {
        value = Number(value);
      }
      helper.set(newItem.json, entry.name, toJsonValue(value));
    }
    for (const [index, entry] of params.values.string.entries()) {
      helper.set(newItem.json, entry.name, toJsonValue(valueOf('string', index, entry.value)));
    }
    out.push(newItem);
  }
  return [out];
}

/** Edit Fields (Set): adds, changes or removes item fields. */
export const setNode = defineNode({
  type: 'budflow.set',
  version: 1,
  title: 'Edit Fields (Set)',
  description: 'Modify, add, or remove item fields',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.set', versions: [1, 2, 3, 3.1, 3.2, 3.3, 3.4] } },
  outputs: [{ type: 'main' }],
  params: (typeVersion: number) => (typeVersion < 3 ? setV1Params() : setV3Params()) as never,
  // From 3.3 the node keeps only leaf values of an item's parameters (its options are compared by
  // value); earlier versions keep values of their typed lists as they are.
  transientParams: (typeVersion: number) => typeVersion >= 3.3,
  execute: (ctx: ExecuteContext<SetV1Params | SetV3Params>) =>
    ctx.typeVersion < 3
      ? executeV1(ctx as ExecuteContext<SetV1Params>)
      : executeV3(ctx as ExecuteContext<SetV3Params>),
});
