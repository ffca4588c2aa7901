import { createHash, randomBytes } from 'node:crypto';

/** Parses a `WWW-Authenticate: Digest ...` challenge; undefined when it is not a Digest one. */
export function parseDigestChallenge(header: string | string[] | undefined) {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  const digest = values.find((v) => /^\s*digest\s/i.test(v));
  if (!digest) return undefined;
  const params: Record<string, string> = {};
  const re = /(\w+)=(?:"([^"]*)"|([^,\s]*))/g;
  const body = digest.replace(/^\s*digest\s+/i, '');
  for (let m = re.exec(body); m; m = re.exec(body)) {
    params[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  }
  return params;
}

/** The `Authorization` header answering a Digest challenge (RFC 7616, qop=auth). */
export function digestAuthorization(options: {
  challenge: Record<string, string>;
  method: string;
  url: string;
  user: string;
  password: string;
  nonceCount?: number;
  cnonce?: string;
}): string {
  const { challenge, method, user, password } = options;
  const algorithm = (challenge.algorithm ?? 'MD5').toUpperCase();
  const hashName = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  const hash = (value: string) => createHash(hashName).update(value).digest('hex');
  const parsed = new URL(options.url);
  const uri = parsed.pathname + parsed.search;
  const realm = challenge.realm ?? '';
  const nonce = challenge.nonce ?? '';
  const qop = (challenge.qop ?? '')
    .split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const cnonce = options.cnonce ?? randomBytes(8).toString('hex');
  const nc = (options.nonceCount ?? 1).toString(16).padStart(8, '0');
  let ha1 = hash(`${user}:${realm}:${password}`);
  if (algorithm.endsWith('-SESS')) ha1 = hash(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = hash(`${method}:${uri}`);
  const response = qop
    ? hash(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : hash(`${ha1}:${nonce}:${ha2}`);
  const parts = [
    `username="${user}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    `algorithm=${challenge.algorithm ?? 'MD5'}`,
    `response="${response}"`,
  ];
  if (challenge.opaque !== undefined) parts.push(`opaque="${challenge.opaque}"`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  return `Digest ${parts.join(', ')}`;
}
