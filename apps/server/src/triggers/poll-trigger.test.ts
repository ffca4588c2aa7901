import { combineRegistries, createNodeRegistry } from '@budflow/core';
import { defineTrigger } from '@budflow/node-sdk';
import type { Storage } from '@budflow/storage';
import { sqliteTestStorageFactory } from '@budflow/storage/testing';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defaultRegistry } from '../create-server.js';
import { ActivationManager, type TriggerLaunch } from './activation-manager.js';
import { createPollRunner } from './poll-trigger.js';

/** A polling trigger that yields one new item per poll until its feed runs dry. */
const feedTrigger = defineTrigger({
  type: 'test.feedTrigger',
  version: 1,
  title: 'Feed Trigger',
  category: 'trigger',
  inputs: [],
  outputs: [{ type: 'main' }],
  params: z.looseObject({ feed: z.array(z.string()).default([]) }),
  trigger: {
    kind: 'poll',
    poll: (ctx) => {
      const state = ctx.getStaticData('node');
      const cursor = typeof state.cursor === 'number' ? state.cursor : 0;
      const feed = ctx.params(0).feed;
      if (cursor >= feed.length) return null;
      state.cursor = cursor + 1;
      return [{ json: { entry: feed[cursor]! } }];
    },
  },
});

describe('polling triggers', () => {
  let storage: Storage | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await storage?.close();
  });

  it('polls on the poll times and starts a run only for new items, continuing from its cursor', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:30Z') });
    storage = await sqliteTestStorageFactory()();
    const registry = combineRegistries(defaultRegistry(), createNodeRegistry([feedTrigger]));
    const launches: TriggerLaunch[] = [];
    const manager = new ActivationManager({
      storage,
      registry,
      logger: pino({ level: 'silent' }),
      timezone: 'UTC',
      testWebhookTtlMs: 1000,
      launch: async (launch) => void launches.push(launch),
      poll: createPollRunner({ registry }),
    });
    const workflow = await storage.workflows.create({
      document: {
        name: 'feed',
        nodes: [
          {
            name: 'Feed',
            type: 'test.feedTrigger',
            typeVersion: 1,
            position: [0, 0],
            parameters: {
              feed: ['first', 'second'],
              pollTimes: { item: [{ mode: 'everyMinute' }] },
            },
          },
        ],
        connections: {},
      },
    });
    await manager.activate(workflow);

    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(launches.map((l) => l.input.map((i) => i.json.entry))).toEqual([['first'], ['second']]);
    expect(launches[0]!.nodeName).toBe('Feed');
    await manager.close();
  });
});
