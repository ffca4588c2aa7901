/**
 * The repository suite: one body, run on SQLite by `pnpm test` and on PostgreSQL by
 * `pnpm test:integration`. Every test makes its own rows (unique names), so order does not matter.
 */
import type { ExecutionEvent } from '@budflow/core';
import type { Item } from '@budflow/node-sdk';
import { SecretRedactor } from '@budflow/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage, UpdateExecutionInput } from '../../src/index.js';
import {
  createExecutionRecorder,
  loadRecoveryPoint,
  recoverExecution,
  recoverStaleExecutions,
  resumeWaitingExecution,
  StorageConflictError,
} from '../../src/index.js';
import { runWorkflow } from '@budflow/core';
import type { TestStorageFactory } from '../../src/testing/index.js';
import { createRecoveryNodes, recoveryWorkflow, waitingWorkflow } from './test-workflow.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** Run data of one node (`Node`), run once, that output `items`. */
const nodeRunData = (items: Item[]) => ({
  Node: [
    {
      startTime: 1,
      executionTime: 2,
      executionIndex: 0,
      executionStatus: 'success' as const,
      source: [],
      data: { main: [items] },
    },
  ],
});

const doc = (name: string, types: string[] = ['n8n-nodes-base.manualTrigger']) => ({
  name,
  nodes: types.map((type, i) => ({
    id: `n${i}`,
    name: `Node ${i}`,
    type,
    typeVersion: 1,
    position: [i * 200, 0],
    parameters: {},
  })),
  connections: {},
});

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export function defineRepositorySuite(dialect: string, factory: TestStorageFactory): void {
  describe(`storage repositories (${dialect})`, () => {
    let storage: Storage;
    beforeAll(async () => {
      storage = await factory();
    });
    afterAll(async () => {
      await storage?.close();
    });

    describe('migrations', () => {
      it('are applied at start-up and a second run applies nothing', async () => {
        const report = await storage.migrate();
        expect(report.applied).toEqual([]);
        expect(report.current).toEqual(['0001_initial', '0002_event_ranges', '0003_lz4_payloads']);
      });
    });

    describe('workflows', () => {
      it('creates a workflow with its first version, tags and searchable node types', async () => {
        const name = unique('Create');
        const wf = await storage.workflows.create({
          document: doc(name, ['n8n-nodes-base.manualTrigger', 'n8n-nodes-base.httpRequest']),
          tags: ['alpha', 'beta'],
        });
        expect(wf).toMatchObject({
          name,
          active: false,
          versionNumber: 1,
          tags: ['alpha', 'beta'],
          nodeTypes: ['n8n-nodes-base.httpRequest', 'n8n-nodes-base.manualTrigger'],
        });
        const again = await storage.workflows.get(wf.id);
        expect(again?.document).toEqual(wf.document);
        expect((await storage.workflows.getVersion(wf.id, 1))?.versionId).toBe(wf.versionId);
      });

      it('keeps an imported n8n id and refuses a duplicate id', async () => {
        const id = unique('n8nid');
        await storage.workflows.create({ id, document: doc(unique('Imported')) });
        const error = await rejection(storage.workflows.create({ id, document: doc('Other') }));
        expect(error).toBeInstanceOf(StorageConflictError);
        expect(error.details).toMatchObject({ entity: 'workflow', conflict: { id } });
      });

      it('makes a version of every save and restores an old one as a new version', async () => {
        const name = unique('Versions');
        const wf = await storage.workflows.create({ document: doc(name) });
        const v2 = await storage.workflows.update(wf.id, {
          document: doc(name, ['n8n-nodes-base.set']),
        });
        const v3 = await storage.workflows.update(wf.id, { name: `${name} renamed` });
        expect([v2.versionNumber, v3.versionNumber]).toEqual([2, 3]);
        expect(v3.nodeTypes).toEqual(['n8n-nodes-base.set']);

        const flagged = await storage.workflows.setActive(wf.id, true);
        expect(flagged.active).toBe(true);
        expect(flagged.versionNumber).toBe(3);

        const first = await storage.workflows.getVersion(wf.id, 1);
        expect(first?.document).toEqual(doc(name));
        expect((await storage.workflows.getVersion(wf.id, v2.versionId))?.versionNumber).toBe(2);

        const restored = await storage.workflows.restoreVersion(wf.id, 1, { authorId: 'u1' });
        expect(restored).toMatchObject({ versionNumber: 4, name, document: doc(name) });
        const history = await storage.workflows.listVersions(wf.id, { limit: 3 });
        expect(history.items.map((v) => v.versionNumber)).toEqual([4, 3, 2]);
        expect(history.items[0]?.authorId).toBe('u1');
        const rest = await storage.workflows.listVersions(wf.id, {
          limit: 3,
          cursor: history.nextCursor,
        });
        expect(rest.items.map((v) => v.versionNumber)).toEqual([1]);
        expect(rest.nextCursor).toBeUndefined();
      });

      it('refuses a save based on an outdated version', async () => {
        const wf = await storage.workflows.create({ document: doc(unique('Stale')) });
        await storage.workflows.update(wf.id, { name: unique('first save') });
        const error = await rejection(
          storage.workflows.update(
            wf.id,
            { name: unique('second save') },
            { expectedVersionId: wf.versionId },
          ),
        );
        expect(error.code).toBe('STORAGE_VERSION_CONFLICT');
      });

      it('says which workflow is missing', async () => {
        const error = await rejection(storage.workflows.update('missing-id', { name: 'x' }));
        expect(error.code).toBe('STORAGE_NOT_FOUND');
        expect(error.message).toContain("workflow 'missing-id'");
      });

      it('searches by name, tag and node type, and pages with a cursor', async () => {
        const tag = unique('tag');
        const marker = unique('Searchable');
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const wf = await storage.workflows.create({
            document: doc(
              `${marker} ${i} 100%_done`,
              i % 2 === 0 ? ['n8n-nodes-base.slack'] : ['n8n-nodes-base.set'],
            ),
            tags: i < 3 ? [tag] : [],
          });
          ids.push(wf.id);
        }
        const byName = await storage.workflows.search({ name: marker.toUpperCase() });
        expect(byName.items).toHaveLength(5);
        expect(await storage.workflows.search({ name: `${marker} 1 100%_` })).toMatchObject({
          items: [{ id: ids[1] }],
        });
        // `%` and `_` are literal: this pattern would match everything if they were wildcards.
        expect((await storage.workflows.search({ name: `${marker}%` })).items).toEqual([]);

        const byTag = await storage.workflows.search({ tag });
        expect(byTag.items.map((w) => w.id).sort()).toEqual(ids.slice(0, 3).sort());
        expect(byTag.items[0]?.tags).toEqual([tag]);

        const slack = await storage.workflows.search({
          name: marker,
          nodeType: 'n8n-nodes-base.slack',
        });
        expect(slack.items.map((w) => w.id).sort()).toEqual([ids[0], ids[2], ids[4]].sort());
        expect(
          (await storage.workflows.search({ name: marker, nodeType: 'n8n-nodes-base.sla' })).items,
        ).toEqual([]);

        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await storage.workflows.search({ name: marker, limit: 2, cursor });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((w) => w.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen.sort()).toEqual([...ids].sort());
      });

      it('rejects a bad cursor and a bad limit with a clear error', async () => {
        expect((await rejection(storage.workflows.search({ cursor: 'nope' }))).code).toBe(
          'STORAGE_INVALID_INPUT',
        );
        expect((await rejection(storage.workflows.search({ limit: 0 }))).code).toBe(
          'STORAGE_INVALID_INPUT',
        );
      });

      it('deletes a workflow with its versions, tags links and webhooks', async () => {
        const wf = await storage.workflows.create({ document: doc(unique('Gone')), tags: ['x'] });
        await storage.webhooks.register({
          method: 'GET',
          path: unique('gone'),
          workflowId: wf.id,
          nodeName: 'Webhook',
        });
        expect(await storage.workflows.delete(wf.id)).toBe(true);
        expect(await storage.workflows.get(wf.id)).toBeUndefined();
        expect(await storage.workflows.getVersion(wf.id, 1)).toBeUndefined();
        expect(await storage.webhooks.list({ workflowId: wf.id })).toEqual([]);
        expect(await storage.workflows.delete(wf.id)).toBe(false);
      });
    });

    describe('tags', () => {
      it('refuses a duplicate name with a typed error naming the tag', async () => {
        const name = unique('Tag');
        await storage.tags.create(name);
        const error = await rejection(storage.tags.create(name));
        expect(error).toBeInstanceOf(StorageConflictError);
        expect(error.entity).toBe('tag');
        expect(error.message).toContain(name);
      });
    });

    describe('executions', () => {
      it('creates, updates, lists with filters and pages newest first', async () => {
        const workflowId = unique('wf');
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          const execution = await storage.executions.create({
            workflowId,
            mode: 'manual',
            status: 'running',
            startedAt: 1000 + i,
            customData: { i: String(i) },
          });
          ids.push(execution.id);
        }
        await storage.executions.update(ids[0]!, {
          status: 'error',
          stoppedAt: 2000,
          error: { name: 'NodeError', code: 'NODE_EXECUTION_FAILED', message: 'boom' },
        });
        const failed = await storage.executions.get(ids[0]!);
        expect(failed).toMatchObject({
          status: 'error',
          stoppedAt: 2000,
          customData: { i: '0' },
          error: { message: 'boom' },
        });

        const running = await storage.executions.list({ workflowId, status: 'running' });
        expect(running.items.map((e) => e.id).sort()).toEqual(ids.slice(1).sort());

        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await storage.executions.list({ workflowId, limit: 3, cursor });
          seen.push(...page.items.map((e) => e.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual([...ids].reverse());
      });

      it('links retries and sub-workflow executions', async () => {
        const parent = await storage.executions.create({ mode: 'manual' });
        const child = await storage.executions.create({
          mode: 'integrated',
          parentExecutionId: parent.id,
        });
        const retry = await storage.executions.create({ mode: 'retry', retryOf: parent.id });
        expect(retry.retryOf).toBe(parent.id);
        const children = await storage.executions.list({ parentExecutionId: parent.id });
        expect(children.items.map((e) => e.id)).toEqual([child.id]);
      });

      it('stores large run data compressed and reads it back', async () => {
        const execution = await storage.executions.create({
          mode: 'manual',
          workflow: doc('Snapshot'),
        });
        const big = Array.from({ length: 2000 }, (_, i) => ({ json: { i, text: 'x'.repeat(40) } }));
        const runData = nodeRunData(big);
        await storage.executions.saveData(execution.id, { runData });
        const data = await storage.executions.getData(execution.id);
        expect(data?.runData).toEqual(runData);
        expect(data?.workflow).toEqual(doc('Snapshot'));
      });

      it('rebuilds run data that is not stored from the event log', async () => {
        const task = (n: number) => ({
          startTime: n,
          executionTime: 1,
          executionIndex: n,
          executionStatus: 'success' as const,
          source: [],
          data: { main: [[{ json: { n } }]] },
        });
        const finished = (executionId: string, seq: number, nodeName: string, runIndex = 0) => ({
          type: 'node.finished',
          executionId,
          seq,
          at: seq,
          nodeName,
          runIndex,
          task: task(seq),
        });
        const snapshot = await storage.executions.create({
          mode: 'manual',
          workflow: doc('Snapshot'),
        });
        const bare = await storage.executions.create({ mode: 'webhook' });
        expect(await storage.executions.getData(bare.id)).toBeUndefined();
        expect(await storage.executions.getData(snapshot.id)).toEqual({
          workflow: doc('Snapshot'),
          runData: null,
        });
        for (const { id } of [snapshot, bare]) {
          await storage.executions.writeBatch({
            serializedEvents: [
              { type: 'node.started', executionId: id, seq: 0, at: 0, nodeName: 'A', runIndex: 0 },
              finished(id, 1, 'A'),
              finished(id, 2, 'B'),
              finished(id, 3, 'A', 1),
            ].map((e) => ({ ...e, json: JSON.stringify(e) })),
          });
        }
        const rebuilt = { A: [task(1), task(3)], B: [task(2)] };
        expect(await storage.executions.getData(snapshot.id)).toEqual({
          workflow: doc('Snapshot'),
          runData: rebuilt,
        });
        expect(await storage.executions.getData(bare.id)).toEqual({
          workflow: null,
          runData: rebuilt,
        });
        expect(await storage.executions.getData(snapshot.id, { runData: false })).toEqual({
          workflow: doc('Snapshot'),
          runData: null,
        });
        // Stored run data is what it reads when there is some.
        await storage.executions.saveData(bare.id, { runData: { C: [task(9)] } });
        expect((await storage.executions.getData(bare.id))?.runData).toEqual({ C: [task(9)] });
      });

      it('appends events in order and refuses to overwrite one', async () => {
        const execution = await storage.executions.create({ mode: 'manual' });
        const event = (seq: number) => ({
          type: 'node.started',
          executionId: execution.id,
          seq,
          at: seq,
          nodeName: `N${seq}`,
          runIndex: 0,
        });
        await storage.executions.appendEvents([event(0), event(1)]);
        await storage.executions.appendEvents([event(2)]);
        expect((await storage.executions.listEvents(execution.id)).map((e) => e.seq)).toEqual([
          0, 1, 2,
        ]);
        expect(
          (await storage.executions.listEvents(execution.id, { afterSeq: 0 })).map((e) => e.seq),
        ).toEqual([1, 2]);
        const error = await rejection(storage.executions.appendEvents([event(1)]));
        expect(error).toBeInstanceOf(StorageConflictError);
        expect(error.details.conflict).toMatchObject({ executionId: execution.id });
        expect(await storage.executions.countEvents(execution.id)).toBe(3);
      });

      it('creates and reads many rows at once; an existing id fails the whole creation', async () => {
        const ids = [unique('many'), unique('many'), unique('many')];
        const created = await storage.executions.createMany(
          ids.map((id, i) => ({
            id,
            mode: 'webhook',
            ...(i === 0 ? { workflow: doc('Many snapshot') } : {}),
          })),
        );
        expect(created.map((e) => [e.id, e.status])).toEqual(ids.map((id) => [id, 'new']));
        const read = await storage.executions.getMany([...ids, unique('missing')]);
        expect(read.map((e) => e.id).sort()).toEqual([...ids].sort());
        expect((await storage.executions.getData(ids[0]!))?.workflow).toEqual(doc('Many snapshot'));

        const fresh = unique('many');
        const error = await rejection(
          storage.executions.createMany([
            { id: fresh, mode: 'webhook' },
            { id: ids[1], mode: 'webhook' },
          ]),
        );
        expect(error).toBeInstanceOf(StorageConflictError);
        expect(await storage.executions.get(fresh)).toBeUndefined();
        expect(await storage.executions.createMany([])).toEqual([]);
        expect(await storage.executions.getMany([])).toEqual([]);
      });

      it('writes a batch of several executions atomically: events, row patches, run data, new rows', async () => {
        const a = await storage.executions.create({ mode: 'webhook', status: 'running' });
        const b = await storage.executions.create({ mode: 'webhook', status: 'running' });
        const child = unique('child');
        const event = (executionId: string, seq: number, extra: Record<string, unknown> = {}) => ({
          type: 'node.started',
          executionId,
          seq,
          at: 1000 + seq,
          nodeName: `N${seq}`,
          runIndex: 0,
          ...extra,
        });
        // Above the compression threshold (16 KiB): stored gzip, read back the same.
        const large = event(b.id, 1, { blob: 'y'.repeat(20_000) });
        const runData = (n: number) =>
          nodeRunData(Array.from({ length: n }, (_, i) => ({ json: { i, t: 'z'.repeat(40) } })));
        await storage.executions.writeBatch(
          {
            creates: [{ id: child, mode: 'integrated', status: 'running', startedAt: 5 }],
            events: [event(a.id, 0), event(b.id, 0)],
            serializedEvents: [
              { ...large, json: JSON.stringify(large) },
              {
                executionId: child,
                seq: 0,
                type: 'node.started',
                at: 7,
                json: JSON.stringify(event(child, 0, { note: 'quote " and \\ backslash' })),
              },
            ],
            updates: new Map<string, UpdateExecutionInput>([
              [
                a.id,
                {
                  status: 'success' as const,
                  stoppedAt: 99,
                  lastSeq: 0,
                  lastNodeExecuted: 'N0',
                  leaseOwner: null,
                  error: { name: 'E', code: 'E_CODE', message: 'm' },
                },
              ],
              [b.id, { leaseOwner: 'w1', leaseExpiresAt: 1234 }],
            ]),
            runData: new Map([
              [a.id, runData(1)],
              [b.id, runData(2000)],
            ]),
          },
          { durability: 'relaxed' },
        );
        expect(await storage.executions.get(a.id)).toMatchObject({
          status: 'success',
          stoppedAt: 99,
          lastSeq: 0,
          lastNodeExecuted: 'N0',
          leaseOwner: null,
          error: { name: 'E', code: 'E_CODE', message: 'm' },
          mode: 'webhook',
        });
        // Columns a patch does not name stay as they were.
        expect(await storage.executions.get(b.id)).toMatchObject({
          status: 'running',
          leaseOwner: 'w1',
          leaseExpiresAt: 1234,
          lastSeq: -1,
        });
        expect(await storage.executions.get(child)).toMatchObject({
          status: 'running',
          mode: 'integrated',
        });
        expect(await storage.executions.listEvents(a.id)).toEqual([event(a.id, 0)]);
        expect(await storage.executions.listEvents(b.id)).toEqual([event(b.id, 0), large]);
        expect(await storage.executions.listEvents(child)).toEqual([
          event(child, 0, { note: 'quote " and \\ backslash' }),
        ]);
        expect((await storage.executions.getData(a.id))?.runData).toEqual(runData(1));
        expect((await storage.executions.getData(b.id))?.runData).toEqual(runData(2000));

        // Append-only: a batch with a sequence number stored already changes nothing at all.
        const error = await rejection(
          storage.executions.writeBatch({
            events: [event(a.id, 1), event(b.id, 1)],
            updates: new Map([[a.id, { status: 'error' as const }]]),
          }),
        );
        expect(error).toBeInstanceOf(StorageConflictError);
        expect(await storage.executions.countEvents(a.id)).toBe(1);
        expect((await storage.executions.get(a.id))?.status).toBe('success');
      });

      it('reads and guards the events a batch stores by range, whatever the row shape', async () => {
        // Without rows to create, PostgreSQL stores one row per execution and run of
        // consecutive events; SQLite one row per event. Readers and conflicts are the same.
        const a = await storage.executions.create({ mode: 'webhook', status: 'running' });
        const b = await storage.executions.create({ mode: 'webhook', status: 'running' });
        const event = (executionId: string, seq: number, extra: Record<string, unknown> = {}) => ({
          type: seq === 9 ? 'execution.finished' : 'node.finished',
          executionId,
          seq,
          at: 2000 + seq,
          nodeName: `N${seq}`,
          ...extra,
        });
        const serialized = (e: ReturnType<typeof event>) => ({ ...e, json: JSON.stringify(e) });
        // Interleaved executions; a gap (4 to 6) in a's; one of b's events above the
        // compression threshold (its range is stored gzip on PostgreSQL).
        const large = event(b.id, 1, { blob: 'q'.repeat(20_000) });
        await storage.executions.writeBatch({
          serializedEvents: [
            event(a.id, 0),
            event(b.id, 0),
            event(a.id, 1),
            large,
            event(a.id, 2),
            event(a.id, 3),
            event(a.id, 6),
            event(a.id, 7),
          ].map(serialized),
        });
        expect((await storage.executions.listEvents(a.id)).map((e) => e.seq)).toEqual([
          0, 1, 2, 3, 6, 7,
        ]);
        expect(await storage.executions.listEvents(b.id)).toEqual([event(b.id, 0), large]);
        expect(await storage.executions.countEvents(a.id)).toBe(6);
        // Inside a range, across ranges, with a limit.
        const after = (afterSeq: number, limit?: number) =>
          storage.executions
            .listEvents(a.id, { afterSeq, ...(limit === undefined ? {} : { limit }) })
            .then((events) => events.map((e) => e.seq));
        expect(await after(1)).toEqual([2, 3, 6, 7]);
        expect(await after(1, 2)).toEqual([2, 3]);
        expect(await after(2, 3)).toEqual([3, 6, 7]);
        expect(await after(7)).toEqual([]);

        // Append-only across row shapes: a number inside a stored range, a range reaching into
        // one, a range around a stored row and a duplicate within one batch are refused, and
        // nothing of their batch is stored.
        for (const attempt of [
          () => storage.executions.appendEvents([event(a.id, 2)]),
          () =>
            storage.executions.checkpoint({
              executionId: a.id,
              events: [event(a.id, 3)],
              patch: { status: 'success' },
            }),
          () => storage.executions.writeBatch({ serializedEvents: [serialized(event(a.id, 1))] }),
          () =>
            storage.executions.writeBatch({
              serializedEvents: [event(a.id, 3), event(a.id, 4)].map(serialized),
            }),
          () =>
            storage.executions.writeBatch({
              serializedEvents: [event(a.id, 4), event(a.id, 5), event(a.id, 6)].map(serialized),
            }),
          () =>
            storage.executions.writeBatch({
              serializedEvents: [event(b.id, 2), event(a.id, 8), event(a.id, 8)].map(serialized),
            }),
        ]) {
          expect(await rejection(attempt())).toBeInstanceOf(StorageConflictError);
        }
        expect(await storage.executions.countEvents(a.id)).toBe(6);
        expect(await storage.executions.countEvents(b.id)).toBe(2);
        expect((await storage.executions.get(a.id))?.status).toBe('running');
        // The gap can still be filled, and the log goes on after it.
        await storage.executions.writeBatch({
          serializedEvents: [event(a.id, 4), event(a.id, 5)].map(serialized),
        });
        await storage.executions.appendEvents([event(a.id, 8)]);
        await storage.executions.writeBatch({ serializedEvents: [serialized(event(a.id, 9))] });
        expect((await storage.executions.listEvents(a.id)).map((e) => e.seq)).toEqual([
          0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
        ]);
        expect(await storage.executions.countEvents(a.id)).toBe(10);
      });

      it('stores events with non-ASCII text as written, in one batch of several executions', async () => {
        // Two-byte and astral characters; one range of ~10,000 characters that takes more UTF-8
        // bytes than the compression threshold (PostgreSQL sizes ranges by characters).
        const a = await storage.executions.create({ mode: 'webhook', status: 'running' });
        const b = await storage.executions.create({ mode: 'webhook', status: 'running' });
        const event = (executionId: string, seq: number, nodeName: string) => ({
          type: 'node.finished',
          executionId,
          seq,
          at: 3000 + seq,
          nodeName,
        });
        const events = [
          event(a.id, 0, 'When clicking \u2018Execute workflow\u2019'),
          event(b.id, 0, 'plain'),
          event(a.id, 1, 'caf\u00e9 \u{1f600} \u65e5\u672c'),
          event(b.id, 1, '\u00e9'.repeat(10_000)),
          event(b.id, 2, 'line\nbreak "quoted" \\ back'),
        ];
        await storage.executions.writeBatch({
          serializedEvents: events.map((e) => ({ ...e, json: JSON.stringify(e) })),
        });
        expect(await storage.executions.listEvents(a.id)).toEqual([events[0], events[2]]);
        expect(await storage.executions.listEvents(b.id)).toEqual([
          events[1],
          events[3],
          events[4],
        ]);
      });

      it('claims an expired lease once, and leaves live leases alone', async () => {
        const dead = await storage.executions.create({
          mode: 'manual',
          status: 'running',
          leaseOwner: 'dead-process',
          leaseExpiresAt: 10,
        });
        const alive = await storage.executions.create({
          mode: 'manual',
          status: 'running',
          leaseOwner: 'live-process',
          leaseExpiresAt: Number.MAX_SAFE_INTEGER,
        });
        const [a, b] = await Promise.all([
          storage.executions.claimStale({ now: 100, owner: 'me-1', leaseMs: 1000 }),
          storage.executions.claimStale({ now: 100, owner: 'me-2', leaseMs: 1000 }),
        ]);
        const claims = [...a, ...b].filter((e) => e.id === dead.id);
        expect(claims).toHaveLength(1);
        expect([...a, ...b].some((e) => e.id === alive.id)).toBe(false);
        const unleased = await storage.executions.create({ mode: 'manual', status: 'running' });
        const young = await storage.executions.claimStale({
          now: unleased.createdAt + 10,
          owner: 'me-3',
          leaseMs: 1000,
          limit: 1000,
        });
        expect(young.map((e) => e.id)).not.toContain(unleased.id);
        const old = await storage.executions.claimStale({
          now: unleased.createdAt + 1001,
          owner: 'me-3',
          leaseMs: 1000,
          limit: 1000,
        });
        expect(old.map((e) => e.id)).toContain(unleased.id);
        const owner = (await storage.executions.get(dead.id))!.leaseOwner;
        expect(await storage.executions.renewLease(dead.id, owner!, 5000)).toBe(true);
        expect(await storage.executions.renewLease(dead.id, 'someone-else', 5000)).toBe(false);
      });

      it('lists waiting executions that are due', async () => {
        const due = await storage.executions.create({ mode: 'manual', status: 'waiting' });
        await storage.executions.update(due.id, { waitTill: 500 });
        const later = await storage.executions.create({ mode: 'manual', status: 'waiting' });
        await storage.executions.update(later.id, { waitTill: 5_000_000 });
        const ids = (await storage.executions.listDueWaiting(1000)).map((e) => e.id);
        expect(ids).toContain(due.id);
        expect(ids).not.toContain(later.id);
      });
    });

    describe('execution recorder', () => {
      const task = (node: string) => ({
        startTime: 1,
        executionTime: 1,
        executionIndex: 0,
        executionStatus: 'success' as const,
        source: [],
        data: { main: [[{ json: { node, token: 'sk-secret-value' } }]] },
      });
      const events = (executionId: string): ExecutionEvent[] => [
        {
          type: 'execution.started',
          executionId,
          seq: 0,
          at: 10,
          workflowId: 'wf-rec',
          mode: 'manual',
          startNode: 'A',
          input: [{ json: {} }],
        },
        { type: 'node.started', executionId, seq: 1, at: 11, nodeName: 'A', runIndex: 0 },
        {
          type: 'node.finished',
          executionId,
          seq: 2,
          at: 12,
          nodeName: 'A',
          runIndex: 0,
          itemCounts: [1],
          durationMs: 1,
          status: 'success',
          task: task('A'),
          state: { stack: [], waiting: {}, executionIndex: 1, nodeContexts: {} },
        },
        {
          type: 'execution.finished',
          executionId,
          seq: 3,
          at: 13,
          status: 'success',
          lastNodeExecuted: 'A',
        },
      ];

      it('creates the row, holds node.started until the checkpoint, and saves the result', async () => {
        const recorder = createExecutionRecorder(storage, { now: () => 100, leaseMs: 50 });
        const id = unique('exec');
        const [started, nodeStarted, finished, done] = events(id);
        await recorder.onEvent(started!);
        expect(await storage.executions.get(id)).toMatchObject({
          status: 'running',
          startedAt: 10,
          leaseOwner: recorder.leaseOwner,
          leaseExpiresAt: 150,
          lastSeq: 0,
        });
        await recorder.onEvent(nodeStarted!);
        expect(await storage.executions.countEvents(id)).toBe(1);
        await recorder.onEvent(finished!);
        expect(await storage.executions.countEvents(id)).toBe(3);
        expect(await storage.executions.get(id)).toMatchObject({ lastNodeExecuted: 'A' });
        await recorder.onEvent(done!);
        expect(await storage.executions.get(id)).toMatchObject({
          status: 'success',
          stoppedAt: 13,
          leaseOwner: null,
          lastSeq: 3,
        });
        expect((await storage.executions.getData(id))?.runData).toEqual({ A: [task('A')] });
        const stored = await storage.executions.listEvents(id);
        expect(stored.map((e) => e.type)).toEqual([
          'execution.started',
          'node.started',
          'node.finished',
          'execution.finished',
        ]);
      });

      it('records the same log with relaxed durability', async () => {
        const recorder = createExecutionRecorder(storage, { durability: 'relaxed' });
        const id = unique('exec');
        for (const event of events(id)) await recorder.onEvent(event);
        expect((await storage.executions.listEvents(id)).map((e) => e.seq)).toEqual([0, 1, 2, 3]);
        expect(await storage.executions.get(id)).toMatchObject({ status: 'success', lastSeq: 3 });
        expect((await storage.executions.getData(id))?.runData).toEqual({ A: [task('A')] });
      });

      it('writes every event at once when batching is off', async () => {
        const recorder = createExecutionRecorder(storage, { batch: false });
        const id = unique('exec');
        const [started, nodeStarted] = events(id);
        await recorder.onEvent(started!);
        await recorder.onEvent(nodeStarted!);
        expect(await storage.executions.countEvents(id)).toBe(2);
      });

      it('redacts secrets from stored events and run data when given a redactor', async () => {
        const redactor = new SecretRedactor().add({ apiKey: 'sk-secret-value' });
        const recorder = createExecutionRecorder(storage, { redactor });
        const id = unique('exec');
        for (const event of events(id)) await recorder.onEvent(event);
        const stored = JSON.stringify(await storage.executions.listEvents(id));
        expect(stored).not.toContain('sk-secret-value');
        expect(stored).toContain('[REDACTED]');
        const data = JSON.stringify(await storage.executions.getData(id));
        expect(data).not.toContain('sk-secret-value');
      });

      it('marks failures with their error', async () => {
        const recorder = createExecutionRecorder(storage);
        const id = unique('exec');
        await recorder.onEvent(events(id)[0]!);
        await recorder.onEvent({
          type: 'execution.failed',
          executionId: id,
          seq: 1,
          at: 20,
          error: { name: 'NodeError', code: 'NODE_EXECUTION_FAILED', message: 'bad' },
          lastNodeExecuted: 'A',
        });
        expect(await storage.executions.get(id)).toMatchObject({
          status: 'error',
          error: { message: 'bad' },
          lastNodeExecuted: 'A',
        });
      });
    });

    describe('recovery', () => {
      async function runInterrupted(cutAfter: number, now = () => Date.now()) {
        const { registry } = createRecoveryNodes();
        const recorder = createExecutionRecorder(storage, {
          workflow: recoveryWorkflow(),
          now,
          leaseMs: 1000,
        });
        const executionId = unique('crash');
        let seen = 0;
        let dropped!: () => void;
        const droppedAt = new Promise<void>((resolve) => (dropped = resolve));
        // The runner "dies" after `cutAfter` events: later events are never stored and the
        // run never continues (its promise is simply abandoned).
        void runWorkflow(recoveryWorkflow(), {
          registry,
          executionId,
          observer: {
            onEvent: async (event) => {
              if (seen++ >= cutAfter) {
                dropped();
                return new Promise<void>(() => undefined);
              }
              await recorder.onEvent(event);
            },
          },
        });
        await droppedAt;
        return executionId;
      }

      it('resumes after the last finished node and ends with the same output, at any cut', async () => {
        const full = createRecoveryNodes();
        const reference = await runWorkflow(recoveryWorkflow(), { registry: full.registry });
        expect(reference.status).toBe('success');
        const referenceEvents: ExecutionEvent[] = [];
        await runWorkflow(recoveryWorkflow(), {
          registry: full.registry,
          observer: { onEvent: (e) => void referenceEvents.push(e) },
        });
        const total = referenceEvents.length;

        for (let cut = 1; cut < total; cut++) {
          const id = await runInterrupted(cut);
          const point = await loadRecoveryPoint(storage, id);
          expect(point.execution.status).toBe('running');
          const finishedBefore = point.events
            .filter((e) => e.type === 'node.finished')
            .map((e) => (e as { nodeName: string }).nodeName);

          const rerun = createRecoveryNodes();
          const result = await recoverExecution(storage, id, { registry: rerun.registry });
          expect(result.status, `cut after ${cut} events`).toBe('success');
          expect(result.output, `cut after ${cut} events`).toEqual(reference.output);
          expect(result.runData.M?.[0]?.data).toEqual(reference.runData.M?.[0]?.data);
          // Finished nodes are not run again.
          for (const node of finishedBefore) expect(rerun.calls).not.toContain(node);

          const stored = await storage.executions.get(id);
          expect(stored).toMatchObject({ status: 'success', leaseOwner: null });
          const log = await storage.executions.listEvents(id);
          expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
          const saved = await storage.executions.getData(id);
          expect(Object.keys(saved!.runData!).sort()).toEqual(
            Object.keys(reference.runData).sort(),
          );
        }
      });

      it('parks a waiting execution and resumes it once, from its stored state', async () => {
        const nodes = createRecoveryNodes();
        const recorder = createExecutionRecorder(storage, { workflow: waitingWorkflow() });
        const parked = await runWorkflow(waitingWorkflow(), {
          registry: nodes.registry,
          executionId: unique('wait'),
          observer: recorder,
        });
        expect(parked.status).toBe('waiting');
        const id = parked.executionId;
        expect(await storage.executions.get(id)).toMatchObject({
          status: 'waiting',
          waitTill: null,
          leaseOwner: null,
        });

        const later = createRecoveryNodes();
        const [first, second] = await Promise.allSettled([
          resumeWaitingExecution(storage, id, {
            registry: later.registry,
            resumeItems: [{ json: { n: 100 } }],
          }),
          resumeWaitingExecution(storage, id, { registry: later.registry }),
        ]);
        const results = [first, second];
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason.code).toBe('EXECUTION_NOT_RECOVERABLE');
        const result = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof runWorkflow>>>)
          .value;
        expect(result.status).toBe('success');
        expect(later.calls).toEqual(['A']);
        expect(await storage.executions.get(id)).toMatchObject({ status: 'success' });
        const log = await storage.executions.listEvents(id);
        expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
        expect(log.map((e) => e.type)).toContain('execution.waiting');
      });

      it('refuses to recover an execution that is not interrupted', async () => {
        const execution = await storage.executions.create({ mode: 'manual', status: 'success' });
        const error = await rejection(
          recoverExecution(storage, execution.id, { registry: createRecoveryNodes().registry }),
        );
        expect(error.code).toBe('EXECUTION_NOT_RECOVERABLE');
      });

      it('the start-up scan recovers or marks executions whose process died', async () => {
        const clock = { now: 1_000 };
        const id = await runInterrupted(5, () => clock.now);
        const other = await runInterrupted(3, () => clock.now);
        clock.now = 5_000;
        const marked = await recoverStaleExecutions(storage, {
          registry: createRecoveryNodes().registry,
          action: 'mark',
          owner: 'scanner',
          leaseMs: 1000,
          limit: 1000,
          recorderOptions: { now: () => clock.now },
        });
        const ours = marked.filter((o) => o.executionId === id || o.executionId === other);
        expect(ours).toHaveLength(2);
        expect(ours.every((o) => o.outcome === 'crashed')).toBe(true);
        expect((await storage.executions.get(id))?.status).toBe('crashed');

        // A crashed execution can still be recovered by hand.
        const result = await recoverExecution(storage, id, {
          registry: createRecoveryNodes().registry,
        });
        expect(result.status).toBe('success');

        const third = await runInterrupted(7, () => clock.now);
        const child = await storage.executions.create({
          mode: 'integrated',
          status: 'running',
          parentExecutionId: third,
          leaseOwner: 'dead',
          leaseExpiresAt: 1,
        });
        clock.now = 10_000;
        const recovered = await recoverStaleExecutions(storage, {
          registry: createRecoveryNodes().registry,
          leaseMs: 1000,
          limit: 1000,
          recorderOptions: { now: () => clock.now },
        });
        expect(recovered.find((o) => o.executionId === third)).toMatchObject({
          outcome: 'recovered',
          status: 'success',
        });
        // The parent's recovery re-runs its sub-workflows; the orphan is only marked.
        expect(recovered.find((o) => o.executionId === child.id)?.outcome).toBe('crashed');
        expect((await storage.executions.get(child.id))?.status).toBe('crashed');
      });
    });

    describe('credentials', () => {
      it('stores data encrypted and decrypts on request', async () => {
        const name = unique('Cred');
        const created = await storage.credentials.create({
          name,
          type: 'httpBasicAuth',
          data: { user: 'alice', password: 'p4ssw0rd-secret' },
        });
        expect(created).not.toHaveProperty('data');
        const raw = await storage.credentials.findCredential({ name, type: 'httpBasicAuth' });
        expect(raw?.data).toMatch(/^bf1:/);
        expect(raw?.data).not.toContain('p4ssw0rd');
        expect((await storage.credentials.getDecrypted(created.id))?.data).toEqual({
          user: 'alice',
          password: 'p4ssw0rd-secret',
        });
        const updated = await storage.credentials.update(created.id, {
          data: { user: 'bob', password: 'another-secret' },
        });
        expect(updated.name).toBe(name);
        expect((await storage.credentials.getDecrypted(created.id))?.data.user).toBe('bob');
      });

      it('refuses a duplicate name per type and project, naming the credential', async () => {
        const name = unique('Dup');
        await storage.credentials.create({ name, type: 'slackApi', data: { token: 'abcd' } });
        await storage.credentials.create({ name, type: 'githubApi', data: { token: 'abcd' } });
        const error = await rejection(
          storage.credentials.create({ name, type: 'slackApi', data: { token: 'x' } }),
        );
        expect(error).toBeInstanceOf(StorageConflictError);
        expect(error.details).toMatchObject({
          entity: 'credential',
          conflict: { name, type: 'slackApi' },
        });
      });

      it('resolves credentials for nodes and names a corrupt one', async () => {
        const name = unique('Res');
        const cred = await storage.credentials.create({
          name,
          type: 'apiKeyAuth',
          data: { key: 'resolved-secret' },
        });
        const redactor = new SecretRedactor();
        const resolver = storage.credentials.resolver(redactor);
        expect(
          await resolver.resolve({
            nodeName: 'HTTP',
            credentialType: 'apiKeyAuth',
            ref: { id: cred.id, name },
          }),
        ).toEqual({ key: 'resolved-secret' });
        expect(redactor.redactString('key=resolved-secret')).toBe('key=[REDACTED]');

        const broken = await storage.credentials.importEncrypted({
          name: unique('Broken'),
          type: 'apiKeyAuth',
          data: 'bf1:000000000000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        });
        const error = await rejection(
          resolver.resolve({
            nodeName: 'HTTP',
            credentialType: 'apiKeyAuth',
            ref: { id: broken.id, name: broken.name },
          }),
        );
        expect(error.code).toBe('CREDENTIAL_DECRYPT_FAILED');
        expect(error.message).toContain(`credential '${broken.name}'`);
      });
    });

    describe('webhooks', () => {
      it('routes static and dynamic paths and names the owner of a taken path', async () => {
        const base = unique('hook');
        const [wfA, wfB] = [unique('wfA'), unique('wfB')];
        await storage.webhooks.register([
          { method: 'post', path: `/${base}/orders/`, workflowId: wfA, nodeName: 'Orders' },
          { method: 'GET', path: `${base}/users/:id`, workflowId: wfA, nodeName: 'User' },
        ]);
        await storage.webhooks.register({
          method: 'GET',
          path: `${base}/users/me`,
          workflowId: wfB,
          nodeName: 'Me',
        });

        expect(await storage.webhooks.find('POST', `${base}/orders`)).toMatchObject({
          webhook: { workflowId: wfA, nodeName: 'Orders', method: 'POST' },
          params: {},
        });
        expect(await storage.webhooks.find('GET', `${base}/users/42`)).toMatchObject({
          webhook: { nodeName: 'User', isDynamic: true },
          params: { id: '42' },
        });
        expect((await storage.webhooks.find('GET', `${base}/users/me`))?.webhook.nodeName).toBe(
          'Me',
        );
        expect(await storage.webhooks.find('GET', `${base}/orders`)).toBeUndefined();

        const taken = await rejection(
          storage.webhooks.register({
            method: 'POST',
            path: `${base}/orders`,
            workflowId: wfB,
            nodeName: 'Mine',
          }),
        );
        expect(taken).toBeInstanceOf(StorageConflictError);
        expect(taken.details.conflict).toMatchObject({ workflowId: wfA, nodeName: 'Orders' });

        // Same shape with another parameter name is the same route.
        const shape = await rejection(
          storage.webhooks.register({
            method: 'GET',
            path: `${base}/users/:userId`,
            workflowId: wfB,
            nodeName: 'Other',
          }),
        );
        expect(shape.details.conflict).toMatchObject({ nodeName: 'User' });

        // A failed batch registers nothing.
        await rejection(
          storage.webhooks.register([
            { method: 'PUT', path: `${base}/fresh`, workflowId: wfB, nodeName: 'Fresh' },
            { method: 'POST', path: `${base}/orders`, workflowId: wfB, nodeName: 'Mine' },
          ]),
        );
        expect(await storage.webhooks.find('PUT', `${base}/fresh`)).toBeUndefined();

        expect(await storage.webhooks.unregisterWorkflow(wfA)).toBe(2);
        expect(await storage.webhooks.find('POST', `${base}/orders`)).toBeUndefined();
      });
    });

    describe('variables, projects, users, API keys, settings, audit log', () => {
      it('variables: unique keys per project, project values override global ones', async () => {
        const key = `V_${counter++}_${process.pid}`;
        const project = await storage.projects.create({ name: unique('VarProject') });
        await storage.variables.create({ key, value: 'global' });
        await storage.variables.create({ key, value: 'project', projectId: project.id });
        const error = await rejection(storage.variables.create({ key, value: 'again' }));
        expect(error.details).toMatchObject({ entity: 'variable', conflict: { key } });
        expect((await storage.variables.asRecord())[key]).toBe('global');
        expect((await storage.variables.asRecord(project.id))[key]).toBe('project');
        expect(
          (await rejection(storage.variables.create({ key: 'bad key', value: '' }))).code,
        ).toBe('STORAGE_INVALID_INPUT');
      });

      it('projects and members', async () => {
        const project = await storage.projects.create({ name: unique('Team') });
        const user = await storage.users.create({ email: `${unique('m')}@example.com` });
        await storage.projects.setMember(project.id, user.id, 'project:editor');
        await storage.projects.setMember(project.id, user.id, 'project:admin');
        expect(await storage.projects.listMembers(project.id)).toMatchObject([
          { userId: user.id, role: 'project:admin' },
        ]);
        expect((await storage.projects.listForUser(user.id)).map((p) => p.id)).toEqual([
          project.id,
        ]);
        const error = await rejection(storage.projects.create({ name: project.name }));
        expect(error.details).toMatchObject({
          entity: 'project',
          conflict: { name: project.name },
        });
      });

      it('users: email unique regardless of case', async () => {
        const email = `${unique('User')}@Example.com`;
        const user = await storage.users.create({ email, firstName: 'Ada', role: 'owner' });
        expect(user.email).toBe(email.toLowerCase());
        expect((await storage.users.getByEmail(email.toUpperCase()))?.id).toBe(user.id);
        const error = await rejection(storage.users.create({ email: email.toUpperCase() }));
        expect(error.details).toMatchObject({ entity: 'user' });
        const disabled = await storage.users.update(user.id, { disabled: true });
        expect(disabled.disabled).toBe(true);
      });

      it('API keys are stored hashed, verified, and expire', async () => {
        const user = await storage.users.create({ email: `${unique('k')}@example.com` });
        const { apiKey, key } = await storage.apiKeys.create({
          userId: user.id,
          label: 'ci',
          scopes: ['workflow:read'],
        });
        expect(key.startsWith(apiKey.prefix)).toBe(true);
        expect(await storage.apiKeys.verify(key)).toMatchObject({
          id: apiKey.id,
          scopes: ['workflow:read'],
        });
        expect(await storage.apiKeys.verify(`${key}x`)).toBeUndefined();
        expect(JSON.stringify(await storage.apiKeys.list(user.id))).not.toContain(key);
        const expired = await storage.apiKeys.create({
          userId: user.id,
          label: 'old',
          expiresAt: 1,
        });
        expect(await storage.apiKeys.verify(expired.key)).toBeUndefined();
        const dup = await rejection(storage.apiKeys.create({ userId: user.id, label: 'ci' }));
        expect(dup.details).toMatchObject({ entity: 'apiKey' });
      });

      it('settings hold JSON values', async () => {
        const key = unique('setting');
        expect(await storage.settings.get(key)).toBeUndefined();
        await storage.settings.set(key, { a: [1, 2] });
        await storage.settings.set(key, { a: [3] });
        expect(await storage.settings.get(key)).toEqual({ a: [3] });
        expect(await storage.settings.setIfAbsent(key, 'ignored')).toEqual({ a: [3] });
      });

      it('audit log lists newest first with filters and a cursor', async () => {
        const entityId = unique('entity');
        for (let i = 0; i < 3; i++) {
          await storage.auditLog.append({
            action: 'workflow.updated',
            entityType: 'workflow',
            entityId,
            actorId: 'u1',
            at: 1000 + i,
            details: { i },
          });
        }
        const first = await storage.auditLog.list({ entityId, limit: 2 });
        expect(first.items.map((e) => e.details.i)).toEqual([2, 1]);
        const second = await storage.auditLog.list({
          entityId,
          limit: 2,
          cursor: first.nextCursor,
        });
        expect(second.items.map((e) => e.details.i)).toEqual([0]);
      });
    });

    describe('transactions', () => {
      it('roll back every write when the callback throws', async () => {
        const name = unique('Rollback');
        await rejection(
          storage.transaction(async (repos) => {
            await repos.tags.create(name);
            throw new Error('stop');
          }),
        );
        expect(await storage.tags.getByName(name)).toBeUndefined();
      });
    });
  });

  describe(`storage lifecycle (${dialect})`, () => {
    it('rotates credentials to a new key in one transaction', async () => {
      const storage = await factory();
      try {
        const a = await storage.credentials.create({
          name: 'A',
          type: 't',
          data: { secret: 'one-secret' },
        });
        await storage.credentials.create({ name: 'B', type: 't', data: { secret: 'two-secret' } });
        const before = (await storage.credentials.findCredential({ name: 'A', type: 't' }))!.data;
        const { rotated } = await storage.rotateCredentials(
          'budflow-test-encryption-key-0123456789',
          'a-brand-new-encryption-key-42',
        );
        expect(rotated).toBe(2);
        const after = (await storage.credentials.findCredential({ name: 'A', type: 't' }))!.data;
        expect(after.split(':')[1]).not.toBe(before.split(':')[1]);
        expect((await storage.credentials.getDecrypted(a.id))?.data).toEqual({
          secret: 'one-secret',
        });
        const wrong = await rejection(
          storage.rotateCredentials('not-the-old-key-at-all', 'whatever-new-key-123'),
        );
        expect(wrong.code).toBe('ENCRYPTION_KEY_MISMATCH');
      } finally {
        await storage.close();
      }
    });

    it('prunes old and surplus finished executions with their data, never running ones', async () => {
      let now = 1_000_000;
      const storage = await factory({ now: () => now });
      try {
        const make = async (status: 'success' | 'running') => {
          const e = await storage.executions.create({ mode: 'manual', status });
          await storage.executions.appendEvents([
            { type: 'node.started', executionId: e.id, seq: 0, at: now },
          ]);
          await storage.executions.saveData(e.id, { runData: {} });
          now += 1000;
          return e.id;
        };
        const old = [await make('success'), await make('success'), await make('success')];
        const running = await make('running');
        const recent = [await make('success'), await make('success'), await make('success')];

        const byAge = await storage.pruneExecutions({ maxAgeMs: 4500, batchSize: 2 });
        expect(byAge).toEqual({ deleted: 3, batches: 2 });
        for (const id of old) {
          expect(await storage.executions.get(id)).toBeUndefined();
          expect(await storage.executions.getData(id)).toBeUndefined();
          expect(await storage.executions.countEvents(id)).toBe(0);
        }
        expect(await storage.executions.get(running)).toBeDefined();

        const byCount = await storage.pruneExecutions({ maxCount: 1 });
        expect(byCount.deleted).toBe(2);
        expect(await storage.executions.get(recent[2]!)).toBeDefined();
        expect(await storage.executions.get(running)).toBeDefined();
      } finally {
        await storage.close();
      }
    });
  });
}
