/**
 * n8n's filter-conditions model (the `filter` parameter type of If v2, Switch v3, Filter v2):
 * typed operators on a left and right value, loose or strict type validation, case sensitivity,
 * combined with `and`/`or`.
 */
import type { DateTime } from 'luxon';
import { z } from 'zod';
import { validateFieldType, type FieldValidation } from './field-type.js';
import { lazySchema } from './lazy-schema.js';

export type FilterOperatorType =
  'string' | 'number' | 'boolean' | 'array' | 'object' | 'dateTime' | 'any';

export interface FilterOperator {
  type: FilterOperatorType | (string & {});
  operation: string;
  rightType?: FilterOperatorType | (string & {});
  singleValue?: boolean;
}

export interface FilterCondition {
  id?: string;
  leftValue?: unknown;
  rightValue?: unknown;
  operator: FilterOperator;
}

export interface FilterOptions {
  caseSensitive?: boolean;
  typeValidation?: 'strict' | 'loose';
  /** Behaviour version of the model: 2 parses booleans strictly first, 3 treats '' as empty. */
  version?: number;
  leftValue?: unknown;
}

export interface FilterValue {
  options: FilterOptions;
  conditions: FilterCondition[];
  combinator: 'and' | 'or';
}

const operatorSchema = lazySchema(() =>
  z.looseObject({
    type: z.string().default('string'),
    operation: z.string().default('equals'),
    rightType: z.string().optional(),
    singleValue: z.boolean().optional(),
  }),
);

/** zod schema of a filter parameter; an unset parameter (`{}`) has no conditions. */
export const filterValueSchema = lazySchema(
  () =>
    z
      .looseObject({
        options: z
          .looseObject({
            caseSensitive: z.boolean().optional(),
            typeValidation: z.enum(['strict', 'loose']).optional(),
            version: z.number().optional(),
            leftValue: z.unknown().optional(),
          })
          .default({}),
        conditions: z
          .array(
            z.looseObject({
              id: z.string().optional(),
              leftValue: z.unknown().optional(),
              rightValue: z.unknown().optional(),
              operator: operatorSchema().default({ type: 'string', operation: 'equals' }),
            }),
          )
          .default([]),
        combinator: z.enum(['and', 'or']).default('and'),
      })
      .default({
        options: {},
        conditions: [],
        combinator: 'and',
      }) as unknown as z.ZodType<FilterValue>,
);

/** A condition failed type validation; `description` says how to fix it. */
export class FilterError extends Error {
  override name = 'FilterError';
  constructor(
    message: string,
    readonly description: string,
  ) {
    super(message);
  }
}

function parseSingleValue(
  value: unknown,
  type: string,
  strict: boolean,
  version: number,
): FieldValidation {
  if (type === 'any' || value === null || value === undefined)
    return { valid: true, newValue: value };
  if (type === 'boolean' && !strict) {
    if (version >= 2) {
      const result = validateFieldType('filter', value, type);
      if (result.valid) return result;
    }
    return { valid: true, newValue: Boolean(value) };
  }
  if (type === 'number') {
    if (typeof value === 'number' && Number.isNaN(value)) return { valid: true, newValue: value };
    const emptyString = typeof value === 'string' && value.trim() === '';
    const emptyArray = Array.isArray(value) && value.length === 0;
    if ((emptyString || emptyArray) && version >= 3) return { valid: true, newValue: null };
  }
  return validateFieldType('filter', value, type, { strict, parseStrings: true });
}

const withArticle = (noun: string): string =>
  `${'aeiou'.includes(noun.charAt(0)) ? 'an' : 'a'} ${noun}`;

interface ConditionMeta {
  index: number;
  itemIndex: number;
}

