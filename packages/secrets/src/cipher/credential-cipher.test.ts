import { describe, expect, it } from 'vitest';
import { createCredentialCipher } from './credential-cipher.js';

const KEY = 'a-test-master-key-0123456789';
const OTHER = 'another-master-key-9876543210';

function errorOf(fn: () => unknown): { code?: string; message: string; details?: unknown } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('createCredentialCipher', () => {
  it('round-trips data and never repeats a ciphertext (random IV)', () => {
    const cipher = createCredentialCipher(KEY);
    const data = { user: 'alice', password: 's3cret', nested: { n: 1 } };
    const a = cipher.encrypt(data, { context: 'cred-1' });
    const b = cipher.encrypt(data, { context: 'cred-1' });
    expect(a).not.toBe(b);
    expect(a).toMatch(/^bf1:[0-9a-f]{12}:/);
    expect(a).not.toContain('s3cret');
    expect(cipher.decrypt(a, { context: 'cred-1' })).toEqual(data);
  });

  it('derives the same key id from the same master key', () => {
    expect(createCredentialCipher(KEY).keyId).toBe(createCredentialCipher(KEY).keyId);
    expect(createCredentialCipher(KEY).keyId).not.toBe(createCredentialCipher(OTHER).keyId);
  });

  it('rejects a short master key', () => {
    expect(errorOf(() => createCredentialCipher('short')).code).toBe('ENCRYPTION_KEY_INVALID');
  });

  it('fails with CREDENTIAL_DECRYPT_FAILED naming the credential on tampered data', () => {
    const cipher = createCredentialCipher(KEY);
    const text = cipher.encrypt({ token: 'abcdef' }, { context: 'c1' });
    const raw = Buffer.from(text.split(':')[2]!, 'base64url');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 0xff;
    const tampered = `${text.split(':').slice(0, 2).join(':')}:${raw.toString('base64url')}`;
    const error = errorOf(() =>
      cipher.decrypt(tampered, { context: 'c1', credential: { id: 'c1', name: 'My API' } }),
    );
    expect(error.code).toBe('CREDENTIAL_DECRYPT_FAILED');
    expect(error.message).toContain("credential 'My API'");
    expect(error.details).toMatchObject({ credentialId: 'c1', credentialName: 'My API' });
  });

  it('fails when the ciphertext is moved to another record (context bound)', () => {
    const cipher = createCredentialCipher(KEY);
    const text = cipher.encrypt({ token: 'abcdef' }, { context: 'c1' });
    expect(errorOf(() => cipher.decrypt(text, { context: 'c2' })).code).toBe(
      'CREDENTIAL_DECRYPT_FAILED',
    );
  });

  it.each(['', 'garbage', 'v9:abc:def', 'bf1:abc', 'bf1:abc:AA'])(
    'fails cleanly on foreign data %j',
    (text) => {
      const error = errorOf(() =>
        createCredentialCipher(KEY).decrypt(text, { credential: { name: 'X' } }),
      );
      expect(error.code).toBe('CREDENTIAL_DECRYPT_FAILED');
      expect(error.message).toContain("credential 'X'");
    },
  );

  it('names the key id when data was encrypted with another key', () => {
    const text = createCredentialCipher(OTHER).encrypt({ a: 'b' });
    const error = errorOf(() => createCredentialCipher(KEY).decrypt(text));
    expect(error.code).toBe('CREDENTIAL_DECRYPT_FAILED');
    expect(error.message).toContain(createCredentialCipher(OTHER).keyId);
  });

  it('decrypts with a previous key during rotation and tells which records are stale', () => {
    const old = createCredentialCipher(OTHER);
    const text = old.encrypt({ a: 'b' }, { context: 'x' });
    const rotating = createCredentialCipher(KEY, { previousKeys: [OTHER] });
    expect(rotating.decrypt(text, { context: 'x' })).toEqual({ a: 'b' });
    expect(rotating.isCurrent(text)).toBe(false);
    expect(rotating.isCurrent(rotating.encrypt({ a: 'b' }))).toBe(true);
  });

  it('detects a wrong key through the stored check value', () => {
    const check = createCredentialCipher(KEY).createKeyCheck();
    expect(() => createCredentialCipher(KEY).verifyKeyCheck(check)).not.toThrow();
    expect(errorOf(() => createCredentialCipher(OTHER).verifyKeyCheck(check)).code).toBe(
      'ENCRYPTION_KEY_MISMATCH',
    );
    expect(errorOf(() => createCredentialCipher(KEY).verifyKeyCheck('corrupt')).code).toBe(
      'ENCRYPTION_KEY_MISMATCH',
    );
  });
});
