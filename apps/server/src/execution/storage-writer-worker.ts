/**
 * Worker thread that owns a second storage connection and commits the group-commit recorder's
 * batches, so SQL building and SQLite's synchronous work run on the other core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createStorage, type StorageConfig } from '@budflow/storage';
import { writeBatch, type RecorderBatch } from './group-commit-recorder.js';

interface Init {
  config: StorageConfig;
  encryptionKey: string;
}

const port = parentPort!;
const init = workerData as Init;

createStorage(init.config, { encryptionKey: init.encryptionKey, migrate: false }).then(
  (storage) => {
    port.on('message', (message: { id: number; batch: RecorderBatch } | 'close') => {
      if (message === 'close') {
        void storage.close().then(() => port.postMessage({ closed: true }));
        return;
      }
      writeBatch(storage, message.batch).then(
        () => port.postMessage({ id: message.id }),
        (error: unknown) =>
          port.postMessage({
            id: message.id,
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          }),
      );
    });
    port.postMessage({ ready: true });
  },
  (error: unknown) => {
    port.postMessage({ failed: error instanceof Error ? error.message : String(error) });
  },
);
