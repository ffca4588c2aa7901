/**
 * The data-only bridge from the sandbox to this thread: JSON text in, JSON text out. It offers what
 * QuickJS lacks (ICU formatting, hashing, base64, WHATWG URL parsing) without handing any host object
 * to the sandbox.
 */
import { createHash } from 'node:crypto';
import { answerIntl } from './host-intl.js';

interface HostRequest {
  op: string;
  args: unknown[];
}

const HASHES: Record<string, string> = {
  md5: 'md5',
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha3: 'sha3-512',
  'sha3-256': 'sha3-256',
  'sha3-384': 'sha3-384',
  'sha3-512': 'sha3-512',
};

function answer(op: string, args: unknown[]): unknown {
  if (op.startsWith('intl.')) return answerIntl(op.slice(5), args);
  switch (op) {
    case 'hash': {
      const [algorithm, data, encoding] = args as [string, string, string];
      const name = HASHES[algorithm.toLowerCase()];
      if (!name) throw new RangeError(`unknown hash algorithm ${algorithm}`);
      return createHash(name)
        .update(data, 'utf8')
        .digest(encoding === 'base64' ? 'base64' : 'hex');
    }
    case 'base64.encode':
      return Buffer.from(String(args[0]), 'utf8').toString('base64');
    case 'base64.decode':
      return Buffer.from(String(args[0]), 'base64').toString('utf8');
    case 'url.parse': {
      const [input, base] = args as [string, string | null];
      let u: URL;
      try {
        u = base === null ? new URL(input) : new URL(input, base);
      } catch {
        throw new TypeError('Invalid URL');
      }
      return {
        href: u.href,
        origin: u.origin,
        protocol: u.protocol,
        username: u.username,
        password: u.password,
        host: u.host,
        hostname: u.hostname,
        port: u.port,
        pathname: u.pathname,
        search: u.search,
        hash: u.hash,
      };
    }
  }
  throw new TypeError(`host operation ${op} is not available in the sandbox`);
}

/** Answers one request; errors come back as `{ error: { name, message } }`. */
export function hostCall(requestJson: string): string {
  try {
    const request = JSON.parse(requestJson) as HostRequest;
    const value = answer(String(request.op), Array.isArray(request.args) ? request.args : []);
    return JSON.stringify({ value: value === undefined ? null : value });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return JSON.stringify({
      error: { name: e.name === 'TypeError' ? 'TypeError' : 'RangeError', message: e.message },
    });
  }
}
