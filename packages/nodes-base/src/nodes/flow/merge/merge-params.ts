import { z } from 'zod';
import { lazySchema } from '../../../shared/index.js';

const fieldPairs = lazySchema(() =>
  z
    .looseObject({
      values: z
        .array(z.looseObject({ field1: z.string().default(''), field2: z.string().default('') }))
        .default([{ field1: '', field2: '' }]),
    })
    .default({ values: [{ field1: '', field2: '' }] }),
);

const clashHandling = lazySchema(() =>
  z
    .looseObject({
      values: z
        .looseObject({
          resolveClash: z.string().optional(),
          mergeMode: z.enum(['deepMerge', 'shallowMerge']).optional(),
          overrideEmpty: z.boolean().optional(),
        })
        .default({}),
    })
    .optional(),
);

const combineOptions = lazySchema(() =>
  z
    .looseObject({
      clashHandling: clashHandling(),
      disableDotNotation: z.boolean().optional(),
      fuzzyCompare: z.boolean().optional(),
      multipleMatches: z.enum(['all', 'first']).optional(),
      includeUnpaired: z.boolean().optional(),
    })
    .default({}),
);

const joinMode = lazySchema(() =>
  z
    .enum(['keepMatches', 'keepNonMatches', 'keepEverything', 'enrichInput1', 'enrichInput2'])
    .default('keepMatches'),
);
const outputDataFrom = lazySchema(() => z.enum(['both', 'input1', 'input2']).default('both'));

export const mergeV1Params = () =>
  z.object({
    mode: z
      .enum([
        'append',
        'keepKeyMatches',
        'mergeByIndex',
        'mergeByKey',
        'multiplex',
        'passThrough',
        'removeKeyMatches',
        'wait',
      ])
      .default('append'),
    join: z.enum(['inner', 'left', 'outer']).default('left'),
    propertyName1: z.string().default(''),
    propertyName2: z.string().default(''),
    overwrite: z.enum(['always', 'undefined', 'blank']).default('always'),
    output: z.enum(['input1', 'input2']).default('input1'),
  });
export type MergeV1Params = z.infer<ReturnType<typeof mergeV1Params>>;

export const mergeV2Params = () =>
  z.object({
    mode: z.enum(['append', 'combine', 'chooseBranch']).default('append'),
    combinationMode: z
      .enum(['mergeByFields', 'mergeByPosition', 'multiplex'])
      .default('mergeByFields'),
    mergeByFields: fieldPairs(),
    joinMode: joinMode(),
    outputDataFrom: outputDataFrom(),
    chooseBranchMode: z.string().default('waitForBoth'),
    output: z.enum(['input1', 'input2', 'empty']).default('input1'),
    options: combineOptions(),
  });
export type MergeV2Params = z.infer<ReturnType<typeof mergeV2Params>>;

export const mergeV3Params = () =>
  z.object({
    mode: z.enum(['append', 'combine', 'combineBySql', 'chooseBranch']).default('append'),
    numberInputs: z.coerce.number().int().min(2).max(10).default(2),
    combineBy: z
      .enum(['combineByFields', 'combineByPosition', 'combineAll'])
      .default('combineByFields'),
    advanced: z.boolean().default(false),
    fieldsToMatchString: z.string().default(''),
    mergeByFields: fieldPairs(),
    joinMode: joinMode(),
    outputDataFrom: outputDataFrom(),
    chooseBranchMode: z.string().default('waitForAll'),
    output: z.enum(['specifiedInput', 'empty']).default('specifiedInput'),
    useDataOfInput: z.coerce.number().int().min(1).default(1),
    query: z.string().optional(),
    options: combineOptions(),
  });
export type MergeV3Params = z.infer<ReturnType<typeof mergeV3Params>>;
