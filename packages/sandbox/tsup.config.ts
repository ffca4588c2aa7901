import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker entry is emitted next to the bundle as dist/worker/sandbox-worker.js (see worker-url.ts).
  entry: { index: 'src/index.ts', 'worker/sandbox-worker': 'src/worker/sandbox-worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  shims: true,
});
