/**
 * Where the worker entry lives. Kept at the root of `src/` so the relative path is the same in the
 * sources and in the bundled `dist/` (tsup emits `dist/worker/sandbox-worker.js`).
 */
export function workerEntry(): { url: URL; fromSource: boolean } {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(
    fromSource ? './worker/sandbox-worker.ts' : './worker/sandbox-worker.js',
    import.meta.url,
  );
  return { url, fromSource };
}
