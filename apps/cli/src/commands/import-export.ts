import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseWorkflow, workflowToYaml } from '@budflow/core';
import { isJsonObject, type JsonObject } from '@budflow/node-sdk';
import type { Storage, StoredWorkflow } from '@budflow/storage';
import { withStorage } from '../data-dir.js';
import { defaultRegistry } from '../registry.js';
import {
  CliError,
  EXIT,
  createProgress,
  exitCodeOf,
  fail,
  printJson,
  printLine,
} from '../output.js';
import { formatOf, parseJsonWorkflow, workflowFromText } from '../workflow-file.js';

/** The marker of a BudFlow export bundle (`budflow export` without `--dir`). */
const BUNDLE_KIND = 'budflow/export';
const CREDENTIALS_KIND = 'budflow/credentials';
const CREDENTIALS_FILE = 'credentials.json';
const NOT_IMPORTABLE = 'neither a workflow (no nodes) nor a credentials export';

interface ExportedCredential {
  id: string;
  name: string;
  type: string;
  /** Encrypted (a string, for this data dir's key) or decrypted (an object). */
  data: string | Record<string, unknown>;
}

interface ImportOutcome {
  file: string;
  kind: 'workflow' | 'credential';
  id?: string;
  name?: string;
  /** `skipped`: exists already; `ignored`: a file in a directory that is not importable. */
  status: 'imported' | 'updated' | 'skipped' | 'failed' | 'ignored';
  message?: string;
}