function parseConditionValues(
  condition: FilterCondition,
  options: FilterOptions,
  meta: ConditionMeta,
): { left: unknown; right: unknown } {
  const strict = options.typeValidation === 'strict';
  const version = options.version ?? 1;
  const { operator } = condition;
  const rightType = operator.rightType ?? operator.type;
  const left = parseSingleValue(condition.leftValue, operator.type, strict, version);
  const right = parseSingleValue(condition.rightValue, rightType, strict, version);
  const rightValid = right.valid || !!operator.singleValue;
  if (!left.valid || !rightValid) {
    throw conditionTypeError(condition, strict, left.valid, rightValid, meta);
  }
  return { left: left.newValue, right: right.valid ? right.newValue : undefined };
}

/** The error for a condition whose first or second value has the wrong type (n8n's texts). */
function conditionTypeError(
  condition: FilterCondition,
  strict: boolean,
  leftValid: boolean,
  rightValid: boolean,
  meta: ConditionMeta,
): FilterError {
  const { operator } = condition;
  const rightType = operator.rightType ?? operator.type;
  const suffix = `[condition ${meta.index}, item ${meta.itemIndex}]`;
  const typeHint = strict
    ? "Try changing the type of comparison. Alternatively you can enable 'Convert types where required'."
    : 'Try changing the type of the comparison.';
  const invalidMessage = (type: string, fromType: string, value: unknown) =>
    strict
      ? `Wrong type: '${String(value)}' is ${withArticle(fromType)} but was expecting ${withArticle(type)} ${suffix}`
      : `Conversion error: the ${fromType} '${String(value)}' can't be converted to ${withArticle(type)} ${suffix}`;
  const invalidDescription = (type: string, position: 'first' | 'second') => {
    const conversion = { string: '.toString()', number: '.toNumber()', boolean: '.toBoolean()' }[
      type
    ];
    if (strict && conversion) {
      return `\n<p>Try either:</p>\n<ol>\n  <li>Enabling 'Convert types where required'</li>\n  <li>Converting the ${position} field to ${withArticle(type)} by adding <code>${conversion}</code></li>\n</ol>\n\t\t\t`;
    }
    return typeHint;
  };

  const leftType = typeof condition.leftValue;
  const rightValueType = typeof condition.rightValue;
  if (!leftValid && !rightValid && leftType === rightValueType) {
    return new FilterError(
      `Comparison type expects ${withArticle(operator.type)} but both fields are ${withArticle(leftType)}`,
      typeHint,
    );
  }
  if (!leftValid) {
    return new FilterError(
      invalidMessage(operator.type, leftType, condition.leftValue),
      invalidDescription(operator.type, 'first'),
    );
  }
  return new FilterError(
    invalidMessage(rightType, rightValueType, condition.rightValue),
    invalidDescription(rightType, 'second'),
  );
}

/** Builds a RegExp from `/pattern/flags` or a bare pattern. */
export function parseRegex(pattern: string, ignoreCase = false): RegExp {
  const match = (pattern || '').match(/^\/(.*?)\/([gimusy]*)$/);
  if (!match) return new RegExp(pattern || '', ignoreCase ? 'i' : '');
  let flags = match[2] ?? '';
  if (ignoreCase && !flags.includes('i')) flags += 'i';
  return new RegExp(match[1] ?? '', flags);
}

function arrayContains(list: unknown[], value: unknown, ignoreCase: boolean): boolean {
  if (ignoreCase && typeof value === 'string') {
    const wanted = value.toLocaleLowerCase();
    return list.some((entry) => typeof entry === 'string' && entry.toLocaleLowerCase() === wanted);
  }
  return list.includes(value);
}

