import {
  defineNode,
  type ExecuteContext,
  type Item,
  type JsonObject,
  type OutputSpec,
} from '@budflow/node-sdk';
import { z } from 'zod';
import {
  FilterError,
  compareLegacy,
  executeFilter,
  filterValueSchema,
  hasRawParam,
  legacyDateTime,
  nodeError,
  toNumber,
  lazySchema,
} from '../../shared/index.js';

const legacyRule = lazySchema(() =>
  z.looseObject({
    operation: z.string().optional(),
    value2: z.unknown().optional(),
    output: z.unknown().default(0),
    outputKey: z.string().default(''),
  }),
);

const legacyDefaults: Record<string, { operation: string; value: unknown; value2: unknown }> = {
  boolean: { operation: 'equal', value: false, value2: false },
  dateTime: { operation: 'after', value: '', value2: 0 },
  number: { operation: 'smaller', value: 0, value2: 0 },
  string: { operation: 'equal', value: '', value2: '' },
};

const switchV1Params = () =>
  z.object({
    mode: z.enum(['expression', 'rules']).default('rules'),
    output: z.unknown().default(0),
    outputsAmount: z.unknown().default(4),
    dataType: z.enum(['boolean', 'dateTime', 'number', 'string']).default('number'),
    value1: z.unknown().optional(),
    rules: z.looseObject({ rules: z.array(legacyRule()).default([]) }).default({ rules: [] }),
    fallbackOutput: z.unknown().default(-1),
  });
type SwitchV1Params = z.infer<ReturnType<typeof switchV1Params>>;

const switchV3Params = () =>
  z.object({
    mode: z.enum(['expression', 'rules']).default('rules'),
    numberOutputs: z.unknown().default(4),
    output: z.unknown().optional(),
    rules: z
      .looseObject({
        values: z
          .array(
            z.looseObject({
              conditions: filterValueSchema(),
              renameOutput: z.boolean().default(false),
              outputKey: z.string().default(''),
            }),
          )
          .default([]),
      })
      .default({
        values: [
          {
            conditions: {
              options: { caseSensitive: true, leftValue: '', typeValidation: 'strict' },
              conditions: [
                {
                  leftValue: '',
                  rightValue: '',
                  operator: { type: 'string', operation: 'equals' },
                },
              ],
              combinator: 'and',
            },
            renameOutput: false,
            outputKey: '',
          },
        ],
      }),
    looseTypeValidation: z.boolean().default(false),
    options: z
      .looseObject({
        fallbackOutput: z.union([z.string(), z.number()]).optional(),
        ignoreCase: z.boolean().optional(),
        looseTypeValidation: z.boolean().optional(),
        renameFallbackOutput: z.string().optional(),
        allMatchingOutputs: z.boolean().optional(),
      })
      .default({}),
  });
type SwitchV3Params = z.infer<ReturnType<typeof switchV3Params>>;

const asNumber = (value: unknown): number => (typeof value === 'number' ? value : Number(value));

function switchOutputs(params: JsonObject, typeVersion: number): OutputSpec[] {
  const main = (name: string): OutputSpec => ({ type: 'main', name });
  const count = (value: unknown, fallback: number) => {
    const n = Number(value ?? fallback);
    return Number.isInteger(n) && n >= 0 ? n : fallback;
  };
  if (typeVersion < 2) return ['0', '1', '2', '3'].map(main);
  if (params.mode === 'expression') {
    const n = count(typeVersion < 3 ? params.outputsAmount : params.numberOutputs, 4);
    return Array.from({ length: n }, (_, i) => main(String(i)));
  }
  if (typeVersion < 3) {
    const rules = ((params.rules as JsonObject | undefined)?.rules ?? []) as JsonObject[];
    return rules.map((rule, i) =>
      main(typeof rule.outputKey === 'string' && rule.outputKey ? rule.outputKey : String(i)),
    );
  }
  // An unset rules parameter is n8n's default: one rule.
  const rules = ((params.rules as JsonObject | undefined)?.values ?? [{}]) as JsonObject[];
  const outputs = rules.map((rule, i) =>
    main(typeof rule.outputKey === 'string' && rule.outputKey ? rule.outputKey : String(i)),
  );
  const options = (params.options ?? {}) as JsonObject;
  if (options.fallbackOutput === 'extra') {
    const name = options.renameFallbackOutput;
    outputs.push(main(typeof name === 'string' && name ? name : 'fallback'));
  }
  return outputs;
}

