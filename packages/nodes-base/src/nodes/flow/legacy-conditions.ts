import type { NodeInfo } from '@budflow/node-sdk';
import { z } from 'zod';
import {
  LEGACY_DATA_TYPES,
  compareLegacy,
  hasRawParam,
  legacyDateTime,
  lazySchema,
} from '../../shared/index.js';

const condition = (operation: string) =>
  z.looseObject({
    // Values have no zod default: an expression may resolve to undefined (see `withDefaults`).
    value1: z.unknown().optional(),
    operation: z.string().default(operation),
    value2: z.unknown().optional(),
  });

/** The `conditions` collection of If v1 and Filter v1, with n8n's defaults per data type. */
export const legacyConditionsSchema = lazySchema(() =>
  z
    .looseObject({
      boolean: z.array(condition('equal')).default([]),
      dateTime: z.array(condition('after')).default([]),
      number: z.array(condition('smaller')).default([]),
      string: z.array(condition('equal')).default([]),
    })
    .default({ boolean: [], dateTime: [], number: [], string: [] }),
);
export type LegacyConditions = z.infer<ReturnType<typeof legacyConditionsSchema>>;

/** n8n's default value of `value1`/`value2` per data type. */
export const LEGACY_VALUE_DEFAULTS: Readonly<Record<string, unknown>> = {
  boolean: false,
  dateTime: '',
  number: 0,
  string: '',
};

/**
 * Evaluates legacy conditions for one item: `all` stops at the first failing condition, `any` at
 * the first passing one, checking boolean, date, number then string conditions. A value the
 * workflow leaves out gets n8n's default; one an expression resolves to undefined stays undefined.
 */
export function evaluateLegacyConditions(
  conditions: LegacyConditions,
  combine: 'all' | 'any',
  node: Pick<NodeInfo, 'parameters'>,
): boolean {
  for (const dataType of LEGACY_DATA_TYPES) {
    for (const [index, entry] of conditions[dataType].entries()) {
      const value = (key: 'value1' | 'value2') =>
        hasRawParam(node, ['conditions', dataType, index, key])
          ? entry[key]
          : LEGACY_VALUE_DEFAULTS[dataType];
      let value1 = value('value1');
      let value2 = value('value2');
      if (dataType === 'dateTime') {
        value1 = legacyDateTime(value1);
        value2 = legacyDateTime(value2);
      }
      const pass = compareLegacy(entry.operation, value1, value2);
      if (pass && combine === 'any') return true;
      if (!pass && combine === 'all') return false;
    }
  }
  return combine === 'all';
}
