/**
 * A schema built on its first use and kept. Node parameter schemas are written as functions
 * (`params: () => z.object(...)`), which `paramsSchemaFor` calls once per typeVersion when a
 * workflow first uses the node: importing this package then builds none of them (~2,000 zod
 * schemas, a kilobyte or more each). This helper is for a schema also used directly (`.parse`).
 */
export function lazySchema<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}
