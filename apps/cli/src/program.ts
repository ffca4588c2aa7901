import { createRequire } from 'node:module';
import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench.js';
import { registerConvertCommand } from './commands/convert.js';
import { registerCredentialsCommand } from './commands/credentials.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerExecutionCommand } from './commands/execution.js';
import { registerImportExportCommands } from './commands/import-export.js';
import { registerNodesCommand } from './commands/nodes.js';
import { registerRunCommand } from './commands/run.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerStartCommand } from './commands/start.js';
import { registerStatusCommand } from './commands/status.js';
import { registerUserCommand } from './commands/user.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerWorkerCommand } from './commands/worker.js';
import { EXIT } from './output.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Builds the `budflow` command tree. */
export function createProgram(): Command {
  const program = new Command();
  program
    .name('budflow')
    .description('BudFlow: run n8n and YAML workflows, and the BudFlow server, worker and tools')
    .version(version, '-v, --version')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run budflow --help for the commands)')
    .exitOverride((error) => {
      // Help and version exit 0; unknown commands and options, missing arguments: usage error.
      process.exit(error.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
    });
  registerRunCommand(program);
  registerValidateCommand(program);
  registerConvertCommand(program);
  registerSchemaCommand(program);
  registerImportExportCommands(program);
  registerExecutionCommand(program);
  registerCredentialsCommand(program);
  registerUserCommand(program);
  registerStatusCommand(program);
  registerNodesCommand(program);
  registerStartCommand(program);
  registerEvalCommand(program);
  registerBenchCommand(program);
  registerWorkerCommand(program);
  // Subcommands inherit the usage-error exit code and the suggestions.
  for (const command of program.commands) applyDefaults(command);
  return program;
}

function applyDefaults(command: Command): void {
  command.showSuggestionAfterError(true).exitOverride((error) => {
    process.exit(error.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
  });
  for (const sub of command.commands) applyDefaults(sub);
}
