import { loadEncryptionKey, resolveDataDir } from '@budflow/secrets';
import { createStorage, type Storage } from '@budflow/storage';

/**
 * Opens the storage the server uses: PostgreSQL when `DATABASE_URL` is set, else the SQLite
 * file in the data dir (`BUDFLOW_DATA_DIR`, default `~/.budflow`). The encryption key comes from
 * `BUDFLOW_ENCRYPTION_KEY` or the data dir's key file (generated with a warning on first use).
 */
export async function openStorage(): Promise<Storage> {
  const env = process.env;
  const { key } = await loadEncryptionKey({
    env,
    warn: (message) => process.stderr.write(`${message}\n`),
  });
  if (env.DATABASE_URL) {
    return createStorage(
      { dialect: 'postgres', url: env.DATABASE_URL },
      { encryptionKey: key, env },
    );
  }
  return createStorage(
    { dialect: 'sqlite', dataDir: resolveDataDir(env) },
    { encryptionKey: key, env },
  );
}

/** Runs `fn` with open storage and closes it afterwards. */
export async function withStorage<T>(fn: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage();
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}
