/** zod building blocks for n8n-shaped parameters (defaults as n8n's UI writes them). */
import { z } from 'zod';
import { prepareFieldsArray } from './fields.js';

export const str = (fallback = '') => z.string().default(fallback);
export const bool = (fallback = false) =>
  z.preprocess(
    (value) => (value === 'true' ? true : value === 'false' ? false : value),
    z.boolean().default(fallback),
  );
export const num = (fallback: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
    z.number().default(fallback),
  );

/** A comma-separated string or a list of names, as a list. */
export const fieldNames = () =>
  z
    .union([z.string(), z.array(z.string())])
    .default('')
    .transform((value) => prepareFieldsArray(value));

/** n8n's older fixedCollection of names: `{ fields: [{ fieldName }] }`, as a list. */
export const fieldNameCollection = () =>
  z
    .object({ fields: z.array(z.object({ fieldName: z.string().default('') })).default([]) })
    .prefault({})
    .transform((value) => value.fields.map((entry) => entry.fieldName));

/** An n8n `collection` of options: every key optional, absent means `{}`. */
export const options = <T extends z.ZodRawShape>(shape: T) =>
  z.looseObject(shape).prefault({} as z.input<z.ZodObject<T>>);

/** Any of n8n's shapes for a list of field names (string, list, or `{ fields: [...] }`). */
export const anyFieldNames = () =>
  z
    .union([
      z.string(),
      z.array(z.string()),
      z.object({ fields: z.array(z.object({ fieldName: z.string().default('') })).default([]) }),
    ])
    .default('')
    .transform((value) =>
      typeof value === 'object' && !Array.isArray(value)
        ? value.fields.map((entry) => entry.fieldName)
        : prepareFieldsArray(value),
    );
