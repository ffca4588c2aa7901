import { z } from 'zod';
import type { NodeRegistry } from '../ports.js';
import { settingsSchema } from '../workflow/workflow-schema.js';

const jsonObject = z.record(z.string(), z.unknown());

/** A connection target: a node name, or `{ node, input }` for another input (Merge input 2). */
export const yamlTargetSchema = z.union([
  z.string().min(1).meta({ description: 'name of the node that receives the items' }),
  z
    .strictObject({
      node: z.string().min(1).meta({ description: 'name of the node that receives the items' }),
      input: z
        .number()
        .int()
        .min(0)
        .optional()
        .meta({ description: 'input index of the receiving node (default 0)' }),
    })
    .meta({ description: 'a target on another input than the first' }),
]);

const yamlTargetsSchema = z.union([yamlTargetSchema, z.array(yamlTargetSchema), z.null()]);

/**
 * Edges out of a node: targets of its first output, or targets per output. Output keys are the
 * node's output names (`true`/`false` for If, `done`/`loop` for Loop Over Items, rule names for
 * Switch), output indexes (`0`, `1`), `error` for the error output of `onError: errorOutput`, or
 * `<connectionType>` / `<connectionType>[index]` for other connection types (`ai_tool`).
 */
export const yamlNextSchema = z
  .union([yamlTargetsSchema, z.record(z.string(), yamlTargetsSchema)])
  .meta({
    description:
      'where items go next: a node, a list of nodes, or a map of output name → nodes. Without `next` a node passes its items to the node written after it; `next: []` ends a branch.',
  });

export const yamlRetrySchema = z.union([
  z.boolean(),
  z.strictObject({
    enabled: z.boolean().optional().meta({ description: 'default true' }),
    maxTries: z.number().int().min(1).optional().meta({ description: 'n8n default 3' }),
    waitMs: z
      .number()
      .min(0)
      .optional()
      .meta({ description: 'milliseconds between tries (n8n default 1000)' }),
  }),
]);

export const YAML_ON_ERROR = {
  stop: 'stopWorkflow',
  continue: 'continueRegularOutput',
  errorOutput: 'continueErrorOutput',
} as const;

export const yamlOnErrorSchema = z
  .enum([
    'stop',
    'continue',
    'errorOutput',
    'stopWorkflow',
    'continueRegularOutput',
    'continueErrorOutput',
  ])
  .meta({
    description:
      'stop: fail the workflow (default); continue: pass the error on as an item; errorOutput: send failed items to the `error` output',
  });

export const yamlCredentialSchema = z.union([
  z.string().min(1).meta({ description: 'credential name' }),
  z.strictObject({ id: z.string().nullable().optional(), name: z.string().min(1) }),
]);

export const yamlNodeSchema = z
  .strictObject({
    type: z.string().min(1).meta({
      description:
        'node type: a BudFlow name (`set`, `if`, `http.request`), or an n8n name (`n8n-nodes-base.set`)',
    }),
    version: z
      .number()
      .positive()
      .optional()
      .meta({ description: 'n8n typeVersion (default: the newest)' }),
    id: z.string().optional(),
    params: jsonObject
      .optional()
      .meta({ description: 'node parameters; strings starting with `=` are expressions' }),
    credentials: z
      .record(z.string(), yamlCredentialSchema)
      .optional()
      .meta({ description: 'credential type → credential name' }),
    retry: yamlRetrySchema.optional(),
    onError: yamlOnErrorSchema.optional(),
    continueOnFail: z.boolean().optional(),
    errorOutput: z
      .boolean()
      .optional()
      .meta({ description: 'legacy n8n flag, the same as onError: errorOutput' }),
    executeOnce: z.boolean().optional(),
    alwaysOutputData: z.boolean().optional(),
    disabled: z.boolean().optional(),
    notes: z.string().optional(),
    notesInFlow: z.boolean().optional(),
    webhookId: z.string().optional(),
    position: z.tuple([z.number(), z.number()]).optional(),
    next: yamlNextSchema.optional(),
  })
  .meta({ description: 'a node; its key in `nodes` is its name' });

const webhookTriggerSchema = z.strictObject({
  path: z.string().min(1),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).optional(),
  respond: z
    .enum(['immediately', 'lastNode', 'responseNode'])
    .optional()
    .meta({ description: 'when to answer the HTTP request (default immediately)' }),
});

const scheduleTriggerSchema = z.union([
  z.string().min(1).meta({ description: 'a cron expression' }),
  z.strictObject({
    cron: z.string().min(1).optional(),
    every: z
      .string()
      .regex(/^\d+\s*(s|m|h|d)$/, 'expected a duration like 30s, 5m, 2h or 1d')
      .optional(),
  }),
]);

/** Sugar for the first node: `trigger: manual`, `{ webhook: {...} }` or `{ schedule: ... }`. */
export const yamlTriggerSchema = z.union([
  z.literal('manual'),
  z.strictObject({ manual: z.null().optional() }),
  z.strictObject({ webhook: webhookTriggerSchema }),
  z.strictObject({ schedule: scheduleTriggerSchema }),
]);

export const yamlWorkflowSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().optional(),
    id: z.union([z.string(), z.number()]).optional(),
    active: z.boolean().optional(),
    settings: settingsSchema.optional(),
    trigger: yamlTriggerSchema
      .optional()
      .meta({ description: 'adds a trigger node named `Trigger` before the first node' }),
    nodes: z.record(z.string(), yamlNodeSchema).meta({
      description:
        'nodes by name, in order; each passes its items to the next unless it has `next`',
    }),
    pinData: z.record(z.string(), z.array(z.unknown())).optional(),
    staticData: jsonObject.nullable().optional(),
  })
  .meta({
    title: 'BudFlow workflow (YAML)',
    description: 'A BudFlow workflow. Compiles to the n8n workflow model.',
  });

export type YamlWorkflow = z.infer<typeof yamlWorkflowSchema>;
export type YamlNode = z.infer<typeof yamlNodeSchema>;
export type YamlTarget = z.infer<typeof yamlTargetSchema>;

export interface YamlJsonSchemaOptions {
  /** Lists the registry's node types as suggestions for `type` (editor autocompletion). */
  registry?: NodeRegistry;
}

/** The JSON Schema (draft 2020-12) of the YAML format, generated from its zod schema. */
export function yamlWorkflowJsonSchema(
  options: YamlJsonSchemaOptions = {},
): Record<string, unknown> {
  const schema = z.toJSONSchema(yamlWorkflowSchema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  if (options.registry) {
    const names = new Set<string>();
    for (const definition of options.registry.definitions()) {
      if (definition.type.startsWith('budflow.')) names.add(definition.type.slice(8));
      if (definition.compat?.n8n) names.add(definition.compat.n8n.type);
    }
    const nodes = (schema.properties as Record<string, Record<string, unknown>>).nodes!;
    const node = nodes.additionalProperties as Record<string, Record<string, unknown>>;
    const type = (node.properties as Record<string, Record<string, unknown>>).type!;
    type.examples = [...names].sort();
  }
  return schema;
}
