import { describe, expect, it } from 'vitest';
import { createPostgresStorage } from '../../src/postgres.js';
import { postgresTestStorageFactory, TEST_ENCRYPTION_KEY } from '../../src/testing/index.js';
import { defineRepositorySuite } from '../suite/repository-suite.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

defineRepositorySuite('postgres', postgresTestStorageFactory(url));

describe('PostgreSQL storage', () => {
  const schema = `test_lifecycle_${process.pid}`;

  it('migrates once when several processes start together (advisory lock)', async () => {
    const storages = await Promise.all(
      [1, 2, 3, 4].map(() => createPostgresStorage({ url, schema, poolSize: 2 })),
    );
    try {
      const reports = await Promise.all(storages.map((s) => s.migrate()));
      expect(reports.every((r) => r.applied.length === 0)).toBe(true);
      await storages[0]!.settings.set('shared', true);
      expect(await storages[3]!.settings.get('shared')).toBe(true);
    } finally {
      await Promise.all(storages.map((s) => s.close()));
    }
  });

  it('migrates its own schema even when another schema has migration tables', async () => {
    const decoy = await createPostgresStorage({ url, schema: `${schema}_decoy` });
    await decoy.close();
    const fresh = await createPostgresStorage({ url, schema: `${schema}_fresh` });
    try {
      expect(fresh.startup.applied).toEqual([
        '0001_initial',
        '0002_event_ranges',
        '0003_lz4_payloads',
      ]);
    } finally {
      await fresh.close();
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists "${schema}_decoy" cascade`);
      await client.query(`drop schema if exists "${schema}_fresh" cascade`);
      await client.end();
    }
  });

  it('stores event and run-data payloads lz4-compressed where the server has lz4', async () => {
    const own = `${schema}_lz4`;
    const storage = await createPostgresStorage({ url, schema: own });
    const { Client } = await import('pg');
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows: settings } = await client.query<{ lz4: boolean }>(
        `select exists (select 1 from pg_settings where name = 'default_toast_compression'
           and 'lz4' = any(enumvals)) as lz4`,
      );
      const { rows } = await client.query<{ column: string; method: string }>(
        `select c.relname || '.' || a.attname as column, a.attcompression as method
         from pg_attribute a join pg_class c on c.oid = a.attrelid
         join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = $1 and a.attname in ('payload', 'run_data', 'workflow')
           and c.relname in ('execution_events', 'execution_data') order by 1`,
        [own],
      );
      const method = settings[0]!.lz4 ? 'l' : '';
      expect(rows).toEqual([
        { column: 'execution_data.run_data', method },
        { column: 'execution_data.workflow', method },
        { column: 'execution_events.payload', method },
      ]);
      // A payload PostgreSQL compresses (over ~2 KB; below the 16 KiB gzip threshold) reads back.
      const execution = await storage.executions.create({ mode: 'manual' });
      const big = {
        type: 'node.started',
        executionId: execution.id,
        seq: 0,
        at: 0,
        blob: 'z'.repeat(9000),
      };
      await storage.executions.appendEvents([big]);
      expect(await storage.executions.listEvents(execution.id)).toEqual([big]);
    } finally {
      await storage.close();
      await client.query(`drop schema if exists "${own}" cascade`);
      await client.end();
    }
  });

  it('detects a wrong encryption key at start-up', async () => {
    const first = await createPostgresStorage(
      { url, schema },
      { encryptionKey: TEST_ENCRYPTION_KEY },
    );
    await first.close();
    await expect(
      createPostgresStorage({ url, schema }, { encryptionKey: 'some-other-key-123456' }),
    ).rejects.toMatchObject({ code: 'ENCRYPTION_KEY_MISMATCH' });
    const cleanup = await createPostgresStorage({ url, schema });
    await cleanup.close();
    const { Client } = await import('pg');
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });
});
