import type { BinaryRef, Item, JsonObject, JsonValue } from '@budflow/node-sdk';
import { NodeError } from '@budflow/node-sdk';
import { cloneJson } from './fields.js';
import { defineOwn, getField, hasForbiddenKey, setField, setPath, unsetPath } from './paths.js';

/**
 * Behaviour generations of "split out": `v1` (Item Lists 1: one field, arrays only), `v2` (Item
 * Lists 2: several fields, objects split by value, a missing field or a scalar is an error), `v2.1`
 * (a missing field gives nothing), `v2.2` (scalars become one-entry lists; also Item Lists 3) and
 * `current` (the Split Out node: `$binary`, binaries, dotted destinations).
 */
export type SplitOutVariant = 'v1' | 'v2' | 'v2.1' | 'v2.2' | 'current';

export interface SplitOutParams {
  fieldToSplitOut: string;
  include: 'noOtherFields' | 'allOtherFields' | 'selectedOtherFields';
  fieldsToInclude: string[];
  destinationFieldName: string;
  disableDotNotation: boolean;
  includeBinary: boolean;
}

const NESTED_HINT =
  "If you're trying to use a nested field, make sure you turn off 'disable dot notation' in the node options";

/** A destination that would walk into a prototype is ignored: the source field name is used. */
function safeDestination(name: string): string {
  return hasForbiddenKey(name) ? '' : name;
}

function notFound(field: string, itemIndex: number, dotNotation: boolean): NodeError {
  return new NodeError(`Couldn't find the field '${field}' in the input data`, {
    itemIndex,
    description: field.includes('.') && !dotNotation ? NESTED_HINT : undefined,
  });
}

/** Splits one input item into several, per n8n's Split Out rules for `variant`. */
export function splitOutItem(
  item: Item,
  itemIndex: number,
  params: SplitOutParams,
  variant: SplitOutVariant,
): Item[] {
  const dot = !params.disableDotNotation;
  if (variant === 'v1') return splitOutLegacy(item, itemIndex, params);

  let fields = params.fieldToSplitOut.split(',').map((field) => field.trim());
  if (variant === 'current') fields = fields.map((field) => field.replace(/^\$json\./, ''));
  const destinations = params.destinationFieldName
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '')
    .map(safeDestination);
  if (destinations.length && destinations.length !== fields.length) {
    throw new NodeError(
      'If multiple fields to split out are given, the same number of destination fields must be given',
      { itemIndex },
    );
  }
  const multiSplit = fields.length > 1;
  const source: JsonObject = { ...item.json };
  const parts: Array<{ json: Record<string, unknown>; binary?: Record<string, BinaryRef> }> = [];

  fields.forEach((field, entryIndex) => {
    const destination = destinations[entryIndex] ?? '';
    let list: unknown[];
    if (variant === 'current' && field === '$binary') {
      list = Object.entries(item.binary ?? {}).map(([key, value]) => ({ [key]: value }));
    } else {
      let value: unknown = getField(source, field, dot);
      if (value === undefined) {
        if (variant === 'v2') throw notFound(field, itemIndex, dot);
        value = [];
      }
      if (typeof value !== 'object' || value === null) {
        if (variant === 'v2' || variant === 'v2.1') {
          throw new NodeError(`The provided field '${field}' is not an array or object`, {
            itemIndex,
          });
        }
        value = [value];
      }
      list = Array.isArray(value) ? value : Object.values(value as object);
    }
    list.forEach((element, elementIndex) => {
      const part = (parts[elementIndex] ??= { json: {} });
      if (variant === 'current' && field === '$binary') {
        part.binary ??= {};
        for (const [key, ref] of Object.entries(element as Record<string, BinaryRef>)) {
          defineOwn(part.binary, key, ref);
        }
        return;
      }
      const name = destination || field;
      if (
        typeof element === 'object' &&
        element !== null &&
        params.include === 'noOtherFields' &&
        destination === '' &&
        !multiSplit
      ) {
        part.json = { ...part.json, ...element };
      } else if (variant === 'current' && destination !== '' && dot) {
        // Split Out writes a destination with dot notation (`data.foo` nests)
        setPath(part.json, destination, element);
      } else {
        defineOwn(part.json, name, element);
      }
    });
  });

  const out: Item[] = [];
  for (const part of parts) {
    if (part === undefined) continue;
    let json = part.json;
    if (params.include === 'allOtherFields') {
      const copy = cloneJson(source) as Record<string, unknown>;
      for (const field of fields) {
        if (dot) unsetPath(copy, field);
        else delete copy[field];
      }
      json = { ...copy, ...part.json };
    } else if (params.include === 'selectedOtherFields') {
      if (!params.fieldsToInclude.length) {
        throw new NodeError('No fields specified', {
          itemIndex,
          description: 'Please add a field to include',
        });
      }
      for (const field of params.fieldsToInclude) {
        defineOwn(json, field, cloneJson(getField(source, field, dot)));
      }
    }
    const next: Item = { json: json as JsonObject, pairedItem: { item: itemIndex } };
    if (part.binary) next.binary = part.binary;
    if (variant === 'current' && params.includeBinary && item.binary && !next.binary) {
      next.binary = item.binary;
    }
    out.push(next);
  }
  return out;
}

function splitOutLegacy(item: Item, itemIndex: number, params: SplitOutParams): Item[] {
  const dot = !params.disableDotNotation;
  const field = params.fieldToSplitOut;
  const value: JsonValue | undefined = getField(item.json, field, dot);
  if (value === undefined) throw notFound(field, itemIndex, dot);
  if (!Array.isArray(value)) {
    throw new NodeError(`The provided field '${field}' is not an array`, { itemIndex });
  }
  const list: JsonValue[] = value;
  const destination = safeDestination(params.destinationFieldName);
  const out: Item[] = [];
  for (const element of list) {
    let json: Record<string, unknown> = {};
    if (params.include === 'selectedOtherFields') {
      if (!params.fieldsToInclude.length) {
        throw new NodeError('No fields specified', {
          itemIndex,
          description: 'Please add a field to include',
        });
      }
      for (const name of params.fieldsToInclude) {
        if (name === field) continue;
        defineOwn(json, name, cloneJson(getField(item.json, name, dot)));
      }
    } else if (params.include === 'allOtherFields') {
      json = cloneJson({ ...item.json });
      if (dot) unsetPath(json, field);
      else delete json[field];
    }
    if (typeof element === 'object' && params.include === 'noOtherFields' && destination === '') {
      json = { ...json, ...element };
    } else {
      setField(json, destination || field, element, false);
    }
    out.push({ json: json as JsonObject, pairedItem: { item: itemIndex } });
  }
  return out;
}
