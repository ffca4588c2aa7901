/**
 * A loader of a library that loads it once: the first call starts the `import()`, later calls
 * share its promise. Heavy libraries load this way when a node first needs them, not with the
 * package (see `lazy-libraries.test.ts`).
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
}
