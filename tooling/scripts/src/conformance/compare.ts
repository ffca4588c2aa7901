/** Deep comparison as n8n's harness does it: undefined properties ignored, key order ignored. */

export interface Difference {
  path: string;
  expected: unknown;
  actual: unknown;
}

/** JSON round trip: drops undefined properties and functions, turns Dates into strings. */
export function normalise(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** The first difference between two normalised JSON values, or undefined when equal. */
export function firstDifference(
  expected: unknown,
  actual: unknown,
  path = '$',
): Difference | undefined {
  if (Object.is(expected, actual)) return undefined;
  if (typeof expected !== typeof actual || expected === null || actual === null) {
    return { path, expected, actual };
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) return { path, expected, actual };
    const length = Math.max(expected.length, actual.length);
    for (let i = 0; i < length; i++) {
      if (i >= expected.length)
        return { path: `${path}[${i}]`, expected: undefined, actual: actual[i] };
      if (i >= actual.length)
        return { path: `${path}[${i}]`, expected: expected[i], actual: undefined };
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof expected === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
    for (const key of keys) {
      const sub = /^[A-Za-z_$][\w$]*$/.test(key)
        ? `${path}.${key}`
        : `${path}[${JSON.stringify(key)}]`;
      const d = firstDifference(e[key], a[key], sub);
      if (d) return d;
    }
    return undefined;
  }
  return { path, expected, actual };
}
