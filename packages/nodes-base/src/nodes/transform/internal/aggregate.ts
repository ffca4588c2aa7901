import type { BinaryRef, Item, JsonObject, JsonValue, PairedItemData } from '@budflow/node-sdk';
import { NodeError } from '@budflow/node-sdk';
import { defineOwn, getField, getPath, hasForbiddenKey, setField, setPath } from './paths.js';

export interface AggregateFieldSpec {
  fieldToAggregate: string;
  renameField?: boolean;
  outputFieldName?: string;
}

export interface AggregateIndividualOptions {
  fields: AggregateFieldSpec[];
  disableDotNotation: boolean;
  mergeLists: boolean;
  keepMissing: boolean;
  /** Item Lists before 2.1 throws when a field is in no item. */
  throwWhenMissing: boolean;
}

export interface AggregateAllOptions {
  destinationFieldName: string;
  include: 'allFields' | 'specifiedFields' | 'allFieldsExcept';
  fieldsToInclude: string[];
  fieldsToExclude: string[];
}

const NESTED_HINT =
  "If you're trying to use a nested field, make sure you turn off 'disable dot notation' in the node options";

const allPaired = (count: number): PairedItemData[] =>
  Array.from({ length: count }, (_, item) => ({ item }));

function outputName(spec: AggregateFieldSpec, dot: boolean): string {
  if (spec.outputFieldName) return spec.outputFieldName;
  const field = spec.fieldToAggregate;
  return dot && field.includes('.') ? (field.split('.').pop() ?? field) : field;
}

/** Checks the aggregate-individual-fields options; throws n8n's errors. */
export function checkIndividualFields(items: Item[], options: AggregateIndividualOptions): void {
  const { fields } = options;
  const dot = !options.disableDotNotation;
  if (!fields.length) {
    throw new NodeError('No fields specified', { description: 'Please add a field to aggregate' });
  }
  if (options.throwWhenMissing) {
    for (const { fieldToAggregate } of fields) {
      if (fieldToAggregate === '') {
        throw new NodeError('Field to aggregate is blank', {
          description: 'Please add a field to aggregate',
        });
      }
      const found = items.some((item) => getField(item.json, fieldToAggregate, dot) !== undefined);
      if (!found && !dot && fieldToAggregate.includes('.')) {
        throw new NodeError(`Couldn't find the field '${fieldToAggregate}' in the input data`, {
          description: NESTED_HINT,
        });
      }
      if (!found && !options.keepMissing) {
        throw new NodeError(`Couldn't find the field '${fieldToAggregate}' in the input data`);
      }
    }
  }
  const used: string[] = [];
  for (const spec of fields) {
    const name = spec.renameField ? (spec.outputFieldName ?? '') : spec.fieldToAggregate;
    if (used.includes(name)) {
      throw new NodeError(`The '${name}' output field is used more than once`, {
        description: 'Please make sure each output field name is unique',
      });
    }
    used.push(name);
    if (hasForbiddenKey(outputName(spec, dot))) {
      throw new NodeError(`Invalid output field name '${outputName(spec, dot)}'`);
    }
  }
}

/** Collects each field's values over `jsons` into lists on `target`. */
export function aggregateIndividual(
  jsons: JsonObject[],
  options: AggregateIndividualOptions,
  target: Record<string, unknown> = {},
): Record<string, unknown> {
  const dot = !options.disableDotNotation;
  const values = new Map<string, JsonValue[]>();
  for (const spec of options.fields) {
    if (spec.fieldToAggregate === '') continue;
    const list: JsonValue[] = [];
    values.set(outputName(spec, dot), list);
    for (const json of jsons) {
      let value = getField(json, spec.fieldToAggregate, dot);
      if (!options.keepMissing) {
        if (Array.isArray(value)) value = value.filter((entry) => entry !== null);
        else if (value === null || value === undefined) continue;
      }
      if (Array.isArray(value) && options.mergeLists) list.push(...value);
      else list.push(value as JsonValue);
    }
  }
  for (const [key, list] of values) setField(target, key, list, dot);
  return target;
}

/** Keeps, per item, the fields the include/exclude lists allow; items left empty are dropped. */
export function filterItemFields(
  jsons: JsonObject[],
  options: AggregateAllOptions,
): { kept: JsonObject[]; indexes: number[] } {
  const include = options.include === 'specifiedFields' ? options.fieldsToInclude : [];
  const exclude = options.include === 'allFieldsExcept' ? options.fieldsToExclude : [];
  if (!include.length && !exclude.length) {
    return { kept: jsons, indexes: jsons.map((_, index) => index) };
  }
  const kept: JsonObject[] = [];
  const indexes: number[] = [];
  jsons.forEach((json, index) => {
    const out: JsonObject = {};
    for (const key of Object.keys(json)) {
      if (exclude.length && exclude.includes(key)) continue;
      if (include.length && !include.includes(key)) continue;
      defineOwn(out, key, json[key]);
    }
    if (Object.keys(out).length === 0) return;
    kept.push(out);
    indexes.push(index);
  });
  return { kept, indexes };
}

