import { createHmac, createVerify, generateKeyPairSync } from 'node:crypto';
import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { cryptoNode, formatPrivateKey } from './crypto.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

describe('Crypto', () => {
  it('hashes a value: MD5 hex by default in v1, SHA256 in v2', async () => {
    const v1 = await runNode(cryptoNode, {
      typeVersion: 1,
      params: { value: 'hello' },
      items: [{ a: 1 }],
    });
    expect(v1.json).toEqual([{ a: 1, data: '5d41402abc4b2a76b9719d911017c592' }]);
    const v2 = await runNode(cryptoNode, {
      typeVersion: 2,
      params: { value: 'hello', encoding: 'base64', dataPropertyName: 'h' },
    });
    expect(v2.json[0]!.h).toBe('LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=');
  });

  it('hashes with SHA3 and a binary file', async () => {
    const { json, items } = await runNode(cryptoNode, {
      typeVersion: 1,
      params: { type: 'SHA3-256', binaryData: true, binaryPropertyName: 'file' },
      items: [
        {
          json: {},
          binary: {
            file: { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain' },
          },
        },
      ],
    });
    expect(json[0]!.data).toBe('3338be694f50c5f338814986cdf0686453a888b84f424d792af4b9202398f392');
    expect(items[0]!.binary).toBeUndefined();
  });

  it('names a missing binary property', async () => {
    await expect(
      runNode(cryptoNode, { params: { binaryData: true }, items: [{}] }),
    ).rejects.toThrow("binary file 'data'");
  });

  it('makes an HMAC from the parameter in v1 and from the credential in v2', async () => {
    const expected = createHmac('sha256', 'secret').update('message').digest('hex');
    const v1 = await runNode(cryptoNode, {
      typeVersion: 1,
      params: { action: 'hmac', type: 'SHA256', value: 'message', secret: 'key' },
    });
    expect(v1.json[0]!.data).toBe(
      '6e9ef29b75fffc5b7abae527d58fdadb2fe42e7219011976917343065f58ed4a',
    );
    const v2 = await runNode(cryptoNode, {
      typeVersion: 2,
      params: { action: 'hmac', value: 'message' },
      credentials: { crypto: { hmacSecret: 'secret' } },
    });
    expect(v2.json[0]!.data).toBe(expected);
    await expect(
      runNode(cryptoNode, {
        typeVersion: 2,
        params: { action: 'hmac', value: 'message' },
        credentials: { crypto: {} },
      }),
    ).rejects.toThrow('No HMAC secret set in credentials');
  });

  it('signs a value so that the public key verifies it', async () => {
    const { json } = await runNode(cryptoNode, {
      typeVersion: 1,
      params: { action: 'sign', value: 'payload', algorithm: 'RSA-SHA256', privateKey },
    });
    const verify = createVerify('RSA-SHA256');
    verify.update('payload');
    expect(verify.verify(publicKey, json[0]!.data as string, 'hex')).toBe(true);
    const oneLine = privateKey.replace(/\n/g, ' ');
    const v2 = await runNode(cryptoNode, {
      typeVersion: 2,
      params: { action: 'sign', value: 'payload', algorithm: 'RSA-SHA256', encoding: 'base64' },
      credentials: { crypto: { signPrivateKey: oneLine } },
    });
    const verify2 = createVerify('RSA-SHA256');
    verify2.update('payload');
    expect(verify2.verify(publicKey, v2.json[0]!.data as string, 'base64')).toBe(true);
    expect(formatPrivateKey(oneLine).trim()).toBe(privateKey.trim());
  });

  it('names a signing algorithm the runtime does not support', async () => {
    await expect(
      runNode(cryptoNode, {
        typeVersion: 1,
        params: { action: 'sign', value: 'x', algorithm: 'md4', privateKey },
      }),
    ).rejects.toThrow("Cannot sign with algorithm 'md4'");
  });

  it('generates UUIDs and random strings of the asked length', async () => {
    const uuid = await runNode(cryptoNode, { params: { action: 'generate' } });
    expect(uuid.json[0]!.data).toMatch(/^[0-9a-f-]{36}$/);
    for (const encodingType of ['hex', 'base64', 'ascii']) {
      const { json } = await runNode(cryptoNode, {
        params: { action: 'generate', encodingType, stringLength: 20 },
      });
      expect((json[0]!.data as string).length).toBeLessThanOrEqual(20);
      if (encodingType === 'hex') expect(json[0]!.data).toMatch(/^[0-9a-f]{20}$/);
    }
  });

  it('reports a failure per item when continuing on failure', async () => {
    const v1 = await runNode(cryptoNode, {
      typeVersion: 1,
      continueOnFail: true,
      params: { action: 'sign', value: 'x', algorithm: 'RSA-SHA256', privateKey: 'not a key' },
    });
    expect(typeof v1.json[0]!.error).toBe('string');
    const v2 = await runNode(cryptoNode, {
      typeVersion: 2,
      continueOnFail: true,
      params: { action: 'sign', value: 'x', algorithm: 'RSA-SHA256' },
      credentials: { crypto: { signPrivateKey: 'not a key' } },
    });
    expect(v2.json[0]!.error).toMatchObject({ message: expect.any(String) as unknown });
  });

  it('never writes through __proto__', async () => {
    await expect(
      runNode(cryptoNode, { params: { value: 'x', dataPropertyName: '__proto__' } }),
    ).rejects.toThrow('Invalid property name');
  });
});
