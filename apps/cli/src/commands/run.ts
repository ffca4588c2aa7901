import { defaultEvaluator } from '@budflow/core';
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { RunWorkflowResult, WorkflowLoader } from '@budflow/core';
import { isJsonObject, type Item, type JsonObject, type WebhookResponse } from '@budflow/node-sdk';
import type { Storage } from '@budflow/storage';
import { openStorage } from '../data-dir.js';
import { defaultRegistry } from '../registry.js';
import { CliError, EXIT, createProgress, fail, printJson } from '../output.js';
import { runToCompletion } from '../run-to-completion.js';
import { readJsonArgument, readWorkflowFile, workflowFromText } from '../workflow-file.js';

interface RunOptions {
  json?: boolean;
  input?: string;
  to?: string;
  pin?: string[];
  tz?: string;
  watch?: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description("run a workflow file (YAML or n8n JSON) and print each node's output items")
    .argument('<file>', 'workflow file (.yaml/.yml or n8n .json)')
    .option('--input <json|@file>', 'items for the start node (an object or an array of objects)')
    .option('--to <node>', 'run only up to this node (partial execution)')
    .option(
      '--pin <node=@file>',
      'pin a node output to the items in a JSON file or inline JSON (repeatable)',
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--tz <zone>', 'timezone for $now/$today when the workflow sets none')
    .option('--watch', 'run again whenever the file changes (Ctrl-C to stop)')
    .option('--json', 'print the full run data as JSON')
    .action(async (file: string, options: RunOptions) => {
      if (!options.watch) {
        await runOnce(file, options).catch(fail);
        return;
      }
      await watchFile(file, () => runOnce(file, options).catch(fail));
    });
}

/**
 * Runs now and again on each change, until Ctrl-C. The watcher starts before the first run, so
 * a change made while it runs is not missed. Editors often write twice: changes within 100 ms
 * count once.
 */
function watchFile(file: string, run: () => Promise<void>): Promise<void> {
  return new Promise((done) => {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const watcher = watch(file, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        running = running.then(async () => {
          process.stderr.write(`\n${file} changed: running again\n`);
          await run();
        });
      }, 100);
    });
    process.stderr.write(`watching ${file} for changes (Ctrl-C to stop)\n`);
    running = run();
    process.once('SIGINT', () => {
      watcher.close();
      clearTimeout(timer);
      process.exitCode = EXIT.INTERRUPTED;
      void running.then(done);
    });
  });
}

function toItems(value: unknown): Item[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) =>
    isJsonObject(v) && isJsonObject(v.json) ? (v as unknown as Item) : { json: v as JsonObject },
  );
}

async function runOnce(file: string, options: RunOptions): Promise<void> {
  const registry = defaultRegistry();
  const workflow = await readWorkflowFile(file, registry);
  const input =
    options.input === undefined ? undefined : toItems(await readJsonArgument(options.input));
  const pinData: Record<string, Item[]> = {};
  for (const spec of options.pin ?? []) {
    const at = spec.indexOf('=');
    if (at < 1)
      throw new CliError(`--pin expects node=@file or node=json, got '${spec}'`, EXIT.USAGE);
    pinData[spec.slice(0, at)] = toItems(await readJsonArgument(spec.slice(at + 1)));
  }
  const nodeNames = new Set(
    (Array.isArray(workflow.nodes) ? workflow.nodes : []).map((n) =>
      String((n as JsonObject).name),
    ),
  );
  for (const name of [...Object.keys(pinData), ...(options.to ? [options.to] : [])]) {
    if (!nodeNames.has(name)) {
      throw new CliError(`the workflow has no node named '${name}'`, EXIT.USAGE);
    }
  }

  const needsCredentials = (workflow.nodes as JsonObject[]).some(
    (n) => isJsonObject(n.credentials) && Object.keys(n.credentials).length > 0,
  );
  let storage: Storage | undefined;
  const progress = createProgress(`running ${file}`, { quiet: options.json });
  try {
    if (needsCredentials) storage = await openStorage();
    const evaluator = defaultEvaluator();
    const loader = fileLoader(file, storage);
    let finished = 0;
    let response: WebhookResponse | undefined;
    const result = await runToCompletion(workflow, {
      onResponse: (sent) => (response = sent),
      registry,
      onWait: (until) => progress.update(`waiting until ${until.toISOString()}`),
      ...(evaluator ? { evaluator } : {}),
      ...(storage ? { credentials: storage.credentials.resolver() } : {}),
      workflowLoader: loader,
      mode: 'cli',
      ...(input ? { input } : {}),
      ...(options.to ? { destinationNode: options.to } : {}),
      ...(Object.keys(pinData).length > 0
        ? {
            pinData: {
              ...((workflow.pinData as Record<string, Item[]> | undefined) ?? {}),
              ...pinData,
            },
          }
        : {}),
      ...(options.tz ? { timezone: options.tz } : {}),
      observer: {
        onEvent(event) {
          if (event.type === 'node.started') progress.update(`running ${file}: ${event.nodeName}`);
          if (event.type === 'node.finished') finished++;
        },
      },
    });
    const took = result.stoppedAt.getTime() - result.startedAt.getTime();
    if (result.status === 'error') progress.fail(`${file}: failed after ${finished} node run(s)`);
    else progress.succeed(`${file}: ${result.status}, ${finished} node run(s) in ${took} ms`);
    if (options.json) printJson({ ...summarise(result), ...(response ? { response } : {}) });
    else {
      printRun(result);
      // What a Respond to Webhook node would have sent to the caller.
      if (response) {
        process.stdout.write(
          `webhook response: ${response.statusCode ?? 200} ${JSON.stringify(response.body ?? null)}\n`,
        );
      }
    }
    process.exitCode =
      result.status === 'success' || result.status === 'waiting' ? EXIT.OK : EXIT.FAILED;
  } catch (error) {
    progress.stop();
    throw error;
  } finally {
    await storage?.close();
  }
}

