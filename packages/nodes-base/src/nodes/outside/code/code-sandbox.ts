import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  createSandbox,
  type PreludeScript,
  type Sandbox,
  type SandboxLimits,
} from '@budflow/sandbox';
import { CODE_RUNTIME_SOURCE } from './code-runtime-source.js';

/** Limits of Code-node runs unless the host configures others. */
export const DEFAULT_CODE_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  memoryBytes: 128 * 1024 * 1024,
  stackBytes: 512 * 1024,
  timeoutMs: 60_000,
  outputBytes: 64 * 1024 * 1024,
});

export interface CodeSandboxOptions {
  limits?: Partial<SandboxLimits>;
  /** `worker` (default) keeps a runaway script off the caller's event loop. */
  isolation?: 'worker' | 'inline';
  poolSize?: number;
}

let prelude: PreludeScript[] | undefined;

/** Luxon (global build) and the Code runtime: what a Code-node sandbox context is made of. */
export function codePrelude(): PreludeScript[] {
  if (prelude) return prelude;
  const require = createRequire(import.meta.url);
  const luxonDir = dirname(require.resolve('luxon/package.json'));
  prelude = [
    {
      filename: 'luxon.js',
      code: `(function () {\n${readFileSync(join(luxonDir, 'build/global/luxon.min.js'), 'utf8')}\nglobalThis.luxon = luxon;\n})();`,
    },
    { filename: 'budflow-code-runtime.js', code: CODE_RUNTIME_SOURCE },
  ];
  return prelude;
}

/** A sandbox for Code-node runs with the given limits. */
export function createCodeSandbox(options: CodeSandboxOptions = {}): Sandbox {
  return createSandbox({
    prelude: codePrelude(),
    limits: { ...DEFAULT_CODE_LIMITS, ...options.limits },
    isolation: options.isolation,
    poolSize: options.poolSize,
  });
}
