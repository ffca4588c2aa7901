import ipaddr from 'ipaddr.js';
import { BudflowError } from '@budflow/node-sdk';

/** Error code of a request refused by the SSRF guard. */
export const SSRF_BLOCKED = 'HTTP_SSRF_BLOCKED';

export interface SsrfOptions {
  /** Default true. `false` turns the guard off (tests against a local server, trusted hosts). */
  enabled?: boolean;
  /**
   * Exceptions: IP addresses or CIDR ranges (`10.1.0.0/16`, `::1`), host names (`api.internal`)
   * or host suffixes (`*.corp.example`). An allowed host name is trusted whatever it resolves to.
   */
  allow?: readonly string[];
  /** Extra denied CIDR ranges or host names, checked before the allow-list. */
  deny?: readonly string[];
}

interface Rule {
  name: string;
  description: string;
  ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

const rule = (name: string, description: string, cidrs: string[]): Rule => ({
  name,
  description,
  ranges: cidrs.map((cidr) => ipaddr.parseCIDR(cidr)),
});

// Metadata first, so 169.254.169.254 is reported as metadata rather than link-local.
const RULES: readonly Rule[] = [
  rule('cloud-metadata', 'a cloud metadata address', [
    '169.254.169.254/32',
    '169.254.170.2/32',
    '169.254.169.253/32',
    '100.100.100.200/32',
    '192.0.0.192/32',
    'fd00:ec2::254/128',
    'fd00:ec2::23/128',
  ]),
  rule('loopback', 'a loopback address', ['127.0.0.0/8', '::1/128']),
  rule('unspecified', 'an unspecified address', ['0.0.0.0/8', '::/128']),
  rule('private', 'a private network address', [
    '10.0.0.0/8',
    '172.16.0.0/12',
    '192.168.0.0/16',
    '100.64.0.0/10',
    'fc00::/7',
  ]),
  rule('link-local', 'a link-local address', ['169.254.0.0/16', 'fe80::/10']),
  rule('multicast', 'a multicast address', ['224.0.0.0/4', 'ff00::/8']),
  rule('reserved', 'a reserved address', [
    '240.0.0.0/4',
    '192.0.0.0/24',
    '198.18.0.0/15',
    'fec0::/10',
  ]),
];

const METADATA_HOSTS = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** The result of a check: undefined when allowed, else the rule and a sentence naming it. */
export interface SsrfVerdict {
  rule: string;
  reason: string;
}

export interface SsrfGuard {
  readonly enabled: boolean;
  /** Checks an IP address (as resolved or written in the URL). */
  checkAddress(address: string, hostname?: string): SsrfVerdict | undefined;
  /** Checks a host name before resolution (metadata names, deny-list, allow-list). */
  checkHostname(hostname: string): SsrfVerdict | 'allowed' | undefined;
}

function parseList(list: readonly string[] | undefined) {
  const ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  const hosts: string[] = [];
  for (const raw of list ?? []) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry.includes('/') && ipaddr.isValidCIDR(entry)) ranges.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(stripBrackets(entry))) {
      const address = ipaddr.parse(stripBrackets(entry));
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else hosts.push(entry.replace(/\.$/, ''));
  }
  return { ranges, hosts };
}

const stripBrackets = (host: string) =>
  host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;

function inRanges(
  address: ipaddr.IPv4 | ipaddr.IPv6,
  ranges: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>,
): boolean {
  return ranges.some(
    ([network, bits]) =>
      network.kind() === address.kind() && address.match([network, bits] as never),
  );
}

function hostMatches(hostname: string, patterns: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return patterns.some((pattern) =>
    pattern.startsWith('*.')
      ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
      : host === pattern,
  );
}

