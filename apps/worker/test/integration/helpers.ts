import {
  freshPostgresStorage,
  TEST_ENCRYPTION_KEY,
  type FreshPostgresStorage,
} from '@budflow/storage/testing';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The environment a worker (or a queue-mode main) needs for this schema and queue; `extra`
 * adds or overrides variables.
 */
export function queueEnv(
  schema: string,
  queue: { name: string; prefix: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    REDIS_URL,
    DATABASE_URL,
    BUDFLOW_DATABASE_SCHEMA: schema,
    BUDFLOW_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    BUDFLOW_QUEUE_NAME: queue.name,
    BUDFLOW_QUEUE_PREFIX: queue.prefix,
    ...extra,
  };
}

/** A migrated PostgreSQL storage in a fresh schema; `drop` closes it and removes the schema. */
export function freshPostgres(): Promise<FreshPostgresStorage> {
  return freshPostgresStorage(DATABASE_URL, { schemaPrefix: 'test_worker' });
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Manual Trigger → Set ×n, each adding 1 to `a` (the bench's linear shape). */
export function linearWorkflow(n: number): Record<string, unknown> {
  const nodes: Array<Record<string, unknown>> = [
    {
      parameters: {},
      id: 'trigger',
      name: 'Start',
      type: 'n8n-nodes-base.manualTrigger',
      typeVersion: 1,
      position: [0, 0],
    },
  ];
  const connections: Record<string, unknown> = {};
  let previous = 'Start';
  for (let i = 1; i <= n; i++) {
    const name = `Set ${i}`;
    nodes.push({
      parameters: {
        assignments: {
          assignments: [
            { id: `a${i}`, name: 'a', value: i === 1 ? 1 : '={{ $json.a + 1 }}', type: 'number' },
          ],
        },
        includeOtherFields: true,
        options: {},
      },
      id: `set-${i}`,
      name,
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [i * 200, 0],
    });
    connections[previous] = { main: [[{ node: name, type: 'main', index: 0 }]] };
    previous = name;
  }
  return { name: `linear-${n}`, nodes, connections, settings: { executionOrder: 'v1' } };
}
