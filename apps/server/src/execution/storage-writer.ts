import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StorageConfig } from '@budflow/storage';
import type { BatchWriter, RecorderBatch } from './group-commit-recorder.js';

export interface StorageWriter {
  write: BatchWriter;
  close(): Promise<void>;
}

const SOURCE_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

function tsxApiUrl(): string {
  const root = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return pathToFileURL(join(root, 'dist/esm/api/index.mjs')).href;
}

type Reply =
  { ready: true } | { failed: string } | { id: number; error?: string } | { closed: true };

/**
 * Starts the storage writer worker thread. Resolves to undefined (the caller then commits on this
 * thread) when the worker cannot start here, e.g. when sources run without a TypeScript loader.
 */
export async function startStorageWriter(
  config: StorageConfig,
  encryptionKey: string,
  onError: (message: string) => void,
): Promise<StorageWriter | undefined> {
  // From sources (tsx, vitest) the worker registers tsx itself; the build ships a .js entry.
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./storage-writer-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  let worker: Worker;
  try {
    worker = fromSource
      ? new Worker(SOURCE_BOOTSTRAP, {
          eval: true,
          execArgv: ['--conditions=@budflow/source'],
          workerData: { config, encryptionKey, tsxApi: tsxApiUrl(), entry: entry.href },
        })
      : new Worker(entry, { workerData: { config, encryptionKey } });
  } catch {
    return undefined;
  }
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let closed: (() => void) | undefined;
  const ready = await new Promise<boolean>((resolve) => {
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return resolve(true);
      if ('failed' in reply) {
        onError(reply.failed);
        return resolve(false);
      }
      if ('closed' in reply) return closed?.();
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      // Idle, the worker must not keep the process alive; busy, it must (a flush at exit).
      if (pending.size === 0) worker.unref();
      if (reply.error) waiter?.reject(new Error(`storage writer: ${reply.error}`));
      else waiter?.resolve();
    });
    worker.on('error', (error) => {
      for (const w of pending.values()) w.reject(error);
      pending.clear();
      // Before `ready` this is a failed start (the caller then commits on its own thread).
      onError(error.message);
      resolve(false);
    });
    worker.on('exit', () => resolve(false));
  });
  if (!ready) {
    await worker.terminate();
    return undefined;
  }
  worker.unref();
  return {
    write: (batch: RecorderBatch) =>
      new Promise<void>((resolve, reject) => {
        const id = nextId++;
        if (pending.size === 0) worker.ref();
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, batch });
      }),
    close: async () => {
      worker.ref();
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.postMessage('close');
      });
      await worker.terminate();
    },
  };
}
