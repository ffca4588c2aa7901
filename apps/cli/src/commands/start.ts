import type { Command } from 'commander';

interface StartOptions {
  port?: string;
  host?: string;
  dataDir?: string;
}

/** `budflow start`: the single-process server (SQLite in the data dir, in-process queue). */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'start the BudFlow server: REST API, webhooks, schedules (SQLite in BUDFLOW_DATA_DIR unless DATABASE_URL is set)',
    )
    .option('-p, --port <port>', 'HTTP port (BUDFLOW_PORT, default 5678)')
    .option('--host <host>', 'interface to listen on (BUDFLOW_HOST, default 0.0.0.0)')
    .option('--data-dir <dir>', 'data directory (BUDFLOW_DATA_DIR, default ~/.budflow)')
    .action(async (options: StartOptions) => {
      const started = performance.now();
      const env: Record<string, string | undefined> = {
        ...process.env,
        ...(options.port !== undefined ? { BUDFLOW_PORT: options.port } : {}),
        ...(options.host !== undefined ? { BUDFLOW_HOST: options.host } : {}),
        ...(options.dataDir !== undefined ? { BUDFLOW_DATA_DIR: options.dataDir } : {}),
      };
      // Loaded here so other commands do not pay for the server's start-up.
      const { startServer } = await import('@budflow/server');
      const server = await startServer({ env });
      const ms = Math.round(performance.now() - started);
      const hasOwner = await server.services.auth.hasOwner();
      const publicUrl = server.services.publicUrl;
      const lines = [
        '',
        `  BudFlow is ready on ${publicUrl} (${ms} ms)`,
        `  API docs:  ${publicUrl}/api/v1/docs`,
        `  Webhooks:  ${publicUrl}/webhook/<path>`,
        `  Database:  ${server.services.config.database.dialect === 'sqlite' ? `SQLite in ${server.services.config.dataDir}` : 'PostgreSQL'}`,
      ];
      if (!hasOwner) {
        lines.push(
          '',
          '  No owner account yet. Create it with:',
          '    budflow user create --email you@example.com --role owner',
          '  or:',
          `    curl -X POST ${publicUrl}/api/v1/owner/setup -H 'content-type: application/json' \\`,
          `      -d '{"email":"you@example.com","password":"<at least 8 characters>"}'`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n\n`);

      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          // A second Ctrl-C: leave now; running executions resume at the next start.
          process.exit(130);
        }
        stopping = true;
        process.stdout.write(`\n  ${signal}: stopping (Ctrl-C again to quit at once)...\n`);
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
