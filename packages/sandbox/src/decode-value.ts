/** Host-side decoding of the sandbox's tagged JSON (`{"\u0000": tag, d: data}` marks non-JSON values). */
export type TagDecoder = (data: unknown) => unknown;

const TAG = '\u0000';

/** A tagged value for which the caller registered no decoder. */
export interface SandboxTaggedValue {
  $sandboxType: string;
  data: unknown;
}

function decodeTag(tagged: Record<string, unknown>, decoders: Record<string, TagDecoder>): unknown {
  const tag = tagged[TAG] as string;
  const data = tagged.d;
  switch (tag) {
    case 'undefined':
      return undefined;
    case 'NaN':
      return Number.NaN;
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
    case 'Date':
      return new Date(data as number);
    case 'bigint':
      return BigInt(data as string);
    case 'object':
      return data;
  }
  const decoder = decoders[tag];
  if (decoder) return decoder(data);
  return { $sandboxType: tag, data } satisfies SandboxTaggedValue;
}

/** Parses JSON text produced by the sandbox's encoder. */
export function decodeSandboxJson(
  text: string,
  decoders: Record<string, TagDecoder> = {},
): unknown {
  // JSON.stringify escapes U+0000, so the marker only appears as this six-character escape.
  if (!text.includes('\\u0000')) return JSON.parse(text);
  return JSON.parse(text, function (this: unknown, _key, value: unknown) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && TAG in value)
      return decodeTag(value, decoders);
    return value;
  });
}
