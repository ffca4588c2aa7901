/**
 * A schema built on its first use and kept. Node parameter schemas are written as functions
 * (`params: () => z.object(...)`), which `paramsSchemaFor` calls once per typeVersion when a
 * workflow first uses the node, so importing this package does not build them (~1,770 zod
 * schemas of ~2,070; a schema holds a kilobyte or more). This helper is for the parts several
 * of those functions share, or that are also used directly (`.parse`).
 */
export function lazySchema<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}