/** Files to import; those found in a directory are `found` (others were named on the command line). */
async function listFiles(paths: string[]): Promise<Array<{ path: string; found: boolean }>> {
  const files: Array<{ path: string; found: boolean }> = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new CliError(`cannot read ${path}: no such file or directory`, EXIT.USAGE);
    }
    if (!info.isDirectory()) {
      files.push({ path, found: false });
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (entry.isFile() && /\.(json|ya?ml)$/i.test(entry.name)) {
        files.push({ path: join(entry.parentPath, entry.name), found: true });
      }
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

const isWorkflowDocument = (value: unknown): value is JsonObject =>
  isJsonObject(value) && Array.isArray(value.nodes);

const isCredentialEntry = (value: unknown): value is ExportedCredential =>
  isJsonObject(value) &&
  typeof value.name === 'string' &&
  typeof value.type === 'string' &&
  (typeof value.data === 'string' || isJsonObject(value.data));

export function registerImportExportCommands(program: Command): void {
  program
    .command('import')
    .description('import workflows (YAML, n8n JSON, n8n exports) and credentials into the data dir')
    .argument('<paths...>', 'files or directories (searched for .json, .yaml, .yml)')
    .option('--overwrite', 'replace workflows and credentials that already exist (same id)')
    .option('--activate', 'mark imported workflows active')
    .option('--json', 'print the outcome per item as JSON')
    .action(
      async (
        paths: string[],
        options: { overwrite?: boolean; activate?: boolean; json?: boolean },
      ) => {
        try {
          const files = await listFiles(paths);
          const registry = defaultRegistry();
          const progress = createProgress(`importing ${files.length} file(s)`, {
            quiet: options.json,
          });
          const outcomes = await withStorage(async (storage) => {
            const all: ImportOutcome[] = [];
            for (const { path, found } of files) {
              progress.update(`importing ${path}`);
              const outcomes = await importFile(storage, path, registry, options);
              // A data file beside the workflows in a directory is not an error.
              const notWorkflow = outcomes.length === 1 && outcomes[0]!.message === NOT_IMPORTABLE;
              all.push(
                ...(found && notWorkflow
                  ? [{ ...outcomes[0]!, status: 'ignored' as const }]
                  : outcomes),
              );
            }
            return all;
          });
          const done = outcomes.filter((o) => o.status === 'imported' || o.status === 'updated');
          progress.succeed(
            `imported ${done.length} of ${outcomes.filter((o) => o.status !== 'ignored').length} item(s)`,
          );
          if (options.json) printJson(outcomes);
          else
            for (const o of outcomes) {
              printLine(
                `${o.status === 'imported' || o.status === 'updated' ? '✓' : o.status === 'ignored' ? '·' : '✗'} ${o.kind} ${o.name ?? ''}${o.id ? ` (${o.id})` : ''} from ${o.file}: ${o.status}${o.message ? ` — ${o.message}` : ''}`,
              );
            }
          if (outcomes.some((o) => o.status === 'failed')) process.exitCode = EXIT.FAILED;
          else if (outcomes.some((o) => o.status === 'skipped')) process.exitCode = EXIT.CONFLICT;
        } catch (error) {
          fail(error);
        }
      },
    );

  program
    .command('export')
    .description('export workflows and credentials from the data dir')
    .option('--all', 'every workflow')
    .option('--id <id>', 'this workflow (repeatable)', (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .option('--dir <dir>', 'write one file per workflow and credentials.json into this directory')
    .option('--yaml', 'write workflows as YAML (with --dir)')
    .option('--no-credentials', 'leave credentials out')
    .option(
      '--decrypted',
      'write credential values in clear text (dangerous: the export then holds your secrets)',
    )
    .action(
      async (options: {
        all?: boolean;
        id?: string[];
        dir?: string;
        yaml?: boolean;
        credentials: boolean;
        decrypted?: boolean;
      }) => {
        try {
          if (!options.all && !options.id?.length) {
            throw new CliError('say what to export: --all, or --id <id> (repeatable)', EXIT.USAGE);
          }
          if (options.yaml && !options.dir) {
            throw new CliError('--yaml needs --dir (stdout gets one JSON bundle)', EXIT.USAGE);
          }
          if (options.decrypted && options.credentials) {
            process.stderr.write(
              'WARNING: --decrypted writes credential secrets in clear text. Keep the export safe and delete it when done.\n',
            );
          }
          await withStorage(async (storage) => {
            const workflows = options.all
              ? await allWorkflows(storage)
              : await Promise.all(options.id!.map((id) => storage.workflows.require(id)));
            const credentials = options.credentials
              ? await exportCredentials(storage, options.decrypted ?? false)
              : [];
            if (!options.dir) {
              printJson({
                kind: BUNDLE_KIND,
                workflows: workflows.map(exportedWorkflow),
                ...(options.credentials
                  ? {
                      credentials: {
                        kind: CREDENTIALS_KIND,
                        encrypted: !options.decrypted,
                        credentials,
                      },
                    }
                  : {}),
              });
              return;
            }
            await mkdir(options.dir, { recursive: true });
            const registry = defaultRegistry();
            for (const workflow of workflows) {
              const base = join(options.dir, fileNameOf(workflow));
              const document = exportedWorkflow(workflow);
              if (options.yaml) {
                await writeFile(
                  `${base}.yaml`,
                  workflowToYaml(parseWorkflow(structuredClone(document)), { registry }),
                );
              } else await writeFile(`${base}.json`, `${JSON.stringify(document, null, 2)}\n`);
            }
            if (options.credentials) {
              await writeFile(
                join(options.dir, CREDENTIALS_FILE),
                `${JSON.stringify({ kind: CREDENTIALS_KIND, encrypted: !options.decrypted, credentials }, null, 2)}\n`,
                { mode: 0o600 },
              );
            }
            process.stderr.write(
              `exported ${workflows.length} workflow(s)${options.credentials ? ` and ${credentials.length} credential(s)` : ''} to ${options.dir}\n`,
            );
          });
        } catch (error) {
          fail(error);
        }
      },
    );
}

const fileNameOf = (workflow: StoredWorkflow) =>
  `${workflow.name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'workflow'}-${workflow.id}`;

/** The stored document with the stored id, name and active flag (what n8n exports look like). */
function exportedWorkflow(workflow: StoredWorkflow): JsonObject {
  return {
    ...workflow.document,
    id: workflow.id,
    name: workflow.name,
    active: workflow.active,
    ...(workflow.tags.length > 0 ? { tags: workflow.tags } : {}),
  };
}

async function allWorkflows(storage: Storage): Promise<StoredWorkflow[]> {
  const result: StoredWorkflow[] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.workflows.search({ limit: 500, ...(cursor ? { cursor } : {}) });
    for (const summary of page.items) result.push(await storage.workflows.require(summary.id));
    cursor = page.nextCursor;
  } while (cursor);
  return result;
}

async function exportCredentials(
  storage: Storage,
  decrypted: boolean,
): Promise<ExportedCredential[]> {
  const list = await storage.credentials.list();
  const out: ExportedCredential[] = [];
  for (const summary of list) {
    if (decrypted) {
      const full = await storage.credentials.getDecrypted(summary.id);
      if (full) out.push({ id: full.id, name: full.name, type: full.type, data: full.data });
    } else {
      const row = await storage.credentials.findCredential({
        id: summary.id,
        name: summary.name,
        type: summary.type,
      });
      if (row) out.push({ id: row.id, name: row.name, type: row.type, data: row.data });
    }
  }
  return out;
}

async function importFile(
  storage: Storage,
  file: string,
  registry: ReturnType<typeof defaultRegistry>,
  options: { overwrite?: boolean; activate?: boolean },
): Promise<ImportOutcome[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return [{ file, kind: 'workflow', status: 'failed', message: (error as Error).message }];
  }
  let value: unknown;
  try {
    value =
      formatOf(file, text) === 'yaml'
        ? workflowFromText(file, text, registry)
        : parseJsonWorkflow(file, text);
  } catch (error) {
    return [{ file, kind: 'workflow', status: 'failed', message: (error as Error).message }];
  }
  const workflows: JsonObject[] = [];
  const credentials: ExportedCredential[] = [];
  const collect = (v: unknown) => {
    if (isWorkflowDocument(v)) workflows.push(v);
    else if (isJsonObject(v) && v.kind === CREDENTIALS_KIND && Array.isArray(v.credentials))
      credentials.push(...(v.credentials as unknown[]).filter(isCredentialEntry));
    else if (isJsonObject(v) && v.kind === BUNDLE_KIND) {
      if (Array.isArray(v.workflows)) v.workflows.forEach(collect);
      if (v.credentials) collect(v.credentials);
    } else if (Array.isArray(v)) v.forEach(collect);
    // n8n's decrypted credential export; its encrypted one uses n8n's key, which we cannot read.
    else if (isCredentialEntry(v) && typeof v.data !== 'string') credentials.push(v);
  };
  collect(value);
  if (workflows.length === 0 && credentials.length === 0) {
    return [
      {
        file,
        kind: 'workflow',
        status: 'failed',
        message: NOT_IMPORTABLE,
      },
    ];
  }
  const outcomes: ImportOutcome[] = [];
  for (const document of workflows)
    outcomes.push(await importWorkflow(storage, file, document, options));
  for (const credential of credentials)
    outcomes.push(await importCredential(storage, file, credential, options));
  return outcomes;
}

async function importWorkflow(
  storage: Storage,
  file: string,
  document: JsonObject,
  options: { overwrite?: boolean; activate?: boolean },
): Promise<ImportOutcome> {
  const id = document.id === undefined || document.id === null ? undefined : String(document.id);
  const name = typeof document.name === 'string' && document.name ? document.name : undefined;
  const outcome = {
    file,
    kind: 'workflow' as const,
    ...(id ? { id } : {}),
    ...(name ? { name } : {}),
  };
  try {
    // Unknown node types are allowed (a node package may be installed later), broken JSON is not.
    parseWorkflow(structuredClone(document));
    const tags = Array.isArray(document.tags)
      ? document.tags
          .map((t) => (typeof t === 'string' ? t : isJsonObject(t) ? String(t.name) : ''))
          .filter(Boolean)
      : undefined;
    const { tags: _tags, ...rest } = document;
    const active = options.activate ? true : document.active === true;
    if (id && (await storage.workflows.get(id))) {
      if (!options.overwrite) {
        return { ...outcome, status: 'skipped', message: 'exists (use --overwrite to replace it)' };
      }
      await storage.workflows.update(id, {
        document: rest,
        ...(name ? { name } : {}),
        active,
        ...(tags ? { tags } : {}),
      });
      return { ...outcome, status: 'updated' };
    }
    const created = await storage.workflows.create({
      ...(id ? { id } : {}),
      ...(name ? { name } : {}),
      document: rest,
      active,
      ...(tags ? { tags } : {}),
    });
    return { ...outcome, id: created.id, name: created.name, status: 'imported' };
  } catch (error) {
    return {
      ...outcome,
      status: exitCodeOf(error) === EXIT.CONFLICT ? 'skipped' : 'failed',
      message: (error as Error).message,
    };
  }
}

async function importCredential(
  storage: Storage,
  file: string,
  credential: ExportedCredential,
  options: { overwrite?: boolean },
): Promise<ImportOutcome> {
  const outcome = { file, kind: 'credential' as const, id: credential.id, name: credential.name };
  try {
    const existing = credential.id ? await storage.credentials.get(credential.id) : undefined;
    if (existing) {
      if (!options.overwrite) {
        return { ...outcome, status: 'skipped', message: 'exists (use --overwrite to replace it)' };
      }
      await storage.credentials.delete(existing.id);
    }
    const created =
      typeof credential.data === 'string'
        ? await storage.credentials.importEncrypted({
            ...(credential.id ? { id: credential.id } : {}),
            name: credential.name,
            type: credential.type,
            data: credential.data,
          })
        : await storage.credentials.create({
            ...(credential.id ? { id: credential.id } : {}),
            name: credential.name,
            type: credential.type,
            data: credential.data,
          });
    return { ...outcome, id: created.id, status: existing ? 'updated' : 'imported' };
  } catch (error) {
    return {
      ...outcome,
      status: exitCodeOf(error) === EXIT.CONFLICT ? 'skipped' : 'failed',
      message: (error as Error).message,
    };
  }
}
