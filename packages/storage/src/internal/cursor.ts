import { BudflowError } from '@budflow/node-sdk';
import { STORAGE_ERROR_CODES } from '../errors.js';

/** One page of a list, and the cursor of the next page (undefined on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | undefined;
}

export interface PageRequest {
  /** 1..500, default 50. */
  limit?: number;
  cursor?: string;
}

export interface CursorPosition {
  /** The sort key of the last row of the previous page (a timestamp). */
  k: number;
  id: string;
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new BudflowError(
      STORAGE_ERROR_CODES.STORAGE_INVALID_INPUT,
      `page limit must be an integer from 1 to 500, got ${limit}`,
    );
  }
  return limit;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPosition;
    if (typeof value.k === 'number' && typeof value.id === 'string') return value;
  } catch {
    // fall through to the error below
  }
  throw new BudflowError(
    STORAGE_ERROR_CODES.STORAGE_INVALID_INPUT,
    'the page cursor is invalid; pass the nextCursor of a previous page',
  );
}

/** Splits `limit + 1` fetched rows into a page. */
export function toPage<Row, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
  position: (row: Row) => CursorPosition,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    nextCursor: more && last !== undefined ? encodeCursor(position(last)) : undefined,
  };
}
