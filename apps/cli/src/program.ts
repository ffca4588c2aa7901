import { Command } from 'commander';
import { registerRunCommand } from './commands/run.js';
import { registerValidateCommand } from './commands/validate.js';

/** Builds the `budflow` command tree. */
export function createProgram(): Command {
  const program = new Command();
  program
    .name('budflow')
    .description('BudFlow: run n8n workflows, and the BudFlow server, worker and tools')
    .showSuggestionAfterError(true)
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? 0 : 2);
    });
  registerRunCommand(program);
  registerValidateCommand(program);
  return program;
}
