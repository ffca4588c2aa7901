import { parseWorkflow, type NodeRegistry, type Workflow } from '@budflow/core';
import { paramsSchemaFor, type Item, type JsonObject } from '@budflow/node-sdk';
import type { Storage, StoredWorkflow } from '@budflow/storage';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { scheduleItem } from './schedule-item.js';
import { pollCronPatterns, scheduleCronPatterns } from './schedule-rules.js';
import {
  WebhookIndex,
  webhookMethodsOf,
  webhookPathOf,
  type WebhookRegistration,
} from './webhook-registry.js';

/** What a trigger asks the server to run. */
export interface TriggerLaunch {
  workflow: StoredWorkflow;
  parsed: Workflow;
  nodeName: string;
  input: Item[];
}

export interface ActivationManagerOptions {
  storage: Storage;
  registry: NodeRegistry;
  logger: Logger;
  /** Default timezone of schedules (a workflow's `settings.timezone` wins). */
  timezone: string;
  /** Starts a production (`trigger` mode) execution. */
  launch(launch: TriggerLaunch): Promise<void>;
  /** Runs a polling trigger node once; resolves to the new items (empty: nothing new). */
  poll?(launch: Omit<TriggerLaunch, 'input'>): Promise<Item[]>;
  testWebhookTtlMs: number;
  now?: () => number;
}

interface Active {
  workflow: StoredWorkflow;
  jobs: Cron[];
}

export const ACTIVATION_ERROR_PREFIX = 'workflow.activationError.';

export class ActivationError extends Error {
  override name = 'ActivationError';
}

/**
 * Registers the triggers of active workflows (webhooks, schedules, polling triggers) and removes
 * them on deactivation. Failures at start-up are recorded on the workflow (a setting read by the
 * API), never thrown.
 */
export class ActivationManager {
  readonly webhooks = new WebhookIndex();
  readonly testWebhooks = new WebhookIndex();
  private readonly active = new Map<string, Active>();
  private readonly now: () => number;

  constructor(private readonly o: ActivationManagerOptions) {
    this.now = o.now ?? (() => Date.now());
  }

  isActive(workflowId: string): boolean {
    return this.active.has(workflowId);
  }

  activeCount(): number {
    return this.active.size;
  }