/** IPv4 embedded in an IPv6 address that routes to it (mapped, NAT64, 6to4, compatible). */
function embeddedIPv4(address: ipaddr.IPv6): { v4: ipaddr.IPv4; how: string } | undefined {
  const range = address.range();
  const parts = address.parts;
  if (range === 'ipv4Mapped') return { v4: address.toIPv4Address(), how: 'IPv4-mapped IPv6' };
  const fromParts = (hi: number, lo: number) =>
    new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  if (range === 'rfc6052') return { v4: fromParts(parts[6]!, parts[7]!), how: 'NAT64 IPv6' };
  if (range === '6to4') return { v4: fromParts(parts[1]!, parts[2]!), how: '6to4 IPv6' };
  // IPv4-compatible (deprecated) ::a.b.c.d
  if (parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || parts[7]! > 1)) {
    return { v4: fromParts(parts[6]!, parts[7]!), how: 'IPv4-compatible IPv6' };
  }
  return undefined;
}

/** Builds the guard from options. Pure: no DNS, no I/O. */
export function createSsrfGuard(options: SsrfOptions = {}): SsrfGuard {
  const enabled = options.enabled ?? true;
  const allow = parseList(options.allow);
  const deny = parseList(options.deny);

  const classify = (address: ipaddr.IPv4 | ipaddr.IPv6): Rule | undefined =>
    RULES.find((r) => inRanges(address, r.ranges));

  return {
    enabled,
    checkHostname(hostname) {
      if (!enabled) return 'allowed';
      const host = stripBrackets(hostname.toLowerCase());
      if (hostMatches(host, deny.hosts)) {
        return { rule: 'deny-list', reason: `host '${host}' is on the deny-list` };
      }
      if (hostMatches(host, allow.hosts)) return 'allowed';
      if (METADATA_HOSTS.has(host.replace(/\.$/, ''))) {
        return { rule: 'cloud-metadata', reason: `'${host}' is a cloud metadata host name` };
      }
      if (host === 'localhost' || host.endsWith('.localhost')) {
        return { rule: 'loopback', reason: `'${host}' is a loopback host name` };
      }
      return undefined;
    },
    checkAddress(raw, hostname) {
      if (!enabled) return undefined;
      const text = stripBrackets(raw);
      if (!ipaddr.isValid(text)) {
        return { rule: 'invalid-address', reason: `'${raw}' is not an IP address` };
      }
      const address = ipaddr.parse(text);
      const label =
        hostname && stripBrackets(hostname) !== text ? `${hostname} (${text})` : `${text}`;
      if (inRanges(address, deny.ranges)) {
        return { rule: 'deny-list', reason: `${label} is on the deny-list` };
      }
      if (inRanges(address, allow.ranges)) return undefined;
      if (address.kind() === 'ipv6') {
        const embedded = embeddedIPv4(address as ipaddr.IPv6);
        if (embedded) {
          if (inRanges(embedded.v4, deny.ranges)) {
            return {
              rule: 'deny-list',
              reason: `${label} embeds ${embedded.v4}, on the deny-list`,
            };
          }
          if (inRanges(embedded.v4, allow.ranges)) return undefined;
          const inner = classify(embedded.v4);
          if (inner) {
            return {
              rule: 'ipv4-mapped-ipv6',
              reason: `${label} is an ${embedded.how} address of ${embedded.v4}, ${inner.description} (rule '${inner.name}')`,
            };
          }
          return undefined;
        }
      }
      const matched = classify(address);
      return matched
        ? { rule: matched.name, reason: `${label} is ${matched.description}` }
        : undefined;
    },
  };
}

/** Thrown when the guard refuses a destination. `details.rule` names the rule. */
export class SsrfBlockedError extends BudflowError {
  override name = 'SsrfBlockedError';
  readonly verdict: SsrfVerdict;
  constructor(url: string, verdict: SsrfVerdict) {
    super(
      SSRF_BLOCKED,
      `request to ${url} blocked by the SSRF guard: ${verdict.reason} (rule '${verdict.rule}'); ` +
        'an administrator can allow it with the HTTP client allow-list',
      { details: { url, rule: verdict.rule } },
    );
    this.verdict = verdict;
  }
}
