import { generateKeyPairSync } from 'node:crypto';
import { runNode } from '@budflow/node-sdk/testing';
import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatPemKey } from './format-key.js';
import { jwtNode } from './jwt-node.js';

const passphrase = { jwtAuth: { keyType: 'passphrase', secret: 'baz', algorithm: 'HS256' } };

describe('JWT node', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2024-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('signs the claims as given (n8n keeps the claim names) and decodes them', async () => {
    const signed = await runNode(jwtNode, {
      credentials: passphrase,
      params: { claims: { audience: 'test', issuer: 'test', jwtid: '123', subject: 'test' } },
    });
    const token = signed.json[0]!.token as string;
    expect(jwt.verify(token, 'baz')).toEqual({
      audience: 'test',
      issuer: 'test',
      jwtid: '123',
      subject: 'test',
      iat: 1704067200,
    });
    const decoded = await runNode(jwtNode, {
      credentials: passphrase,
      params: { operation: 'decode', token },
    });
    expect(decoded.json[0]!.payload).toMatchObject({ audience: 'test', jwtid: '123' });
  });

  it('signs the default JSON claims and verifies with complete output', async () => {
    const signed = await runNode(jwtNode, { credentials: passphrase, params: { useJson: true } });
    const token = signed.json[0]!.token as string;
    const verified = await runNode(jwtNode, {
      credentials: passphrase,
      params: { operation: 'verify', token, options: { complete: true } },
    });
    expect(verified.json[0]).toMatchObject({
      header: { alg: 'HS256', typ: 'JWT' },
      payload: { my_field_1: 'value 1', my_field_2: 'value 2' },
    });
    expect(typeof verified.json[0]!.signature).toBe('string');
  });

  it('signs and verifies with a PEM key pair pasted on one line', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = (key: string) => key.replace(/\n/g, ' ');
    const credentials = {
      jwtAuth: {
        keyType: 'pemKey',
        privateKey: pem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
        publicKey: pem(publicKey.export({ type: 'spki', format: 'pem' }) as string),
        algorithm: 'RS256',
      },
    };
    const signed = await runNode(jwtNode, {
      credentials,
      params: { claimsJson: { sub: 'me' }, useJson: true, options: { kid: 'k1' } },
    });
    const token = signed.json[0]!.token as string;
    expect(jwt.decode(token, { complete: true })?.header).toMatchObject({
      alg: 'RS256',
      kid: 'k1',
    });
    const verified = await runNode(jwtNode, {
      credentials,
      params: { operation: 'verify', token },
    });
    expect(verified.json[0]).toEqual({ payload: { sub: 'me', iat: 1704067200 } });
  });

  it('rejects a token signed with another secret', async () => {
    const token = jwt.sign({ a: 1 }, 'other');
    await expect(
      runNode(jwtNode, { credentials: passphrase, params: { operation: 'verify', token } }),
    ).rejects.toThrow("The JWT token can't be verified");
  });

  it('rejects expired tokens unless told to ignore expiry', async () => {
    const token = jwt.sign({ a: 1, exp: 1704067100 }, 'baz');
    await expect(
      runNode(jwtNode, { credentials: passphrase, params: { operation: 'verify', token } }),
    ).rejects.toThrow(/jwt expired/);
    const ok = await runNode(jwtNode, {
      credentials: passphrase,
      params: { operation: 'verify', token, options: { ignoreExpiration: true } },
    });
    expect(ok.json[0]!.payload).toMatchObject({ a: 1 });
  });

  it('requires a token, and keeps the input with the error when continuing', async () => {
    await expect(
      runNode(jwtNode, { credentials: passphrase, params: { operation: 'decode' } }),
    ).rejects.toThrow('The JWT token was not provided');
    const result = await runNode(jwtNode, {
      credentials: passphrase,
      continueOnFail: true,
      params: { operation: 'decode' },
      items: [{ keep: true }],
    });
    expect(result.items[0]).toMatchObject({
      json: { keep: true },
      error: { message: 'The JWT token was not provided' },
    });
  });

  it('decodes garbage to a null payload and rejects invalid claims JSON', async () => {
    const decoded = await runNode(jwtNode, {
      credentials: passphrase,
      params: { operation: 'decode', token: 'not-a-token' },
    });
    expect(decoded.json).toEqual([{ payload: null }]);
    await expect(
      runNode(jwtNode, { credentials: passphrase, params: { useJson: true, claimsJson: '{' } }),
    ).rejects.toThrow(/claimsJson/);
  });

  it('does not copy __proto__ claims', async () => {
    const signed = await runNode(jwtNode, {
      credentials: passphrase,
      params: { useJson: true, claimsJson: '{"__proto__":{"polluted":1},"a":1}' },
    });
    expect(jwt.decode(signed.json[0]!.token as string)).toEqual({ a: 1, iat: 1704067200 });
  });

  it('restores PEM line breaks', () => {
    const body = 'A'.repeat(70);
    expect(formatPemKey(`-----BEGIN PUBLIC KEY----- ${body} -----END PUBLIC KEY-----`)).toBe(
      `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(64)}\nAAAAAA\n-----END PUBLIC KEY-----`,
    );
  });
});
