import type { Command } from 'commander';
import { parseWorkflow } from '@budflow/core';
import { WorkflowValidationError } from '@budflow/node-sdk';
import { defaultRegistry } from '../registry.js';
import { EXIT, printError, printJson } from '../output.js';
import { readWorkflowFile } from '../workflow-file.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check workflow files and print every problem with its JSON path')
    .argument('<files...>', 'workflow files (n8n JSON)')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], options: { json?: boolean }) => {
      const registry = defaultRegistry();
      const results: Array<{
        file: string;
        valid: boolean;
        problems: WorkflowValidationError['problems'];
      }> = [];
      for (const file of files) {
        try {
          parseWorkflow(await readWorkflowFile(file), { registry });
          results.push({ file, valid: true, problems: [] });
        } catch (error) {
          if (error instanceof WorkflowValidationError) {
            results.push({ file, valid: false, problems: error.problems });
          } else {
            results.push({
              file,
              valid: false,
              problems: [{ path: '', message: (error as Error).message }],
            });
          }
        }
      }
      if (options.json) printJson(results);
      else {
        for (const r of results) {
          if (r.valid) process.stdout.write(`✓ ${r.file}\n`);
          else {
            process.stdout.write(`✗ ${r.file}: ${r.problems.length} problem(s)\n`);
            for (const p of r.problems)
              process.stdout.write(`  ${p.path || '(root)'}: ${p.message}\n`);
          }
        }
      }
      process.exitCode = results.every((r) => r.valid) ? EXIT.OK : EXIT.FAILED;
    });
  void printError;
}
