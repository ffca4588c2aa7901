import { describe, expect, it, vi } from 'vitest';
import { createCredentialCipher } from '../cipher/credential-cipher.js';
import { SecretRedactor } from '../redaction/secret-redactor.js';
import { createCredentialResolver, type EncryptedCredential } from './credential-resolver.js';

const cipher = createCredentialCipher('resolver-test-master-key');

function sourceOf(rows: EncryptedCredential[]) {
  return {
    findCredential: vi.fn(async (q: { id?: string | null; name: string; type: string }) =>
      rows.find((r) => (q.id ? r.id === q.id : r.name === q.name && r.type === q.type)),
    ),
  };
}

describe('createCredentialResolver', () => {
  it('decrypts only when asked, and teaches the redactor the values', async () => {
    const row = {
      id: 'c1',
      name: 'Prod API',
      type: 'httpHeaderAuth',
      data: cipher.encrypt({ value: 'Bearer abcdef' }, { context: 'c1' }),
    };
    const source = sourceOf([row]);
    const redactor = new SecretRedactor();
    const resolver = createCredentialResolver({ source, cipher, redactor });
    expect(source.findCredential).not.toHaveBeenCalled();
    const data = await resolver.resolve({
      nodeName: 'HTTP',
      credentialType: 'httpHeaderAuth',
      ref: { id: 'c1', name: 'Prod API' },
    });
    expect(data).toEqual({ value: 'Bearer abcdef' });
    expect(redactor.redactString('sent Bearer abcdef')).toBe('sent [REDACTED]');
  });

  it('names node and credential when it does not exist', async () => {
    const resolver = createCredentialResolver({ source: sourceOf([]), cipher });
    await expect(
      resolver.resolve({
        nodeName: 'HTTP',
        credentialType: 'httpBasicAuth',
        ref: { name: 'Gone' },
      }),
    ).rejects.toMatchObject({
      code: 'CREDENTIAL_NOT_FOUND',
      message: expect.stringMatching(/node 'HTTP' needs credential 'Gone'/),
    });
  });

  it('fails with CREDENTIAL_DECRYPT_FAILED naming the credential on corrupt data', async () => {
    const resolver = createCredentialResolver({
      source: sourceOf([{ id: 'c2', name: 'Broken', type: 't', data: 'bf1:zz:AAAA' }]),
      cipher,
    });
    await expect(
      resolver.resolve({ nodeName: 'N', credentialType: 't', ref: { id: 'c2', name: 'Broken' } }),
    ).rejects.toMatchObject({
      code: 'CREDENTIAL_DECRYPT_FAILED',
      message: expect.stringContaining("credential 'Broken'"),
    });
  });
});
