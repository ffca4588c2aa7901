import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BudflowError } from '@budflow/node-sdk';
import { MIN_ENCRYPTION_KEY_LENGTH } from '../cipher/credential-cipher.js';
import { SECRETS_ERROR_CODES } from '../errors.js';

export const ENCRYPTION_KEY_FILE = 'encryption.key';

export interface LoadEncryptionKeyOptions {
  /** Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where the key file lives; defaults to `BUDFLOW_DATA_DIR` or `~/.budflow`. */
  dataDir?: string;
  /** Receives the loud warning when a key file is created or used. Defaults to `console.warn`. */
  warn?: (message: string) => void;
}

export interface LoadedEncryptionKey {
  key: string;
  /** `env`: from BUDFLOW_ENCRYPTION_KEY; `file`: an existing key file; `generated`: just created. */
  source: 'env' | 'file' | 'generated';
  path?: string;
}

/** `BUDFLOW_DATA_DIR`, or `~/.budflow`. */
export function resolveDataDir(env: Record<string, string | undefined> = process.env): string {
  const configured = env.BUDFLOW_DATA_DIR?.trim();
  return configured ? configured : join(homedir(), '.budflow');
}

/**
 * The master key: `BUDFLOW_ENCRYPTION_KEY` when set; otherwise a key file in the data dir, created
 * with mode 0600 on first start. The generated key is what keeps a zero-setup install working, but
 * losing the file loses every credential, hence the warning.
 */
export async function loadEncryptionKey(
  options: LoadEncryptionKeyOptions = {},
): Promise<LoadedEncryptionKey> {
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const fromEnv = env.BUDFLOW_ENCRYPTION_KEY;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_ENCRYPTION_KEY_LENGTH) {
      throw new BudflowError(
        SECRETS_ERROR_CODES.ENCRYPTION_KEY_INVALID,
        `BUDFLOW_ENCRYPTION_KEY must be at least ${MIN_ENCRYPTION_KEY_LENGTH} characters long`,
      );
    }
    return { key: fromEnv, source: 'env' };
  }

  const dataDir = options.dataDir ?? resolveDataDir(env);
  const path = join(dataDir, ENCRYPTION_KEY_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const generated = randomBytes(32).toString('base64url');
  try {
    // 'wx' fails when the file exists, so two processes starting together agree on one key.
    await writeFile(path, `${generated}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
    warn(
      [
        '='.repeat(78),
        'WARNING: BUDFLOW_ENCRYPTION_KEY is not set.',
        `A new encryption key was generated and saved to ${path} (mode 0600).`,
        'Credentials are encrypted with it: back this file up, or set',
        'BUDFLOW_ENCRYPTION_KEY to its content. Losing it makes every credential unreadable.',
        '='.repeat(78),
      ].join('\n'),
    );
    return { key: generated, source: 'generated', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }

  const key = (await readFile(path, 'utf8')).trim();
  if (key.length < MIN_ENCRYPTION_KEY_LENGTH) {
    throw new BudflowError(
      SECRETS_ERROR_CODES.ENCRYPTION_KEY_INVALID,
      `the key file ${path} is empty or too short; restore it from a backup or set BUDFLOW_ENCRYPTION_KEY`,
      { details: { path } },
    );
  }
  const mode = (await stat(path)).mode & 0o777;
  if (mode & 0o077) {
    warn(
      `WARNING: the encryption key file ${path} is readable by other users (mode ${mode.toString(8)}); run chmod 600 on it`,
    );
  }
  return { key, source: 'file', path };
}
