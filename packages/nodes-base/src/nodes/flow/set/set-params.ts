import { z } from 'zod';
import { lazySchema } from '../../../shared/index.js';

/** Set v1/v2: typed value lists (`values.string`, `values.number`, `values.boolean`). */
export const setV1Params = () =>
  z.object({
    keepOnlySet: z.boolean().default(false),
    values: z
      .looseObject({
        boolean: z
          .array(
            z.object({ name: z.string().default('propertyName'), value: z.unknown().optional() }),
          )
          .default([]),
        number: z
          .array(
            z.object({ name: z.string().default('propertyName'), value: z.unknown().optional() }),
          )
          .default([]),
        string: z
          .array(
            z.object({ name: z.string().default('propertyName'), value: z.unknown().optional() }),
          )
          .default([]),
      })
      .default({ boolean: [], number: [], string: [] }),
    // Collection options carry no defaults in n8n: an unset option is `undefined`.
    options: z.looseObject({ dotNotation: z.boolean().optional() }).default({}),
  });
export type SetV1Params = z.infer<ReturnType<typeof setV1Params>>;

const fieldV3 = lazySchema(() =>
  z.looseObject({
    name: z.string().default(''),
    type: z
      .enum(['stringValue', 'numberValue', 'booleanValue', 'arrayValue', 'objectValue'])
      .default('stringValue'),
    // Value defaults apply only when the key is absent from the workflow (see `fieldValue`), not
    // when an expression resolves to undefined, as in n8n.
    stringValue: z.unknown().optional(),
    numberValue: z.unknown().optional(),
    booleanValue: z.unknown().optional(),
    arrayValue: z.unknown().optional(),
    objectValue: z.unknown().optional(),
  }),
);

const assignment = lazySchema(() =>
  z.looseObject({
    id: z.string().optional(),
    name: z.string().default(''),
    value: z.unknown().optional(),
    type: z.string().default('string'),
  }),
);

/** Edit Fields (Set) v3.x: manual mapping (fields or assignments) or a JSON object. */
export const setV3Params = () =>
  z.object({
    mode: z.enum(['manual', 'raw']).default('manual'),
    duplicateItem: z.boolean().default(false),
    duplicateCount: z.coerce.number().int().min(0).default(0),
    jsonOutput: z.unknown().optional(),
    fields: z.looseObject({ values: z.array(fieldV3()).default([]) }).default({ values: [] }),
    assignments: z
      .looseObject({ assignments: z.array(assignment()).default([]) })
      .default({ assignments: [] }),
    include: z.enum(['all', 'none', 'selected', 'except']).default('all'),
    includeOtherFields: z.boolean().default(false),
    includeFields: z.string().default(''),
    excludeFields: z.string().default(''),
    options: z
      .looseObject({
        includeBinary: z.boolean().optional(),
        stripBinary: z.boolean().optional(),
        ignoreConversionErrors: z.boolean().optional(),
        dotNotation: z.boolean().optional(),
      })
      .default({}),
  });
export type SetV3Params = z.infer<ReturnType<typeof setV3Params>>;
export type SetV3Field = z.infer<ReturnType<typeof fieldV3>>;

/** n8n's default value of each v3.0-3.2 field type. */
export const FIELD_DEFAULTS: Readonly<Record<SetV3Field['type'], unknown>> = {
  stringValue: '',
  numberValue: '',
  booleanValue: 'true',
  arrayValue: '',
  objectValue: '={}',
};

/** n8n's default value of each v1/v2 value list. */
export const VALUE_DEFAULTS = { boolean: false, number: 0, string: '' } as const;

/** n8n's default `JSON Output` of raw mode. */
export const JSON_OUTPUT_DEFAULT = '{\n  "my_field_1": "value",\n  "my_field_2": 1\n}\n';
