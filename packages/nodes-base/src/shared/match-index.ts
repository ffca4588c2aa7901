/**
 * An index for exact (non-fuzzy) matching of items on field values: finds the rows whose values
 * equal a lookup in O(1) instead of scanning every row, with the same result and row order as a
 * scan with lodash `isEqual` when the looked-up values are primitives.
 */
function primitiveKey(value: unknown): string | undefined {
  if (value === null) return 'l';
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      // isEqual treats 0 and -0 as equal, and NaN as equal to NaN.
      return `n${Object.is(value, -0) ? 0 : value}`;
    case 'boolean':
      return `b${value}`;
    default:
      return undefined;
  }
}

function compositeKey(values: readonly unknown[]): string | undefined {
  const parts: string[] = [];
  for (const value of values) {
    const key = primitiveKey(value);
    if (key === undefined) return undefined;
    parts.push(key);
  }
  return JSON.stringify(parts);
}

export class ExactMatchIndex {
  private index: Map<string, number[]> | undefined;

  constructor(
    private readonly rowCount: number,
    /** The values of row `i` in the matched fields, in lookup order. */
    private readonly rowValues: (row: number) => unknown[],
  ) {}

  /**
   * Row indexes (ascending) whose values equal `lookup`, or `undefined` when the lookup holds a
   * non-primitive value and the caller must compare row by row.
   */
  find(lookup: readonly unknown[]): readonly number[] | undefined {
    const key = compositeKey(lookup);
    if (key === undefined) return undefined;
    this.index ??= this.build();
    return this.index.get(key) ?? [];
  }

  private build(): Map<string, number[]> {
    const index = new Map<string, number[]>();
    for (let row = 0; row < this.rowCount; row++) {
      const key = compositeKey(this.rowValues(row));
      if (key === undefined) continue;
      const list = index.get(key);
      if (list) list.push(row);
      else index.set(key, [row]);
    }
    return index;
  }
}
