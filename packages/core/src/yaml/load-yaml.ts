import { createRequire } from 'node:module';
import type * as YamlLibrary from 'yaml';

let loaded: typeof YamlLibrary | undefined;

/**
 * The `yaml` library, loaded on first use: a process that only runs n8n JSON (library mode, the
 * queue worker) does not pay its ~70 modules at start-up (~30 ms and ~0.6 MB of heap here). On
 * Node, `import` and `require` of `yaml` reach the same CommonJS build, so this is the one copy.
 */
export function yamlLibrary(): typeof YamlLibrary {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof YamlLibrary;
  return loaded;
}
