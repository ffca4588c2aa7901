import type { Storage } from '@budflow/storage';
import { sqliteTestStorageFactory } from '@budflow/storage/testing';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultRegistry } from '../create-server.js';
import { ActivationManager, type TriggerLaunch } from './activation-manager.js';

const everySecond = {
  name: 'every second',
  nodes: [
    {
      name: 'Schedule Trigger',
      type: 'n8n-nodes-base.scheduleTrigger',
      typeVersion: 1.2,
      position: [0, 0],
      parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: 1 }] } },
    },
  ],
  connections: {},
};

const webhookFlow = (path: string) => ({
  name: `hook ${path}`,
  nodes: [
    {
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      position: [0, 0],
      parameters: { path, httpMethod: 'POST' },
    },
  ],
  connections: {},
});

describe('ActivationManager', () => {
  let storage: Storage;
  let launches: TriggerLaunch[];
  let manager: ActivationManager;

  beforeEach(async () => {
    storage = await sqliteTestStorageFactory()();
    launches = [];
    manager = new ActivationManager({
      storage,
      registry: defaultRegistry(),
      logger: pino({ level: 'silent' }),
      timezone: 'UTC',
      testWebhookTtlMs: 120_000,
      launch: async (launch) => void launches.push(launch),
    });
  });

  afterEach(async () => {
    vi.useRealTimers();
    await manager.close();
    await storage.close();
  });

  it('fires a 1-second schedule while active and stops after deactivation', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00.500Z') });
    const workflow = await storage.workflows.create({ document: everySecond, active: true });
    await manager.activate(workflow);
    expect(manager.isActive(workflow.id)).toBe(true);

    await vi.advanceTimersByTimeAsync(3_000);
    expect(launches).toHaveLength(3);
    expect(launches[0]!.nodeName).toBe('Schedule Trigger');
    expect(launches[0]!.input[0]!.json.timestamp).toBe('2026-01-01T00:00:01.000Z');

    await manager.deactivate(workflow.id);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(launches).toHaveLength(3);
    expect(manager.isActive(workflow.id)).toBe(false);
  });

  it('registers webhook paths and removes them on deactivation', async () => {
    const workflow = await storage.workflows.create({ document: webhookFlow('orders') });
    await manager.activate(workflow);
    expect(manager.webhooks.find('POST', 'orders')?.registration.workflowId).toBe(workflow.id);
    expect(await storage.webhooks.list({ workflowId: workflow.id })).toHaveLength(1);
    await manager.deactivate(workflow.id);
    expect(manager.webhooks.find('POST', 'orders')).toBeUndefined();
    expect(await storage.webhooks.list({ workflowId: workflow.id })).toHaveLength(0);
  });

  it('refuses a second workflow on the same path and records the error on it', async () => {
    const first = await storage.workflows.create({ document: webhookFlow('same') });
    const second = await storage.workflows.create({ document: webhookFlow('same') });
    await manager.activate(first);
    await expect(manager.activate(second)).rejects.toThrow(/already used/);
    expect(await manager.activationError(second.id)).toMatch(/already used/);
    expect(manager.webhooks.find('POST', 'same')?.registration.workflowId).toBe(first.id);
  });

  it('refuses a workflow without an activatable trigger', async () => {
    const workflow = await storage.workflows.create({
      document: {
        name: 'manual',
        nodes: [
          {
            name: 'Start',
            type: 'n8n-nodes-base.manualTrigger',
            typeVersion: 1,
            position: [0, 0],
            parameters: {},
          },
        ],
        connections: {},
      },
    });
    await expect(manager.activate(workflow)).rejects.toThrow(/no trigger that can activate it/);
  });

  it('activates every active workflow at start and keeps going past failures', async () => {
    await storage.workflows.create({ document: webhookFlow('a'), active: true });
    await storage.workflows.create({
      document: {
        name: 'broken',
        nodes: [
          {
            name: 'X',
            type: 'n8n-nodes-base.nope',
            typeVersion: 1,
            position: [0, 0],
            parameters: {},
          },
        ],
        connections: {},
      },
      active: true,
    });
    await storage.workflows.create({ document: webhookFlow('b') });
    expect(await manager.activateAll()).toEqual({ activated: 1, failed: 1 });
    expect(manager.webhooks.find('POST', 'a')).toBeDefined();
    expect(manager.webhooks.find('POST', 'b')).toBeUndefined();
  });
});
