import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PreludeScript } from '@budflow/sandbox';
import { RUNTIME_SOURCE } from './runtime-source.js';

let cached: PreludeScript[] | undefined;

function packageFile(require: NodeRequire, pkg: string, file: string): string {
  return readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file), 'utf8');
}

/**
 * The scripts that make a sandbox context an n8n expression environment: the Luxon, jmespath and
 * jsonata sources (each compiled on first use), then the runtime. Also usable by a script
 * runner (the Code node) that wants the same globals.
 */
export function expressionPrelude(): PreludeScript[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  cached = [
    {
      filename: 'luxon-source.js',
      code: `globalThis.__bf_luxon_source = ${JSON.stringify(packageFile(require, 'luxon', 'build/global/luxon.min.js'))};`,
    },
    {
      filename: 'jmespath-source.js',
      code: `globalThis.__bf_jmespath_source = ${JSON.stringify(packageFile(require, 'jmespath', 'jmespath.js'))};`,
    },
    {
      filename: 'jsonata-source.js',
      code: `globalThis.__bf_jsonata_source = ${JSON.stringify(packageFile(require, 'jsonata', 'jsonata.min.js'))};`,
    },
    { filename: 'budflow-expression-runtime.js', code: RUNTIME_SOURCE },
  ];
  return cached;
}
