import { z } from 'zod';
import { LEGACY_DATA_TYPES, compareLegacy, legacyDateTime } from '../../shared/index.js';

const condition = (operation: string, value: unknown) =>
  z.looseObject({
    value1: z.unknown().default(value),
    operation: z.string().default(operation),
    value2: z.unknown().default(value),
  });

/** The `conditions` collection of If v1 and Filter v1, with n8n's defaults per data type. */
export const legacyConditionsSchema = z
  .looseObject({
    boolean: z.array(condition('equal', false)).default([]),
    dateTime: z.array(condition('after', '')).default([]),
    number: z.array(condition('smaller', 0)).default([]),
    string: z.array(condition('equal', '')).default([]),
  })
  .default({ boolean: [], dateTime: [], number: [], string: [] });
export type LegacyConditions = z.infer<typeof legacyConditionsSchema>;

/**
 * Evaluates legacy conditions for one item: `all` stops at the first failing condition, `any` at
 * the first passing one, checking boolean, date, number then string conditions.
 */
export function evaluateLegacyConditions(
  conditions: LegacyConditions,
  combine: 'all' | 'any',
): boolean {
  for (const dataType of LEGACY_DATA_TYPES) {
    for (const entry of conditions[dataType]) {
      let value1 = entry.value1;
      let value2 = entry.value2;
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
