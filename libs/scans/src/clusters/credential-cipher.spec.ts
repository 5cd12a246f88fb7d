import { randomBytes } from 'node:crypto';
import type { ClusterCredentials } from '#rollsafe/kube';
import { CredentialCipher, CredentialsError, encryptionKeyId } from './credential-cipher.js';

const credentials: ClusterCredentials = {
  contextName: 'prod',
  server: 'https://10.0.0.1:6443',
  certificateAuthority: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  insecureSkipTlsVerify: false,
  token: 'super-secret-reader-token-0123456789',
};
const clusterId = '6f1c0a52-5f0e-4d59-9c53-8f8e0f7c2a11';

describe('CredentialCipher', () => {
  const key = randomBytes(32);

  it('seals with AES-256-GCM under the current key id and opens what it sealed', () => {
    const cipher = new CredentialCipher(key);
    const sealed = cipher.seal(credentials, clusterId);
    expect(sealed.keyId).toBe(encryptionKeyId(key));
    expect(Buffer.from(sealed.ciphertext).includes(Buffer.from(credentials.token as string))).toBe(false);
    expect(Buffer.from(sealed.ciphertext).includes(Buffer.from('10.0.0.1'))).toBe(false);
    expect(cipher.open(sealed, clusterId)).toEqual({ credentials, stale: false });
    // A fresh nonce each time.
    expect(Buffer.from(cipher.seal(credentials, clusterId).ciphertext).equals(Buffer.from(sealed.ciphertext))).toBe(false);
  });

  it('refuses altered ciphertext and ciphertext moved to another cluster, without quoting either', () => {
    const cipher = new CredentialCipher(key);
    const sealed = cipher.seal(credentials, clusterId);
    const altered = Buffer.from(sealed.ciphertext);
    altered[20] = (altered[20] ?? 0) ^ 1;
    expect(() => cipher.open({ ...sealed, ciphertext: altered }, clusterId)).toThrow(CredentialsError);
    expect(() => cipher.open(sealed, '00000000-0000-4000-8000-000000000000')).toThrow(/failed authentication/);
  });

  it('opens with a rotated-out key (stale), and not at all without it', () => {
    const oldKey = randomBytes(32);
    const sealed = new CredentialCipher(oldKey).seal(credentials, clusterId);
    const rotated = new CredentialCipher(key, [oldKey]);
    expect(rotated.open(sealed, clusterId)).toEqual({ credentials, stale: true });
    const resealed = rotated.seal(credentials, clusterId);
    expect(resealed.keyId).toBe(encryptionKeyId(key));
    expect(() => new CredentialCipher(key).open(sealed, clusterId)).toThrow(/not configured/);
    try {
      new CredentialCipher(key).open(sealed, clusterId);
    } catch (error) {
      expect(String(error)).not.toContain(credentials.token);
    }
  });

  it('cannot seal without a key', () => {
    const cipher = new CredentialCipher(undefined);
    expect(cipher.canSeal).toBe(false);
    expect(() => cipher.seal(credentials, clusterId)).toThrow(/ROLLSAFE_ENCRYPTION_KEY/);
  });
});
