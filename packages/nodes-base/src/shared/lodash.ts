/**
 * The lodash functions nodes share (n8n's equality, ordering and merge semantics), loaded when the
 * first node that needs them runs: as ES modules they are ~130 files, ~50 ms and ~0.75 MB of heap
 * at start-up for every process that imports this package. A node's run starts with
 * `withLodash(...)` or `await loadLodash()`; the synchronous helpers below it then call `lodash()`.
 */
import type assign from 'lodash-es/assign.js';
import type assignWith from 'lodash-es/assignWith.js';
import type isEqual from 'lodash-es/isEqual.js';
import type lt from 'lodash-es/lt.js';
import type merge from 'lodash-es/merge.js';
import type mergeWith from 'lodash-es/mergeWith.js';
import { loadOnce } from './load-once.js';

export interface LodashParts {
  isEqual: typeof isEqual;
  lt: typeof lt;
  merge: typeof merge;
  mergeWith: typeof mergeWith;
  assign: typeof assign;
  assignWith: typeof assignWith;
}

let parts: LodashParts | undefined;

/** Loads the lodash functions (once); `lodash()` returns them afterwards. */
export const loadLodash = loadOnce(async (): Promise<LodashParts> => {
  const [isEqual, lt, merge, mergeWith, assign, assignWith] = await Promise.all([
    import('lodash-es/isEqual.js'),
    import('lodash-es/lt.js'),
    import('lodash-es/merge.js'),
    import('lodash-es/mergeWith.js'),
    import('lodash-es/assign.js'),
    import('lodash-es/assignWith.js'),
  ]);
  parts = {
    isEqual: isEqual.default,
    lt: lt.default,
    merge: merge.default,
    mergeWith: mergeWith.default,
    assign: assign.default,
    assignWith: assignWith.default,
  };
  return parts;
});

/** Runs `run` once lodash is loaded: at once (no promise) from the second time on. */
export function withLodash<T>(run: () => T): T | Promise<T> {
  return parts ? run() : loadLodash().then(run);
}

/** The loaded lodash functions, after `loadLodash()` or inside `withLodash` (else it throws). */
export function lodash(): LodashParts {
  if (!parts)
    throw new Error(
      'lodash used before it was loaded: await loadLodash() or use withLodash() first',
    );
  return parts;
}