  /** Activates every workflow marked active in storage; returns how many failed. */
  async activateAll(): Promise<{ activated: number; failed: number }> {
    let cursor: string | undefined;
    let activated = 0;
    let failed = 0;
    do {
      const page = await this.o.storage.workflows.search({
        active: true,
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      for (const summary of page.items) {
        const workflow = await this.o.storage.workflows.get(summary.id);
        if (!workflow) continue;
        try {
          await this.activate(workflow);
          activated++;
        } catch (error) {
          failed++;
          this.o.logger.warn(
            { workflowId: workflow.id, err: { message: (error as Error).message } },
            'workflow could not be activated',
          );
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return { activated, failed };
  }

  /** The last activation error of a workflow, if its activation failed. */
  async activationError(workflowId: string): Promise<string | undefined> {
    const value = await this.o.storage.settings.get(ACTIVATION_ERROR_PREFIX + workflowId);
    return typeof value === 'string' ? value : undefined;
  }

  private triggersOf(workflow: StoredWorkflow): {
    parsed: Workflow;
    webhooks: WebhookRegistration[];
    schedules: Array<{ nodeName: string; patterns: string[] }>;
    polls: Array<{ nodeName: string; patterns: string[] }>;
  } {
    const parsed = parseWorkflow(workflow.document, { registry: this.o.registry });
    const webhooks: WebhookRegistration[] = [];
    const schedules: Array<{ nodeName: string; patterns: string[] }> = [];
    const polls: Array<{ nodeName: string; patterns: string[] }> = [];
    const rawNodes = (workflow.document.nodes as JsonObject[] | undefined) ?? [];
    const timezone = this.timezoneOf(parsed);
    for (const raw of rawNodes) {
      if (raw.disabled === true || typeof raw.name !== 'string' || typeof raw.type !== 'string')
        continue;
      const version = typeof raw.typeVersion === 'number' ? raw.typeVersion : undefined;
      const resolved = this.o.registry.resolve(raw.type, version);
      const trigger = resolved?.definition.trigger;
      if (!trigger || !resolved) continue;
      const parameters = (raw.parameters ?? {}) as JsonObject;
      if (trigger.kind === 'webhook') {
        const path = webhookPathOf(raw, workflow.id);
        for (const method of webhookMethodsOf(raw)) {
          webhooks.push({
            method,
            path,
            workflowId: workflow.id,
            nodeName: raw.name,
            document: workflow.document,
            parsed,
            projectId: workflow.projectId,
            versionId: workflow.versionId,
            parameters,
            nodeCredentials: (raw.credentials ?? {}) as WebhookRegistration['nodeCredentials'],
            test: false,
          });
        }
      } else if (trigger.kind === 'schedule') {
        let patterns: string[] | undefined;
        if (trigger.schedule) {
          const schema = paramsSchemaFor(resolved.definition, resolved.typeVersion);
          const params = schema.safeParse(parameters);
          if (params.success) patterns = trigger.schedule(params.data, timezone);
        }
        patterns ??= scheduleCronPatterns(parameters);
        schedules.push({ nodeName: raw.name, patterns });
      } else if (trigger.kind === 'poll') {
        polls.push({ nodeName: raw.name, patterns: pollCronPatterns(parameters) });
      }
    }
    return { parsed, webhooks, schedules, polls };
  }

  private timezoneOf(parsed: Workflow): string {
    const tz = parsed.settings.timezone;
    return tz && tz !== 'DEFAULT' ? tz : this.o.timezone;
  }

  /**
   * Registers a workflow's triggers (replacing earlier ones). Throws `ActivationError` (or a
   * storage conflict) and records the message on the workflow when it cannot be activated.
   */
  async activate(workflow: StoredWorkflow): Promise<void> {
    await this.deactivate(workflow.id, { keepError: true });
    try {
      const { parsed, webhooks, schedules, polls } = this.triggersOf(workflow);
      if (webhooks.length === 0 && schedules.length === 0 && polls.length === 0) {
        throw new ActivationError(
          `workflow '${workflow.name}' has no trigger that can activate it: add a Webhook, Schedule Trigger or polling trigger node`,
        );
      }
      if (webhooks.length > 0) {
        await this.o.storage.webhooks.register(
          webhooks.map((w) => ({
            method: w.method,
            path: w.path,
            workflowId: w.workflowId,
            nodeName: w.nodeName,
          })),
        );
      }
      const jobs: Cron[] = [];
      const timezone = this.timezoneOf(parsed);
      try {
        for (const schedule of schedules) {
          for (const pattern of schedule.patterns) {
            jobs.push(
              new Cron(pattern, { timezone, protect: true }, () =>
                this.fire(workflow, parsed, schedule.nodeName, timezone),
              ),
            );
          }
        }
        for (const poll of polls) {
          for (const pattern of poll.patterns) {
            jobs.push(
              new Cron(pattern, { timezone, protect: true }, () =>
                this.firePoll(workflow, parsed, poll.nodeName),
              ),
            );
          }
        }
      } catch (error) {
        for (const job of jobs) job.stop();
        await this.o.storage.webhooks.unregisterWorkflow(workflow.id);
        throw new ActivationError(`invalid schedule: ${(error as Error).message}`);
      }
      for (const w of webhooks) this.webhooks.add(w);
      this.active.set(workflow.id, { workflow, jobs });
      await this.o.storage.settings.delete(ACTIVATION_ERROR_PREFIX + workflow.id);
    } catch (error) {
      await this.o.storage.settings.set(
        ACTIVATION_ERROR_PREFIX + workflow.id,
        (error as Error).message,
      );
      throw error;
    }
  }

  private async fire(
    workflow: StoredWorkflow,
    parsed: Workflow,
    nodeName: string,
    timezone: string,
  ) {
    try {
      await this.o.launch({
        workflow,
        parsed,
        nodeName,
        input: [{ json: scheduleItem(new Date(this.now()), timezone) }],
      });
    } catch (error) {
      this.o.logger.error(
        { err: error, workflowId: workflow.id },
        'scheduled execution could not start',
      );
    }
  }

  private async firePoll(workflow: StoredWorkflow, parsed: Workflow, nodeName: string) {
    if (!this.o.poll) return;
    try {
      const items = await this.o.poll({ workflow, parsed, nodeName });
      if (items.length > 0) await this.o.launch({ workflow, parsed, nodeName, input: items });
    } catch (error) {
      this.o.logger.error({ err: error, workflowId: workflow.id }, 'polling trigger failed');
    }
  }

  async deactivate(workflowId: string, options: { keepError?: boolean } = {}): Promise<boolean> {
    const entry = this.active.get(workflowId);
    this.active.delete(workflowId);
    for (const job of entry?.jobs ?? []) job.stop();
    this.webhooks.removeWorkflow(workflowId, false);
    await this.o.storage.webhooks.unregisterWorkflow(workflowId);
    if (!options.keepError)
      await this.o.storage.settings.delete(ACTIVATION_ERROR_PREFIX + workflowId);
    return entry !== undefined;
  }

  /**
   * Registers a workflow's webhooks under `/webhook-test/` for one call or until the TTL ends.
   * Returns the registered paths.
   */
  registerTestWebhooks(workflow: StoredWorkflow): WebhookRegistration[] {
    const { webhooks } = this.triggersOf(workflow);
    if (webhooks.length === 0) {
      throw new ActivationError(`workflow '${workflow.name}' has no Webhook node to test`);
    }
    this.testWebhooks.removeWorkflow(workflow.id, true);
    const expiresAt = this.now() + this.o.testWebhookTtlMs;
    const registrations = webhooks.map((w) => ({ ...w, test: true, expiresAt }));
    for (const r of registrations) this.testWebhooks.add(r);
    return registrations;
  }

  /** Test webhooks fire once: all of the workflow's go together. */
  consumeTestWebhook(registration: WebhookRegistration): void {
    this.testWebhooks.removeWorkflow(registration.workflowId, true);
  }

  async close(): Promise<void> {
    for (const entry of this.active.values()) for (const job of entry.jobs) job.stop();
    this.active.clear();
  }
}
