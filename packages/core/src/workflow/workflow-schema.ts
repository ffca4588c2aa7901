import { z } from 'zod';
import type { Item, JsonObject } from '@budflow/node-sdk';

const jsonObject = z.record(z.string(), z.unknown()) as unknown as z.ZodType<JsonObject>;

export const connectionSchema = z.object({
  node: z.string().min(1),
  type: z.string().default('main'),
  index: z.number().int().min(0).default(0),
});

/** `connections[source][type][outputIndex]` = list of targets (n8n allows `null` for empty outputs). */
export const connectionsSchema = z.record(
  z.string(),
  z.record(z.string(), z.array(z.array(connectionSchema).nullable())),
);

export const nodeSchema = z.object({
  id: z.string().optional(),
  name: z.string().min(1, 'node name must not be empty'),
  type: z.string().min(1, 'node type must not be empty'),
  typeVersion: z.number().positive().optional(),
  parameters: jsonObject.default({}),
  credentials: z
    .record(z.string(), z.object({ id: z.string().nullable().optional(), name: z.string() }))
    .optional(),
  disabled: z.boolean().optional(),
  position: z.tuple([z.number(), z.number()]).default([0, 0]),
  retryOnFail: z.boolean().optional(),
  maxTries: z.number().optional(),
  waitBetweenTries: z.number().optional(),
  alwaysOutputData: z.boolean().optional(),
  executeOnce: z.boolean().optional(),
  onError: z.enum(['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput']).optional(),
  continueOnFail: z.boolean().optional(),
  /** Legacy flag of early n8n 1.x exports: the same as `onError: 'continueErrorOutput'`. */
  errorOutput: z.boolean().optional(),
  notes: z.string().optional(),
  notesInFlow: z.boolean().optional(),
  webhookId: z.string().optional(),
});

export const settingsSchema = z
  .object({
    executionOrder: z.enum(['v0', 'v1']).optional(),
    timezone: z.string().optional(),
    /** Seconds; -1 or absent means no timeout (n8n). */
    executionTimeout: z.number().optional(),
    errorWorkflow: z.string().optional(),
    saveDataErrorExecution: z.string().optional(),
    saveDataSuccessExecution: z.string().optional(),
    saveManualExecutions: z.boolean().optional(),
    callerPolicy: z.string().optional(),
  })
  .catchall(z.unknown());

export const workflowSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  name: z.string().optional(),
  active: z.boolean().default(false),
  nodes: z.array(z.unknown()),
  connections: z.record(z.string(), z.unknown()).default({}),
  settings: settingsSchema.default({}),
  pinData: z.record(z.string(), z.array(z.unknown())).optional(),
  staticData: z.union([jsonObject, z.string(), z.null()]).optional(),
  versionId: z.string().optional(),
  meta: z.unknown().optional(),
  tags: z.unknown().optional(),
});

export type WorkflowConnection = z.infer<typeof connectionSchema>;
export type WorkflowConnections = Record<
  string,
  Record<string, Array<WorkflowConnection[] | null>>
>;
export type WorkflowNode = z.infer<typeof nodeSchema>;
export type WorkflowSettings = z.infer<typeof settingsSchema>;

/** A parsed, validated workflow. Node parameters are raw (expressions unresolved). */
export interface Workflow {
  id: string | undefined;
  name: string | undefined;
  active: boolean;
  nodes: WorkflowNode[];
  connections: WorkflowConnections;
  settings: WorkflowSettings;
  /** Pinned output per node name (items). */
  pinData: Record<string, Item[]> | undefined;
  staticData: JsonObject;
}
