import type { Command } from 'commander';
import { runWorkflow, defaultEvaluator } from '@budflow/core';
import type { RunData } from '@budflow/node-sdk';
import {
  createExecutionRecorder,
  loadRecoveryPoint,
  type StoredExecution,
  type StoredExecutionStatus,
} from '@budflow/storage';
import { optionalServerClient } from '../api-client.js';
import { withStorage } from '../data-dir.js';
import { defaultRegistry } from '../registry.js';
import {
  CliError,
  EXIT,
  createProgress,
  fail,
  printJson,
  printLine,
  printTable,
} from '../output.js';

const STATUSES: StoredExecutionStatus[] = [
  'new',
  'running',
  'success',
  'error',
  'canceled',
  'waiting',
  'crashed',
] as StoredExecutionStatus[];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function row(execution: StoredExecution) {
  return {
    id: execution.id,
    workflowId: execution.workflowId,
    status: execution.status,
    mode: execution.mode,
    startedAt: iso(execution.startedAt),
    stoppedAt: iso(execution.stoppedAt),
    lastNode: execution.lastNodeExecuted,
    retryOf: execution.retryOf,
  };
}

function printRunData(runData: RunData): void {
  const runs = Object.entries(runData)
    .flatMap(([node, tasks]) => tasks.map((task, run) => ({ node, run, task })))
    .sort((a, b) => a.task.executionIndex - b.task.executionIndex);
  for (const { node, run, task } of runs) {
    const outputs = task.data?.main ?? [];
    printLine(
      `▸ ${node}${run > 0 ? ` (run ${run})` : ''}: ${outputs.map((o) => o?.length ?? 0).join(' / ') || 0} item(s)${task.error ? ` — error: ${task.error.message}` : ''}`,
    );
    outputs.forEach((items, o) => {
      if (outputs.length > 1) printLine(`  output ${o}:`);
      for (const item of items ?? []) printLine(`  ${JSON.stringify(item.json)}`);
    });
  }
}

