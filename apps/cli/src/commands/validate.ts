import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseWorkflow, parseWorkflowYaml, type YamlProblem } from '@budflow/core';
import { WorkflowValidationError } from '@budflow/node-sdk';
import { defaultRegistry } from '../registry.js';
import { EXIT, printJson, printLine } from '../output.js';
import { formatOf, parseJsonWorkflow } from '../workflow-file.js';

interface FileResult {
  file: string;
  format: 'yaml' | 'json';
  valid: boolean;
  problems: YamlProblem[];
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'check workflow files (YAML or n8n JSON): node types, versions, parameters, connections',
    )
    .argument('<files...>', 'workflow files (.yaml/.yml or n8n .json)')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], options: { json?: boolean }) => {
      const registry = defaultRegistry();
      const results: FileResult[] = [];
      let unreadable = false;
      for (const file of files) {
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (error) {
          unreadable = true;
          results.push({
            file,
            format: formatOf(file),
            valid: false,
            problems: [{ path: '', message: `cannot read: ${(error as Error).message}` }],
          });
          continue;
        }
        const format = formatOf(file, text);
        try {
          if (format === 'yaml') parseWorkflowYaml(text, { registry, file });
          else parseWorkflow(parseJsonWorkflow(file, text), { registry });
          results.push({ file, format, valid: true, problems: [] });
        } catch (error) {
          const problems =
            error instanceof WorkflowValidationError
              ? (error.problems as YamlProblem[])
              : [{ path: '', message: (error as Error).message }];
          results.push({ file, format, valid: false, problems });
        }
      }
      if (options.json) printJson(results);
      else {
        for (const r of results) {
          if (r.valid) {
            printLine(`✓ ${r.file}`);
            continue;
          }
          printLine(`✗ ${r.file}: ${r.problems.length} problem(s)`);
          for (const p of r.problems) {
            const at = p.line === undefined ? '' : `${r.file}:${p.line}:${p.column ?? 1}: `;
            printLine(`  ${at}${p.path || '(root)'}: ${p.message}`);
          }
        }
      }
      process.exitCode = unreadable
        ? EXIT.USAGE
        : results.every((r) => r.valid)
          ? EXIT.OK
          : EXIT.FAILED;
    });
}
