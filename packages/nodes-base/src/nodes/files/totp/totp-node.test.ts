import { runNode } from '@budflow/node-sdk/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { totpNode } from './totp-node.js';

const credentials = { totpApi: { label: 'GitHub:john-doe', secret: 'BVDRSBXQB2ZEL5HE' } };

describe('TOTP node', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('generates the RFC 6238 token and the seconds left, once per item', async () => {
    // RFC 6238 test vector: SHA1, secret "12345678901234567890", T = 59 s -> 94287082 (8 digits).
    vi.setSystemTime(59_000);
    const rfc = { totpApi: { label: 'a:b', secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' } };
    const result = await runNode(totpNode, {
      credentials: rfc,
      params: { options: { digits: 8 } },
      items: [{}, {}],
    });
    expect(result.json).toEqual([
      { token: '94287082', secondsRemaining: 1 },
      { token: '94287082', secondsRemaining: 1 },
    ]);
    expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
  });

  it('uses 6 digits and 30 seconds by default, other algorithms on request', async () => {
    vi.setSystemTime(1_700_000_000_000);
    const sha1 = await runNode(totpNode, { credentials });
    expect(sha1.json[0]!.token).toMatch(/^\d{6}$/);
    expect(sha1.json[0]!.secondsRemaining).toBe(10);
    const sha256 = await runNode(totpNode, {
      credentials,
      params: { options: { algorithm: 'SHA256', period: 60 } },
    });
    expect(sha256.json[0]!.token).not.toBe(sha1.json[0]!.token);
    expect(sha256.json[0]!.secondsRemaining).toBe(40);
  });

  it('rejects a label without issuer', async () => {
    await expect(
      runNode(totpNode, { credentials: { totpApi: { label: 'nobody', secret: 'ABC' } } }),
    ).rejects.toThrow('Malformed label - expected `issuer:username`');
  });

  it('outputs nothing for no items', async () => {
    expect((await runNode(totpNode, { credentials, items: [] })).json).toEqual([]);
  });
});