/** Sub-workflows: files relative to the running file (YAML or JSON), ids from the data dir. */
function fileLoader(file: string, storage: Storage | undefined): WorkflowLoader {
  const base = dirname(resolve(file));
  return {
    async load(id) {
      const own = storage ?? (await openStorage());
      try {
        const stored = await own.workflows.get(id);
        if (!stored)
          throw new CliError(`no workflow with id '${id}' in the data dir`, EXIT.NOT_FOUND);
        return stored.document;
      } finally {
        if (!storage) await own.close();
      }
    },
    async loadFile(path) {
      const full = resolve(base, path);
      return workflowFromText(full, await readFile(full, 'utf8'), defaultRegistry());
    },
  };
}

export function summarise(result: RunWorkflowResult) {
  return {
    executionId: result.executionId,
    status: result.status,
    lastNodeExecuted: result.lastNodeExecuted,
    error: result.error,
    startedAt: result.startedAt,
    stoppedAt: result.stoppedAt,
    data: { resultData: { runData: result.runData, lastNodeExecuted: result.lastNodeExecuted } },
  };
}

export function printRun(result: RunWorkflowResult): void {
  const runs = Object.entries(result.runData)
    .flatMap(([node, tasks]) => tasks.map((task, run) => ({ node, run, task })))
    .sort((a, b) => a.task.executionIndex - b.task.executionIndex);
  for (const { node, run, task } of runs) {
    const outputs = task.data?.main ?? [];
    const counts = outputs.map((o) => o?.length ?? 0);
    process.stdout.write(
      `▸ ${node}${run > 0 ? ` (run ${run})` : ''}: ${counts.length > 1 ? counts.join(' / ') : (counts[0] ?? 0)} item(s)${task.error ? ` — error: ${task.error.message}` : ''}\n`,
    );
    outputs.forEach((items, o) => {
      if (outputs.length > 1) process.stdout.write(`  output ${o}:\n`);
      for (const item of items ?? []) process.stdout.write(`  ${JSON.stringify(item.json)}\n`);
    });
  }
  if (result.status === 'error') {
    process.stderr.write(
      `execution failed at node '${result.error?.nodeName ?? result.lastNodeExecuted}': ${result.error?.message}\n`,
    );
  } else if (result.status === 'waiting') {
    process.stdout.write(
      `execution waiting at node '${result.lastNodeExecuted}' ${result.waitTill ? `until ${result.waitTill.toISOString()} (longer than budflow run waits)` : 'for a webhook call (resume it on a server)'}\n`,
    );
  } else {
    process.stdout.write(
      `execution ${result.status} (${result.stoppedAt.getTime() - result.startedAt.getTime()} ms)\n`,
    );
  }
}
