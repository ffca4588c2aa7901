/**
 * Consecutive slices of at most `size` elements: statements stay below the databases' limits on
 * bound parameters (SQLite: 32,766; PostgreSQL: 65,535) and on `IN (...)` lists.
 */
export function* chunks<T>(list: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < list.length; i += size) yield list.slice(i, i + size);
}
