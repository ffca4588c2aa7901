import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENCRYPTION_KEY_FILE, loadEncryptionKey, resolveDataDir } from './load-encryption-key.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'budflow-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadEncryptionKey', () => {
  it('prefers BUDFLOW_ENCRYPTION_KEY and writes no file', async () => {
    const warn = vi.fn();
    const loaded = await loadEncryptionKey({
      env: { BUDFLOW_ENCRYPTION_KEY: 'from-the-environment-123' },
      dataDir: dir,
      warn,
    });
    expect(loaded).toEqual({ key: 'from-the-environment-123', source: 'env' });
    await expect(stat(join(dir, ENCRYPTION_KEY_FILE))).rejects.toThrow();
    expect(warn).not.toHaveBeenCalled();
  });

  it('rejects a short BUDFLOW_ENCRYPTION_KEY', async () => {
    await expect(
      loadEncryptionKey({ env: { BUDFLOW_ENCRYPTION_KEY: 'short' }, dataDir: dir }),
    ).rejects.toMatchObject({ code: 'ENCRYPTION_KEY_INVALID' });
  });

  it('generates a 0600 key file with a loud warning, then reuses it', async () => {
    const warn = vi.fn();
    const dataDir = join(dir, 'nested');
    const first = await loadEncryptionKey({ env: {}, dataDir, warn });
    expect(first.source).toBe('generated');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('BUDFLOW_ENCRYPTION_KEY is not set'));
    const path = join(dataDir, ENCRYPTION_KEY_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, 'utf8')).trim()).toBe(first.key);

    const second = await loadEncryptionKey({ env: {}, dataDir, warn: vi.fn() });
    expect(second).toEqual({ key: first.key, source: 'file', path });
  });

  it('agrees on one key when two starts race', async () => {
    const [a, b] = await Promise.all([
      loadEncryptionKey({ env: {}, dataDir: dir, warn: vi.fn() }),
      loadEncryptionKey({ env: {}, dataDir: dir, warn: vi.fn() }),
    ]);
    expect(a.key).toBe(b.key);
  });

  it('refuses an empty key file', async () => {
    await writeFile(join(dir, ENCRYPTION_KEY_FILE), '\n', { mode: 0o600 });
    await expect(loadEncryptionKey({ env: {}, dataDir: dir })).rejects.toMatchObject({
      code: 'ENCRYPTION_KEY_INVALID',
    });
  });

  it('resolves the data dir from BUDFLOW_DATA_DIR or the home directory', () => {
    expect(resolveDataDir({ BUDFLOW_DATA_DIR: '/srv/budflow' })).toBe('/srv/budflow');
    expect(resolveDataDir({})).toMatch(/\.budflow$/);
  });
});