function executeLegacy(ctx: ExecuteContext<SwitchV1Params>): Item[][] {
  const v1 = ctx.typeVersion < 2;
  let outputs: Item[][] = v1 ? [[], [], [], []] : [];
  const checkIndex = (index: number, itemIndex: number) => {
    if (index < 0 || index >= outputs.length || !Number.isInteger(index)) {
      throw nodeError(
        ctx,
        `The ouput ${index} is not allowed. It has to be between 0 and ${outputs.length - 1}!`,
        { itemIndex },
      );
    }
  };
  itemLoop: for (let itemIndex = 0; itemIndex < ctx.items.length; itemIndex++) {
    const item = { ...ctx.items[itemIndex]!, pairedItem: { item: itemIndex } };
    try {
      const params = ctx.params(itemIndex);
      if (params.mode === 'expression') {
        if (!v1 && itemIndex === 0) {
          outputs = Array.from(
            { length: Math.max(0, asNumber(params.outputsAmount) || 0) },
            () => [],
          );
        }
        const index = asNumber(params.output);
        checkIndex(index, itemIndex);
        outputs[index]!.push(item);
        continue;
      }
      const rules = params.rules.rules;
      if (!v1 && itemIndex === 0) outputs = rules.map(() => []);
      const dataType = ctx.params(0).dataType;
      const defaults = legacyDefaults[dataType]!;
      let value1: unknown = hasRawParam(ctx.node, ['value1']) ? params.value1 : defaults.value;
      if (dataType === 'dateTime') value1 = legacyDateTime(value1);
      for (const [ruleIndex, rule] of rules.entries()) {
        let value2: unknown = hasRawParam(ctx.node, ['rules', 'rules', ruleIndex, 'value2'])
          ? rule.value2
          : defaults.value2;
        if (dataType === 'dateTime') value2 = legacyDateTime(value2);
        if (compareLegacy(rule.operation ?? defaults.operation, value1, value2)) {
          if (v1) {
            const index = asNumber(rule.output);
            checkIndex(index, itemIndex);
            outputs[index]!.push(item);
          } else {
            outputs[ruleIndex]!.push(item);
          }
          continue itemLoop;
        }
      }
      const fallback = asNumber(params.fallbackOutput);
      if (fallback !== -1) {
        checkIndex(fallback, itemIndex);
        outputs[fallback]!.push(item);
      }
    } catch (error) {
      if (ctx.continueOnFail) {
        if (outputs.length === 0) outputs.push([]);
        outputs[0]!.push({ json: { error: (error as Error).message } });
        continue;
      }
      throw error instanceof Error && error.name === 'NodeError'
        ? error
        : nodeError(ctx, (error as Error).message, { itemIndex, cause: error });
    }
  }
  return outputs;
}

function executeV3(ctx: ExecuteContext<SwitchV3Params>): Item[][] {
  let outputs: Item[][] = [];
  const checkIndex = (index: number, itemIndex: number) => {
    if (index === outputs.length) {
      throw nodeError(ctx, `The ouput ${index} is not allowed. `, {
        itemIndex,
        description: `Output indexes are zero based, if you want to use the extra output use ${index - 1}`,
      });
    }
    if (index < 0 || index > outputs.length || !Number.isInteger(index)) {
      throw nodeError(ctx, `The ouput ${index} is not allowed`, {
        itemIndex,
        description: `It has to be between 0 and ${outputs.length - 1}`,
      });
    }
  };
  const mode = ctx.items.length > 0 ? ctx.params(0).mode : 'rules';
  itemLoop: for (let itemIndex = 0; itemIndex < ctx.items.length; itemIndex++) {
    const item = { ...ctx.items[itemIndex]!, pairedItem: { item: itemIndex } };
    try {
      const params = ctx.params(itemIndex);
      if (mode === 'expression') {
        if (itemIndex === 0) {
          outputs = Array.from(
            { length: Math.max(0, asNumber(params.numberOutputs) || 0) },
            () => [],
          );
        }
        let index: number;
        try {
          index = toNumber(params.output);
        } catch {
          throw nodeError(ctx, `'output' expects a number but we got '${String(params.output)}'`, {
            itemIndex,
          });
        }
        checkIndex(index, itemIndex);
        outputs[index]!.push(item);
        continue;
      }
      const rules = params.rules.values;
      if (rules.length === 0) continue;
      const fallback = params.options.fallbackOutput;
      if (itemIndex === 0) {
        outputs = rules.map(() => []);
        if (fallback === 'extra') outputs.push([]);
      }
      let matched = false;
      for (const [ruleIndex, rule] of rules.entries()) {
        let pass: boolean;
        try {
          pass = executeFilter(rule.conditions, itemIndex);
        } catch (error) {
          if (error instanceof FilterError) {
            throw nodeError(ctx, error.message, { itemIndex, description: error.description });
          }
          throw error;
        }
        if (pass) {
          matched = true;
          outputs[ruleIndex]!.push(item);
          if (!params.options.allMatchingOutputs) continue itemLoop;
        }
      }
      if (fallback !== undefined && fallback !== 'none' && !matched) {
        if (fallback === 'extra') {
          outputs[outputs.length - 1]!.push(item);
          continue;
        }
        const index = asNumber(fallback);
        checkIndex(index, itemIndex);
        outputs[index]!.push(item);
      }
    } catch (error) {
      if (ctx.continueOnFail) {
        if (outputs.length === 0) outputs.push([]);
        outputs[0]!.push({ json: { error: (error as Error).message } });
        continue;
      }
      throw error;
    }
  }
  if (outputs.length === 0) return [[]];
  return outputs;
}

/** Switch: routes each item to one (or every matching) output by rules or an index expression. */
export const switchNode = defineNode({
  type: 'budflow.switch',
  version: 1,
  title: 'Switch',
  description: 'Route items depending on defined expression or rules',
  category: 'flow',
  // Rules are evaluated per item to pick outputs; nothing of the parameters is kept.
  transientParams: true,
  compat: { n8n: { type: 'n8n-nodes-base.switch', versions: [1, 2, 3, 3.1, 3.2, 3.3] } },
  outputs: switchOutputs,
  params: (typeVersion: number) => (typeVersion < 3 ? switchV1Params() : switchV3Params()) as never,
  execute: (ctx: ExecuteContext<SwitchV1Params | SwitchV3Params>) =>
    ctx.typeVersion < 3
      ? executeLegacy(ctx as ExecuteContext<SwitchV1Params>)
      : executeV3(ctx as ExecuteContext<SwitchV3Params>),
});
