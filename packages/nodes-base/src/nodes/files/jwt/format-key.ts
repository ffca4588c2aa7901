/**
 * Restores the line breaks of a PEM key pasted on one line (or with literal `\n`), as n8n does
 * before handing keys to the signer.
 */
export function formatPemKey(key: string): string {
  if (!key) return key;
  const text = key.replace(/\\n/g, '\n').trim();
  const match = /^(-----BEGIN [A-Z0-9 ]+-----)([\s\S]*?)(-----END [A-Z0-9 ]+-----)$/.exec(text);
  if (!match) return text;
  const body = match[2]!.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return [match[1], ...lines, match[3]].join('\n');
}
