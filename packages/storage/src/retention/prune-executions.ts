import { BudflowError } from '@budflow/node-sdk';
import { STORAGE_ERROR_CODES } from '../errors.js';
import type { RepositoryContext } from '../internal/context.js';
import { ExecutionRepository } from '../repositories/execution-repository.js';

export interface PruneOptions {
  /** Delete finished executions older than this many milliseconds. */
  maxAgeMs?: number;
  /** Keep at most this many finished executions (the newest). */
  maxCount?: number;
  /** Rows per transaction (default 500): short transactions, no long locks. */
  batchSize?: number;
}

export interface PruneResult {
  deleted: number;
  batches: number;
}

/** Executions that are over: running and waiting ones are never pruned. */
const PRUNABLE = ['success', 'error', 'canceled', 'crashed'];

/**
 * Retention: deletes executions past `maxAgeMs` or beyond `maxCount`, with their data and events,
 * one batch per transaction so writers are never blocked for long.
 */
export async function pruneExecutions(
  ctx: RepositoryContext,
  options: PruneOptions,
): Promise<PruneResult> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new BudflowError(
      STORAGE_ERROR_CODES.STORAGE_INVALID_INPUT,
      `prune batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  const executions = new ExecutionRepository(ctx);
  let deleted = 0;
  let batches = 0;

  if (options.maxAgeMs !== undefined) {
    const cutoff = ctx.now() - options.maxAgeMs;
    for (;;) {
      const ids = await ctx.db
        .selectFrom('executions')
        .select('id')
        .where('status', 'in', PRUNABLE)
        .where('created_at', '<', cutoff)
        .orderBy('created_at')
        .limit(batchSize)
        .execute();
      if (ids.length === 0) break;
      deleted += await executions.delete(ids.map((r) => r.id));
      batches++;
    }
  }

  if (options.maxCount !== undefined) {
    const keep = Math.max(0, Math.floor(options.maxCount));
    for (;;) {
      const ids = await ctx.db
        .selectFrom('executions')
        .select('id')
        .where('status', 'in', PRUNABLE)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .offset(keep)
        .limit(batchSize)
        .execute();
      if (ids.length === 0) break;
      deleted += await executions.delete(ids.map((r) => r.id));
      batches++;
    }
  }
  return { deleted, batches };
}
