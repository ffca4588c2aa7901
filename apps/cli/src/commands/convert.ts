import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseWorkflow, workflowToYaml } from '@budflow/core';
import { WorkflowValidationError } from '@budflow/node-sdk';
import { defaultRegistry } from '../registry.js';
import { CliError, EXIT, fail } from '../output.js';
import { formatOf, readWorkflowFile } from '../workflow-file.js';

interface ConvertOptions {
  to: string;
  output?: string;
  minimal?: boolean;
  check?: boolean;
}

export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description('convert a workflow between n8n JSON and BudFlow YAML')
    .argument('<file>', 'workflow file (.yaml/.yml or n8n .json)')
    .requiredOption('--to <format>', 'target format: yaml or n8n (JSON)')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--minimal', 'YAML: leave out node ids and canvas positions')
    .option('--no-check', 'do not check node types and parameters against the known nodes')
    .action(async (file: string, options: ConvertOptions) => {
      try {
        const to = options.to.toLowerCase();
        if (!['yaml', 'yml', 'n8n', 'json'].includes(to)) {
          throw new CliError(`--to must be yaml or n8n, got '${options.to}'`, EXIT.USAGE);
        }
        const registry = defaultRegistry();
        const checked = options.check === false ? undefined : registry;
        const document = await readWorkflowFile(file, checked);
        let text: string;
        if (to === 'yaml' || to === 'yml') {
          const workflow = parseWorkflow(document, checked ? { registry } : {});
          text = workflowToYaml(workflow, {
            registry,
            ...(options.minimal ? { minimal: true } : {}),
          });
        } else {
          if (formatOf(file) === 'json' && checked)
            parseWorkflow(structuredClone(document), { registry });
          text = `${JSON.stringify(document, null, 2)}\n`;
        }
        if (options.output) await writeFile(options.output, text);
        else process.stdout.write(text);
      } catch (error) {
        fail(error);
        if (
          error instanceof WorkflowValidationError &&
          error.problems.some((p) => /unknown node type|has no typeVersion/.test(p.message))
        ) {
          process.stderr.write(
            'hint: --no-check converts workflows with node types this build does not know\n',
          );
        }
      }
    });
}
