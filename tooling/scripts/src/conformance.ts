/**
 * `pnpm conformance [DIR ...] [--json]`: runs n8n fixture workflows and compares each pinned
 * node's output with n8n's, the way n8n's own node-test harness does (see
 * ../shared/conformance/SEMANTICS.md §1-2). One line per file, then `N passed, N failed, N skipped`.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { combineRegistries, createNodeRegistry, defaultEvaluator } from '@budflow/core';
import { baseNodes } from '@budflow/nodes-base';
import { runFixture, type FixtureOutcome } from './conformance/run-fixture.js';
import { testDataNode } from '@budflow/testing';

process.env.TZ = 'UTC';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DEFAULT_DIR = path.resolve(repoRoot, '../shared/conformance/n8n-workflows');

async function findJsonFiles(target: string): Promise<string[]> {
  const info = await stat(target);
  if (info.isFile()) return target.endsWith('.json') ? [target] : [];
  const out: string[] = [];
  for (const entry of (await readdir(target, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) out.push(...(await findJsonFiles(full)));
    else if (entry.name.endsWith('.json')) out.push(full);
  }
  return out;
}

function line(outcome: FixtureOutcome, base: string): string {
  const name = path.relative(base, outcome.file) || path.basename(outcome.file);
  if (outcome.status === 'pass') return `pass  ${name}`;
  if (outcome.status === 'skip') return `skip  ${name}: ${outcome.reason}`;
  const d = outcome.difference;
  return `FAIL  ${name}: ${outcome.reason}${d ? ` at ${d.path}: expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}` : ''}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const dirs = args.filter((a) => !a.startsWith('--'));
  const targets = dirs.length > 0 ? dirs.map((d) => path.resolve(d)) : [DEFAULT_DIR];
  const registry = combineRegistries(
    createNodeRegistry(baseNodes),
    createNodeRegistry([testDataNode]),
  );
  const evaluator = defaultEvaluator();
  const counts = { pass: 0, fail: 0, skip: 0 };
  try {
    for (const target of targets) {
      const base = (await stat(target)).isDirectory() ? target : path.dirname(target);
      for (const file of await findJsonFiles(target)) {
        const outcome = await runFixture(file, registry, evaluator);
        counts[outcome.status]++;
        process.stdout.write(
          json
            ? `${JSON.stringify({ ...outcome, file: path.relative(base, file) })}\n`
            : `${line(outcome, base)}\n`,
        );
      }
    }
  } finally {
    await evaluator?.close?.();
  }
  const summary = `${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped`;
  process.stdout.write(json ? `${JSON.stringify({ summary: counts })}\n` : `${summary}\n`);
  process.exitCode = counts.fail > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `conformance: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 2;
});
