import { DateTime } from 'luxon';
import { z } from 'zod';
import { defineNode, NodeError } from '@budflow/node-sdk';
import { bool, num, sleep, str } from '../internal/params.js';
import { webhookOptions, webhookParams, type WebhookParams } from '../webhook/webhook-params.js';

/**
 * n8n sleeps in-process below this and parks the execution above it (its waiting-execution poller
 * runs every 60 s).
 */
export const IN_PROCESS_WAIT_LIMIT_MS = 65_000;

const UNIT_MS = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
const unit = (fallback: keyof typeof UNIT_MS) =>
  z.enum(['seconds', 'minutes', 'hours', 'days']).default(fallback);

const waitParams = (typeVersion: number) =>
  z.object({
    resume: z.enum(['timeInterval', 'specificTime', 'webhook', 'form']).default('timeInterval'),
    amount: num(typeVersion >= 1.1 ? 5 : 1),
    unit: unit(typeVersion >= 1.1 ? 'seconds' : 'hours'),
    dateTime: z.unknown().default(''),
    // on webhook call
    incomingAuthentication: z.enum(['none', 'basicAuth', 'headerAuth']).default('none'),
    httpMethod: z.enum(['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT']).default('GET'),
    responseCode: num(200),
    responseMode: z.enum(['onReceived', 'lastNode', 'responseNode']).default('onReceived'),
    responseData: z
      .enum(['allEntries', 'firstEntryJson', 'firstEntryBinary', 'noData'])
      .default('firstEntryJson'),
    responseBinaryPropertyName: str('data'),
    options: webhookOptions(),
    limitWaitTime: bool(false),
    limitType: z.enum(['afterTimeInterval', 'atSpecifiedTime']).default('afterTimeInterval'),
    resumeAmount: num(1),
    resumeUnit: unit('hours'),
    maxDateAndTime: z.unknown().default(''),
  });
type WaitParams = z.output<ReturnType<typeof waitParams>>;

function parseDate(value: unknown, zone: string): DateTime | undefined {
  if (value instanceof Date) return DateTime.fromJSDate(value);
  if (typeof value === 'number') return DateTime.fromMillis(value);
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = DateTime.fromISO(value, { zone, setZone: true });
  if (parsed.isValid) return parsed;
  const loose = DateTime.fromJSDate(new Date(value));
  return loose.isValid ? loose : undefined;
}

/**
 * Wait: passes its input through after a time, or when its resume URL is called. Like n8n, waits
 * shorter than 65 s are slept in-process (cancelled by the execution's signal); longer ones and
 * webhook waits park the execution (`ctx.putExecutionToWait`) for the engine to persist. On a
 * webhook resume the request item becomes this node's output.
 */
export const waitNode = defineNode<WaitParams>({
  type: 'budflow.wait',
  version: 1,
  title: 'Wait',
  description: 'Wait before continue with execution',
  category: 'flow',
  compat: { n8n: { type: 'n8n-nodes-base.wait', versions: [1, 1.1] } },
  credentials: [
    { name: 'httpBasicAuth', required: false },
    { name: 'httpHeaderAuth', required: false },
  ],
  params: (typeVersion) => waitParams(typeVersion),
  paramItems: 'first',
  async execute(ctx) {
    const p = ctx.params(0);
    const zone = ctx.workflow.timezone;
    const fail = (message: string) =>
      new NodeError(message, { nodeName: ctx.node.name, itemIndex: 0, retryable: false });
    let until: Date | null;
    if (p.resume === 'timeInterval') {
      if (!Number.isFinite(p.amount) || p.amount < 0)
        throw fail('Invalid wait amount. It must be a non-negative number.');
      until = new Date(Date.now() + p.amount * UNIT_MS[p.unit]);
    } else if (p.resume === 'specificTime') {
      const date = parseDate(p.dateTime, zone);
      if (!date) {
        throw fail(
          "Cannot put execution to wait because 'dateTime' parameter is not a valid date. Please pick a specific date and time to wait until.",
        );
      }
      until = date.toJSDate();
    } else if (p.limitWaitTime) {
      if (p.limitType === 'afterTimeInterval') {
        until = new Date(Date.now() + p.resumeAmount * UNIT_MS[p.resumeUnit]);
      } else {
        const date = parseDate(p.maxDateAndTime, zone);
        if (!date) throw fail("'Max Date and Time' is not a valid date");
        until = date.toJSDate();
      }
    } else {
      until = null;
    }
    if (until && (p.resume === 'timeInterval' || p.resume === 'specificTime')) {
      const ms = until.getTime() - Date.now();
      if (ms < IN_PROCESS_WAIT_LIMIT_MS) {
        if (ms > 0) await sleep(ms, ctx.signal);
        return [ctx.items];
      }
    }
    ctx.putExecutionToWait(until);
    return [ctx.items];
  },
});

/**
 * The Webhook-node parameters for a Wait node's resume call, so the server can run
 * `handleWebhookRequest` on `/webhook-waiting/:executionId` with them.
 */
export function waitResumeWebhookParams(parameters: Record<string, unknown>): WebhookParams {
  const p = waitParams(1.1).parse(parameters);
  return webhookParams().parse({
    httpMethod: p.httpMethod,
    path: '',
    authentication: p.incomingAuthentication,
    responseMode: p.responseMode,
    responseCode: p.responseCode,
    responseData: p.responseData,
    responseBinaryPropertyName: p.responseBinaryPropertyName,
    options: p.options,
  });
}
