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
      expect(fresh.startup.applied).toEqual(['0001_initial', '0002_event_ranges']);
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
