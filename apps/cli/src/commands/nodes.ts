import type { Command } from 'commander';
import { closestTypeName, resolveYamlType } from '@budflow/core';
import { paramsSchemaFor, resolveDynamic, type NodeDefinition } from '@budflow/node-sdk';
import { z } from 'zod';
import { defaultRegistry } from '../registry.js';
import { CliError, EXIT, fail, printJson, printLine, printTable } from '../output.js';

const shortName = (definition: NodeDefinition) =>
  definition.type.startsWith('budflow.') ? definition.type.slice(8) : definition.type;

function versionsOf(definition: NodeDefinition): number[] {
  return [...(definition.compat?.n8n?.versions ?? [definition.version])];
}

function summary(definition: NodeDefinition) {
  return {
    type: shortName(definition),
    budflowType: definition.type,
    n8nType: definition.compat?.n8n?.type ?? null,
    versions: versionsOf(definition),
    category: definition.category,
    title: definition.title,
    trigger: definition.trigger?.kind ?? null,
  };
}

/** Parameters as JSON Schema (what the editor's forms and `nodes show` use). */
function paramsJsonSchema(definition: NodeDefinition, typeVersion: number): unknown {
  try {
    return z.toJSONSchema(paramsSchemaFor(definition, typeVersion), {
      io: 'input',
      unrepresentable: 'any',
    });
  } catch (error) {
    return { description: `not representable as JSON Schema: ${(error as Error).message}` };
  }
}

export function registerNodesCommand(program: Command): void {
  const nodes = program.command('nodes').description('the node types this build knows');
  nodes
    .command('list')
    .description('list node types (BudFlow name, n8n name, versions, category)')
    .option('--category <name>', 'only this category (trigger, flow, transform, files, ...)')
    .option('--json', 'print as JSON')
    .action((options: { category?: string; json?: boolean }) => {
      const rows = defaultRegistry()
        .definitions()
        .filter((d) => !options.category || d.category === options.category)
        .map(summary)
        .sort((a, b) => a.type.localeCompare(b.type));
      if (options.json) printJson(rows);
      else
        printTable(
          rows.map((r) => ({ ...r, versions: r.versions.join(',') })),
          ['type', 'n8nType', 'versions', 'category', 'title'],
        );
    });
  nodes
    .command('show')
    .description('show a node type with its outputs and its parameters as JSON Schema')
    .argument('<type>', 'node type: BudFlow name (set), full name, or n8n name')
    .option('--type-version <version>', 'typeVersion whose parameters to show (default: newest)')
    .option('--json', 'print as JSON')
    .action((type: string, options: { typeVersion?: string; json?: boolean }) => {
      try {
        const registry = defaultRegistry();
        const resolvedName = resolveYamlType(type, registry);
        const version = options.typeVersion === undefined ? undefined : Number(options.typeVersion);
        const resolved = resolvedName && registry.resolve(resolvedName.type, version);
        if (!resolved) {
          if (resolvedName) {
            throw new CliError(
              `${type} has no typeVersion ${options.typeVersion} (known: ${registry.versionsOf(resolvedName.type)?.join(', ')})`,
              EXIT.NOT_FOUND,
            );
          }
          const hint = closestTypeName(registry, type);
          throw new CliError(
            `unknown node type '${type}'${hint ? ` (did you mean '${hint}'?)` : ''}; see budflow nodes list`,
            EXIT.NOT_FOUND,
          );
        }
        const { definition, typeVersion } = resolved;
        const outputs = resolveDynamic(definition.outputs, {}, typeVersion, [{ type: 'main' }]);
        const detail = {
          ...summary(definition),
          typeVersion,
          description: definition.description ?? null,
          credentials: definition.credentials ?? [],
          outputs,
          parameters: paramsJsonSchema(definition, typeVersion),
        };
        if (options.json) {
          printJson(detail);
          return;
        }
        printLine(`${detail.title} (${detail.type})`);
        if (detail.description) printLine(detail.description);
        printLine(`n8n type:    ${detail.n8nType ?? '-'} (versions ${detail.versions.join(', ')})`);
        printLine(
          `category:    ${detail.category}${detail.trigger ? `, ${detail.trigger} trigger` : ''}`,
        );
        printLine(
          `outputs:     ${outputs.map((o, i) => o.name ?? String(i)).join(', ') || '(none)'}`,
        );
        if (detail.credentials.length > 0)
          printLine(`credentials: ${detail.credentials.map((c) => c.name).join(', ')}`);
        printLine(`parameters (typeVersion ${typeVersion}, JSON Schema):`);
        printLine(JSON.stringify(detail.parameters, null, 2));
      } catch (error) {
        fail(error);
      }
    });
}