/** All item data into one list under `destinationFieldName`. */
export function aggregateAll(items: Item[], options: AggregateAllOptions): Item {
  if (hasForbiddenKey(options.destinationFieldName)) {
    throw new NodeError(`Invalid destination field name '${options.destinationFieldName}'`);
  }
  const { kept, indexes } = filterItemFields(
    items.map((item) => item.json),
    options,
  );
  return {
    json: { [options.destinationFieldName]: kept },
    pairedItem: indexes.map((item) => ({ item })),
  };
}

export function aggregateIndividualItem(items: Item[], options: AggregateIndividualOptions): Item {
  checkIndividualFields(items, options);
  const json = aggregateIndividual(
    items.map((item) => item.json),
    options,
  );
  return { json: json as JsonObject, pairedItem: allPaired(items.length) };
}

/** Whether one path is the other or lies inside it (`a` vs `a.b`). */
function pathsConflict(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/** The Aggregate node's "group by" mode: one output item per distinct combination of values. */
export function aggregateGrouped(
  items: Item[],
  groupBy: string[],
  mode:
    | { kind: 'individual'; options: AggregateIndividualOptions }
    | { kind: 'all'; options: AggregateAllOptions },
): Array<{ item: Item; members: number[] }> {
  if (mode.kind === 'individual') {
    checkIndividualFields(items, mode.options);
    const dot = !mode.options.disableDotNotation;
    for (const spec of mode.options.fields) {
      const name = spec.renameField ? (spec.outputFieldName ?? '') : outputName(spec, dot);
      const conflict = groupBy.find((field) => pathsConflict(name, field));
      if (conflict !== undefined) {
        throw new NodeError(
          `The output field '${name}' conflicts with a Group By field '${conflict}'`,
          {
            description: 'Please rename the aggregated field or choose a different Group By field',
          },
        );
      }
    }
  } else {
    const destination = mode.options.destinationFieldName;
    const conflict = groupBy.find((field) => pathsConflict(destination, field));
    if (conflict !== undefined) {
      throw new NodeError(
        `The destination field '${destination}' conflicts with a Group By field '${conflict}'`,
        { description: 'Please choose a different destination field name or Group By field' },
      );
    }
  }
  const groups = new Map<string, { values: Array<JsonValue | undefined>; members: number[] }>();
  items.forEach((item, index) => {
    const values = groupBy.map((field) => {
      const value = getPath(item.json, field);
      if (typeof value === 'object' && value !== null) {
        throw new NodeError(
          `Field "${field}" has a non-scalar value which cannot be used for grouping.`,
          {
            itemIndex: index,
            description:
              'Only scalar values (string, number, boolean, null) can be used in "Group By Fields".',
          },
        );
      }
      return value;
    });
    const key = JSON.stringify(values);
    const group = groups.get(key) ?? { values, members: [] };
    group.members.push(index);
    groups.set(key, group);
  });
  const out: Array<{ item: Item; members: number[] }> = [];
  for (const group of groups.values()) {
    const json: Record<string, unknown> = {};
    groupBy.forEach((field, index) => setPath(json, field, group.values[index]));
    const members = group.members.map((index) => items[index]!.json);
    if (mode.kind === 'all') {
      defineOwn(
        json,
        mode.options.destinationFieldName,
        filterItemFields(members, mode.options).kept,
      );
    } else {
      aggregateIndividual(members, mode.options, json);
    }
    out.push({
      item: { json: json as JsonObject, pairedItem: { item: group.members[0]! } },
      members: group.members,
    });
  }
  return out;
}

/** Copies the binaries of `sources` onto `target`, suffixing clashing keys (`data_1`). */
export function addBinaries(target: Item, sources: Item[], uniqueOnly: boolean): Item {
  const seen: Array<Omit<BinaryRef, 'data'>> = [];
  for (const source of sources) {
    if (!source.binary) continue;
    for (const [key, binary] of Object.entries(source.binary)) {
      if (uniqueOnly) {
        const duplicate = seen.some(
          (other) =>
            other.mimeType === binary.mimeType &&
            other.fileType === binary.fileType &&
            other.fileSize === binary.fileSize &&
            other.fileExtension === binary.fileExtension,
        );
        if (duplicate) continue;
        seen.push({
          mimeType: binary.mimeType,
          fileType: binary.fileType,
          fileSize: binary.fileSize,
          fileExtension: binary.fileExtension,
        });
      }
      target.binary ??= {};
      let name = key;
      for (let i = 1; target.binary[name] !== undefined; i++) name = `${key}_${i}`;
      defineOwn(target.binary, name, binary);
    }
  }
  return target;
}
