import { defineNode, NodeError, type JsonObject } from '@budflow/node-sdk';
import { z } from 'zod';
import { cloneJson } from './internal/fields.js';
import { defineOwn, getPath, hasForbiddenKey, setPath, unsetPath } from './internal/paths.js';
import { assertSafeRegex } from './internal/regex-safety.js';
import { bool, num, str } from './internal/schema.js';

export const renameKeysParams = () =>
  z.object({
    keys: z
      .object({ key: z.array(z.object({ currentKey: str(), newKey: str() })).default([]) })
      .prefault({}),
    additionalOptions: z
      .object({
        regexReplacement: z
          .object({
            replacements: z
              .array(
                z.object({
                  searchRegex: str(),
                  replaceRegex: str(),
                  options: z.object({ caseInsensitive: bool(), depth: num(-1) }).prefault({}),
                }),
              )
              .default([]),
          })
          .prefault({}),
      })
      .prefault({}),
  });

/** Renames keys matching `regex` down to `depth` levels (-1: all), in place. */
function renameByRegex(value: unknown, regex: RegExp, replacement: string, depth: number): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    if (depth !== 0) for (const entry of value) renameByRegex(entry, regex, replacement, depth - 1);
    return;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (typeof object[key] === 'object' && depth !== 0) {
      renameByRegex(object[key], regex, replacement, depth - 1);
    }
    if (!regex.test(key)) continue;
    const next = key.replace(regex, replacement);
    if (next === key) continue;
    defineOwn(object, next, object[key]);
    delete object[key];
  }
}

/** n8n's Rename Keys node: explicit renames (dot notation) then regex renames. */
export const renameKeysNode = defineNode({
  type: 'budflow.renameKeys',
  version: 1,
  title: 'Rename Keys',
  description: 'Update item field names',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.renameKeys', versions: [1] } },
  params: renameKeysParams,
  async perItem(ctx) {
    const source = ctx.item.json;
    const json = cloneJson(source) as Record<string, unknown>;
    for (const { currentKey, newKey } of ctx.params.keys.key) {
      if (currentKey === '' || newKey === '' || currentKey === newKey) continue;
      if (hasForbiddenKey(newKey)) {
        throw new NodeError(`Invalid new key name '${newKey}'`, {
          itemIndex: ctx.itemIndex,
          description: "Key names may not contain '__proto__', 'constructor' or 'prototype'",
        });
      }
      const value = getPath(source, currentKey);
      if (value === undefined) continue;
      setPath(json, newKey, cloneJson(value));
      unsetPath(json, currentKey);
    }
    for (const replacement of ctx.params.additionalOptions.regexReplacement.replacements) {
      let regex: RegExp;
      try {
        regex = new RegExp(
          replacement.searchRegex,
          replacement.options.caseInsensitive ? 'i' : undefined,
        );
      } catch (error) {
        throw new NodeError(`Invalid regular expression '${replacement.searchRegex}'`, {
          itemIndex: ctx.itemIndex,
          cause: error,
        });
      }
      await assertSafeRegex(regex.source, regex.flags, ctx.itemIndex);
      renameByRegex(json, regex, replacement.replaceRegex, replacement.options.depth);
    }
    const out: { json: JsonObject; binary?: typeof ctx.item.binary; pairedItem: { item: number } } =
      {
        json: json as JsonObject,
        pairedItem: { item: ctx.itemIndex },
      };
    if (ctx.item.binary) out.binary = ctx.item.binary;
    return out;
  },
});
