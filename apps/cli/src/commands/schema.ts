import type { Command } from 'commander';
import { yamlWorkflowJsonSchema } from '@budflow/core';
import { defaultRegistry } from '../registry.js';
import { CliError, EXIT, fail, printJson } from '../output.js';

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the YAML workflow format (for editors and CI)')
    .argument('[format]', 'which schema: yaml', 'yaml')
    .action((format: string) => {
      try {
        if (format !== 'yaml') {
          throw new CliError(`unknown schema '${format}': the one schema is 'yaml'`, EXIT.USAGE);
        }
        printJson(yamlWorkflowJsonSchema({ registry: defaultRegistry() }));
      } catch (error) {
        fail(error);
      }
    });
}
