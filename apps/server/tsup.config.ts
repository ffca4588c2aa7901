import { defineConfig } from 'tsup';

export default defineConfig({
  // The storage writer runs in a worker thread: its entry sits next to index.js in dist/.
  entry: {
    index: 'src/index.ts',
    'storage-writer-worker': 'src/execution/storage-writer-worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
