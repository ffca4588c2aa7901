import type { Command } from 'commander';
import { isJsonObject } from '@budflow/node-sdk';
import type { CredentialSummary, Storage } from '@budflow/storage';
import { withStorage } from '../data-dir.js';
import { CliError, EXIT, fail, printJson, printLine, printTable } from '../output.js';
import { promptSecret, readStdin } from '../prompt.js';

/** Finds one credential by id, or by name (and type when several share the name). */
async function findOne(storage: Storage, ref: string, type?: string): Promise<CredentialSummary> {
  const byId = await storage.credentials.get(ref);
  if (byId) return byId;
  const matches = (await storage.credentials.list(type ? { type } : {})).filter(
    (c) => c.name === ref,
  );
  if (matches.length === 0) throw new CliError(`no credential '${ref}'`, EXIT.NOT_FOUND);
  if (matches.length > 1) {
    throw new CliError(
      `several credentials are named '${ref}' (${matches.map((c) => `${c.type} ${c.id}`).join(', ')}): pass the id or --type`,
      EXIT.USAGE,
    );
  }
  return matches[0]!;
}

/** Credential values: a JSON object on stdin, or typed at hidden prompts. Never from argv. */
async function readValues(fields: string[] | undefined): Promise<Record<string, unknown>> {
  if (!process.stdin.isTTY) {
    const text = (await readStdin()).trim();
    if (!text) {
      throw new CliError(
        'no credential values on stdin: pipe a JSON object, e.g. `echo \'{"user":"u","password":"p"}\' | budflow credentials set ...`',
        EXIT.USAGE,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new CliError(`stdin is not valid JSON: ${(error as Error).message}`, EXIT.USAGE);
    }
    if (!isJsonObject(value)) throw new CliError('stdin must hold a JSON object', EXIT.USAGE);
    return value;
  }
  if (fields && fields.length > 0) {
    const data: Record<string, unknown> = {};
    for (const field of fields) data[field] = await promptSecret(`${field}:`);
    return data;
  }
  const text = await promptSecret('credential values as a JSON object (hidden):');
  try {
    const value: unknown = JSON.parse(text);
    if (!isJsonObject(value)) throw new Error('not an object');
    return value;
  } catch (error) {
    throw new CliError(
      `expected a JSON object such as {"user":"u","password":"p"}: ${(error as Error).message}`,
      EXIT.USAGE,
    );
  }
}

export function registerCredentialsCommand(program: Command): void {
  const credentials = program
    .command('credentials')
    .description('credentials in the data dir (encrypted at rest)');
  credentials
    .command('set')
    .description(
      'create or replace a credential; values come from stdin (JSON) or hidden prompts, never argv',
    )
    .argument('<name>', 'credential name (as nodes refer to it)')
    .requiredOption('--type <type>', 'credential type, e.g. httpBasicAuth, httpHeaderAuth')
    .option('--id <id>', 'id for a new credential (default generated)')
    .option('--fields <names>', 'on a terminal: prompt for these comma-separated fields one by one')
    .option('--json', 'print the stored credential (without values) as JSON')
    .action(
      async (
        name: string,
        options: { type: string; id?: string; fields?: string; json?: boolean },
      ) => {
        try {
          const data = await readValues(
            options.fields
              ?.split(',')
              .map((f) => f.trim())
              .filter(Boolean),
          );
          const saved = await withStorage(async (storage) => {
            const existing = (await storage.credentials.list({ type: options.type })).find(
              (c) => c.name === name,
            );
            if (existing) return storage.credentials.update(existing.id, { data });
            return storage.credentials.create({
              name,
              type: options.type,
              data,
              ...(options.id ? { id: options.id } : {}),
            });
          });
          if (options.json) printJson(saved);
          else printLine(`saved ${saved.type} credential '${saved.name}' (${saved.id})`);
        } catch (error) {
          fail(error);
        }
      },
    );
  credentials
    .command('list')
    .description('list credentials (names and types, never values)')
    .option('--type <type>', 'only this type')
    .option('--json', 'print as JSON')
    .action(async (options: { type?: string; json?: boolean }) => {
      try {
        const list = await withStorage((s) =>
          s.credentials.list(options.type ? { type: options.type } : {}),
        );
        if (options.json) printJson(list);
        else
          printTable(
            list.map((c) => ({ ...c, updated: new Date(c.updatedAt).toISOString() })),
            ['id', 'name', 'type', 'updated'],
          );
      } catch (error) {
        fail(error);
      }
    });
  credentials
    .command('delete')
    .description('delete a credential by id or name')
    .argument('<idOrName>', 'credential id or name')
    .option('--type <type>', 'when several credentials share the name')
    .option('--json', 'print the deleted credential as JSON')
    .action(async (ref: string, options: { type?: string; json?: boolean }) => {
      try {
        const deleted = await withStorage(async (storage) => {
          const found = await findOne(storage, ref, options.type);
          await storage.credentials.delete(found.id);
          return found;
        });
        if (options.json) printJson(deleted);
        else printLine(`deleted ${deleted.type} credential '${deleted.name}' (${deleted.id})`);
      } catch (error) {
        fail(error);
      }
    });
}