/** Evaluates one condition; throws `FilterError` when a value has the wrong type. */
export function executeFilterCondition(
  condition: FilterCondition,
  options: FilterOptions,
  meta: ConditionMeta = { index: 0, itemIndex: 0 },
): boolean {
  const ignoreCase = !options.caseSensitive;
  const { operator } = condition;
  const operation = operator.operation;
  let { left, right } = parseConditionValues(condition, options, meta);
  const exists =
    left !== undefined && left !== null && !(typeof left === 'number' && Number.isNaN(left));
  if (operation === 'exists') return exists;
  if (operation === 'notExists') return !exists;

  switch (operator.type) {
    case 'string': {
      const isRegex = operation === 'regex' || operation === 'notRegex';
      if (ignoreCase && !isRegex) {
        if (typeof left === 'string') left = left.toLocaleLowerCase();
        if (typeof right === 'string') right = right.toLocaleLowerCase();
      }
      const l = (left ?? '') as string;
      const r = (right ?? '') as string;
      switch (operation) {
        case 'empty':
          return l.length === 0;
        case 'notEmpty':
          return l.length !== 0;
        case 'equals':
          return l === r;
        case 'notEquals':
          return l !== r;
        case 'contains':
          return l.includes(r);
        case 'notContains':
          return !l.includes(r);
        case 'startsWith':
          return l.startsWith(r);
        case 'notStartsWith':
          return !l.startsWith(r);
        case 'endsWith':
          return l.endsWith(r);
        case 'notEndsWith':
          return !l.endsWith(r);
        case 'regex':
          return parseRegex(r, ignoreCase).test(l);
        case 'notRegex':
          return !parseRegex(r, ignoreCase).test(l);
      }
      break;
    }
    case 'number': {
      const l = left as number;
      const r = right as number;
      switch (operation) {
        case 'empty':
          return !exists;
        case 'notEmpty':
          return exists;
        case 'equals':
          return l === r;
        case 'notEquals':
          return l !== r;
        case 'gt':
          return l > r;
        case 'lt':
          return l < r;
        case 'gte':
          return l >= r;
        case 'lte':
          return l <= r;
      }
      break;
    }
    case 'dateTime': {
      if (operation === 'empty') return !exists;
      if (operation === 'notEmpty') return exists;
      const l = left as DateTime | null | undefined;
      const r = right as DateTime | null | undefined;
      if (!l || !r) return false;
      const a = l.toMillis();
      const b = r.toMillis();
      switch (operation) {
        case 'equals':
          return a === b;
        case 'notEquals':
          return a !== b;
        case 'after':
          return a > b;
        case 'before':
          return a < b;
        case 'afterOrEquals':
          return a >= b;
        case 'beforeOrEquals':
          return a <= b;
      }
      break;
    }
    case 'boolean': {
      switch (operation) {
        case 'empty':
          return !exists;
        case 'notEmpty':
          return exists;
        case 'true':
          return left as boolean;
        case 'false':
          return !(left as boolean);
        case 'equals':
          return left === right;
        case 'notEquals':
          return left !== right;
      }
      break;
    }
    case 'array': {
      const list = (left ?? []) as unknown[];
      const count = right as number;
      switch (operation) {
        case 'contains':
          return arrayContains(list, right, ignoreCase);
        case 'notContains':
          return !arrayContains(list, right, ignoreCase);
        case 'lengthEquals':
          return list.length === count;
        case 'lengthNotEquals':
          return list.length !== count;
        case 'lengthGt':
          return list.length > count;
        case 'lengthLt':
          return list.length < count;
        case 'lengthGte':
          return list.length >= count;
        case 'lengthLte':
          return list.length <= count;
        case 'empty':
          return list.length === 0;
        case 'notEmpty':
          return list.length !== 0;
      }
      break;
    }
    case 'object': {
      switch (operation) {
        case 'empty':
          return !left || Object.keys(left).length === 0;
        case 'notEmpty':
          return !!left && Object.keys(left).length !== 0;
      }
      break;
    }
  }
  // n8n logs and treats an unknown operator as "no match".
  return false;
}

/** Evaluates a whole filter for one item. */
export function executeFilter(value: FilterValue, itemIndex = 0): boolean {
  const pass = (condition: FilterCondition, index: number) =>
    executeFilterCondition(condition, value.options ?? {}, { index, itemIndex });
  if (value.combinator === 'or') return value.conditions.some(pass);
  if (value.combinator === 'and') return value.conditions.every(pass);
  return false;
}