export function registerExecutionCommand(program: Command): void {
  const execution = program
    .command('execution')
    .description('executions: list and show from the data dir; retry and cancel');
  execution
    .command('list')
    .description('list executions, newest first')
    .option('--workflow <id>', 'only this workflow')
    .option('--status <status>', `only this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many (1-500)', '20')
    .option('--json', 'print as JSON')
    .action(
      async (options: { workflow?: string; status?: string; limit: string; json?: boolean }) => {
        try {
          if (options.status && !STATUSES.includes(options.status as StoredExecutionStatus)) {
            throw new CliError(
              `unknown status '${options.status}': use one of ${STATUSES.join(', ')}`,
              EXIT.USAGE,
            );
          }
          const limit = Number(options.limit);
          if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
            throw new CliError('--limit must be an integer from 1 to 500', EXIT.USAGE);
          }
          const page = await withStorage((s) =>
            s.executions.list({
              limit,
              ...(options.workflow ? { workflowId: options.workflow } : {}),
              ...(options.status ? { status: options.status as StoredExecutionStatus } : {}),
            }),
          );
          const rows = page.items.map(row);
          if (options.json) printJson(rows);
          else printTable(rows, ['id', 'workflowId', 'status', 'mode', 'startedAt', 'lastNode']);
        } catch (error) {
          fail(error);
        }
      },
    );
  execution
    .command('show')
    .description('show an execution with its run data')
    .argument('<id>', 'execution id')
    .option('--json', 'print as JSON (with the full run data)')
    .action(async (id: string, options: { json?: boolean }) => {
      try {
        const { found, data } = await withStorage(async (s) => ({
          found: await s.executions.get(id),
          data: await s.executions.getData(id),
        }));
        if (!found) throw new CliError(`no execution '${id}'`, EXIT.NOT_FOUND);
        if (options.json) {
          printJson({ ...row(found), error: found.error, runData: data?.runData ?? null });
          return;
        }
        const r = row(found);
        printLine(`execution ${r.id}: ${r.status} (${r.mode})`);
        printLine(`workflow:  ${r.workflowId ?? '-'}`);
        printLine(`started:   ${r.startedAt ?? '-'}`);
        printLine(`stopped:   ${r.stoppedAt ?? '-'}`);
        if (r.retryOf) printLine(`retry of:  ${r.retryOf}`);
        if (found.error)
          printLine(
            `error:     ${found.error.message}${found.error.nodeName ? ` (node '${found.error.nodeName}')` : ''}`,
          );
        if (data?.runData) printRunData(data.runData);
      } catch (error) {
        fail(error);
      }
    });
  execution
    .command('retry')
    .description(
      'retry a failed execution: through the server when BUDFLOW_URL is set, else here on the data dir (runs the stored workflow again)',
    )
    .argument('<id>', 'execution id')
    .option('--json', 'print the new execution as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      try {
        const server = optionalServerClient();
        if (server) {
          const result = await server.api<Record<string, unknown>>(
            'POST',
            `/executions/${encodeURIComponent(id)}/retry`,
          );
          if (options.json) printJson(result);
          else printLine(`retry of ${id} started on ${server.url}: ${JSON.stringify(result)}`);
          return;
        }
        const outcome = await retryLocally(id, options.json ?? false);
        if (options.json) printJson(outcome);
        else printLine(`retry of ${id}: execution ${outcome.id} ${outcome.status}`);
        process.exitCode =
          outcome.status === 'success' || outcome.status === 'waiting' ? EXIT.OK : EXIT.FAILED;
      } catch (error) {
        fail(error);
      }
    });
  execution
    .command('cancel')
    .description(
      'cancel an execution: a running one through the server (BUDFLOW_URL); a waiting or queued one also on the data dir',
    )
    .argument('<id>', 'execution id')
    .option('--json', 'print the outcome as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      try {
        const server = optionalServerClient();
        if (server) {
          const result = await server.api('POST', `/executions/${encodeURIComponent(id)}/cancel`);
          if (options.json) printJson(result ?? { id, status: 'canceled' });
          else printLine(`execution ${id} canceled on ${server.url}`);
          return;
        }
        const outcome = await withStorage(async (s) => {
          const found = await s.executions.get(id);
          if (!found) throw new CliError(`no execution '${id}'`, EXIT.NOT_FOUND);
          if (found.status === 'running') {
            throw new CliError(
              `execution ${id} is running in a server or worker process: cancel it through the server (set BUDFLOW_URL and BUDFLOW_API_KEY)`,
              EXIT.USAGE,
            );
          }
          if (found.status !== 'waiting' && found.status !== 'new') {
            throw new CliError(
              `execution ${id} has already ended (${found.status})`,
              EXIT.CONFLICT,
            );
          }
          await s.executions.update(id, {
            status: 'canceled',
            stoppedAt: Date.now(),
            waitTill: null,
          });
          return { id, status: 'canceled', previous: found.status };
        });
        if (options.json) printJson(outcome);
        else printLine(`execution ${id} canceled (was ${outcome.previous})`);
      } catch (error) {
        fail(error);
      }
    });
}

/** Runs the stored workflow of a failed execution again, recorded as a new execution. */
async function retryLocally(id: string, quiet: boolean) {
  return withStorage(async (storage) => {
    const point = await loadRecoveryPoint(storage, id).catch((error: unknown) => {
      throw new CliError((error as Error).message, EXIT.NOT_FOUND);
    });
    if (point.execution.status !== 'error' && point.execution.status !== 'crashed') {
      throw new CliError(
        `execution ${id} is ${point.execution.status}: only failed (error, crashed) executions are retried`,
        EXIT.CONFLICT,
      );
    }
    const progress = createProgress(`retrying ${id}`, { quiet });
    const created = await storage.executions.create({
      workflowId: point.execution.workflowId,
      workflowVersionId: point.execution.workflowVersionId,
      mode: 'retry',
      status: 'new',
      retryOf: id,
      workflow: point.workflow,
    });
    const evaluator = defaultEvaluator();
    const result = await runWorkflow(point.workflow, {
      registry: defaultRegistry(),
      ...(evaluator ? { evaluator } : {}),
      credentials: storage.credentials.resolver(),
      executionId: created.id,
      mode: 'retry',
      observer: createExecutionRecorder(storage, { workflow: point.workflow }),
      ...(point.startNode ? { startNode: point.startNode } : {}),
      ...(point.input ? { input: point.input } : {}),
    });
    if (result.status === 'success')
      await storage.executions.update(id, { retrySuccessId: created.id });
    if (result.status === 'error')
      progress.fail(`retry ${created.id} failed: ${result.error?.message}`);
    else progress.succeed(`retry ${created.id}: ${result.status}`);
    return { id: created.id, retryOf: id, status: result.status, error: result.error ?? null };
  });
}
