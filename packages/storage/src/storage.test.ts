import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { defineRepositorySuite } from '../test/suite/repository-suite.js';
import { createStorage } from './index.js';
import { SQLITE_FILE_NAME } from './dialect/sqlite-dialect.js';
import { sqliteTestStorageFactory, TEST_ENCRYPTION_KEY } from './testing/index.js';

defineRepositorySuite('sqlite', sqliteTestStorageFactory());

describe('SQLite storage', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'budflow-storage-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('puts its file in BUDFLOW_DATA_DIR when no directory is given', async () => {
    const dir = tempDir();
    const storage = await createStorage({ dialect: 'sqlite' }, { env: { BUDFLOW_DATA_DIR: dir } });
    await storage.settings.set('k', 1);
    await storage.close();
    const reopened = await createStorage({ dialect: 'sqlite', file: join(dir, SQLITE_FILE_NAME) });
    expect(await reopened.settings.get('k')).toBe(1);
    await reopened.close();
  });

  it('detects a wrong encryption key at start-up', async () => {
    const dir = tempDir();
    const first = await createStorage(
      { dialect: 'sqlite', dataDir: dir },
      { encryptionKey: TEST_ENCRYPTION_KEY },
    );
    await first.close();
    await expect(
      createStorage(
        { dialect: 'sqlite', dataDir: dir },
        { encryptionKey: 'some-other-key-123456' },
      ),
    ).rejects.toMatchObject({ code: 'ENCRYPTION_KEY_MISMATCH' });
    const again = await createStorage(
      { dialect: 'sqlite', dataDir: dir },
      { encryptionKey: TEST_ENCRYPTION_KEY },
    );
    await again.close();
  });

  it('migrates once when several processes open the same file together', async () => {
    const dir = tempDir();
    const script = fileURLToPath(new URL('../test/fixtures/open-storage.ts', import.meta.url));
    const run = () =>
      new Promise<string[]>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--conditions=@budflow/source', '--import', 'tsx', script, dir],
          { cwd: fileURLToPath(new URL('..', import.meta.url)) },
          (error, stdout) => {
            if (error) reject(new Error(`child failed: ${error.message}`));
            else resolve(JSON.parse(stdout) as string[]);
          },
        );
      });
    const applied = await Promise.all([run(), run(), run()]);
    expect(applied.flat()).toEqual(['0001_initial', '0002_event_ranges', '0003_lz4_payloads']);
  }, 60_000);

  it('refuses to start on an unmigrated database when migrations are off', async () => {
    const dir = tempDir();
    await expect(
      createStorage({ dialect: 'sqlite', dataDir: dir }, { migrate: false }),
    ).rejects.toMatchObject({
      code: 'STORAGE_MIGRATION_FAILED',
      message: expect.stringContaining('0001_initial'),
    });
  });

  it('needs an encryption key for credentials', async () => {
    const storage = await createStorage({ dialect: 'sqlite', file: ':memory:' });
    await expect(
      storage.credentials.create({ name: 'x', type: 't', data: {} }),
    ).rejects.toMatchObject({ code: 'STORAGE_CONFIG_INVALID' });
    await storage.close();
  });

  it('rejects an unknown dialect and a Postgres config without a URL', async () => {
    await expect(createStorage({ dialect: 'oracle' } as never)).rejects.toMatchObject({
      code: 'STORAGE_CONFIG_INVALID',
    });
    await expect(createStorage({ dialect: 'postgres' }, { env: {} })).rejects.toMatchObject({
      code: 'STORAGE_CONFIG_INVALID',
    });
  });
});
