// Cluster credentials at rest: AES-256-GCM under ROLLSAFE_ENCRYPTION_KEY, the cluster id bound
// in as associated data (a ciphertext copied onto another row does not open), and the id of
// the key stored beside it so that keys can rotate: ROLLSAFE_ENCRYPTION_OLD_KEYS still open
// what they sealed, and a scan re-seals such credentials under the current key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { ClusterCredentials } from '#rollsafe/kube';
import type { SealedCredentials } from '#rollsafe/store';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Raised when credentials cannot be sealed or opened. Its message never carries them. */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** A key's public name: a hash of the key (not reversible; it tells keys apart). */
export function encryptionKeyId(key: Uint8Array): string {
  return `k1-${createHash('sha256').update('rollsafe cluster credentials key id\0').update(key).digest('hex').slice(0, 16)}`;
}

/** What a sealed value is for: bound into the ciphertext with its row's id. */
export type SealPurpose = 'cluster-credentials' | 'webhook';

function associatedData(purpose: SealPurpose, id: string): Buffer {
  return Buffer.from(`rollsafe/${purpose}/v${VERSION}/${id}`, 'utf8');
}

export class CredentialCipher {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentId: string | undefined;

  constructor(current: Uint8Array | undefined, old: readonly Uint8Array[] = []) {
    for (const key of [...(current ? [current] : []), ...old]) {
      if (key.length !== 32) throw new CredentialsError('an encryption key must be 32 bytes');
      const id = encryptionKeyId(key);
      if (!this.keys.has(id)) this.keys.set(id, Buffer.from(key));
    }
    this.currentId = current ? encryptionKeyId(current) : undefined;
  }

  /** False when no ROLLSAFE_ENCRYPTION_KEY is configured: clusters cannot be registered. */
  get canSeal(): boolean {
    return this.currentId !== undefined;
  }

  seal(credentials: ClusterCredentials, clusterId: string): SealedCredentials {
    return this.sealJson(credentials, 'cluster-credentials', clusterId);
  }

  /** Opens sealed credentials; `stale` when they were sealed under a rotated-out key. */
  open(sealed: SealedCredentials, clusterId: string): { credentials: ClusterCredentials; stale: boolean } {
    const { value, stale } = this.openJson<ClusterCredentials>(sealed, 'cluster-credentials', clusterId);
    return { credentials: value, stale };
  }

  /** Seals any JSON value for one row (`id`) and purpose: a ciphertext moved to another row or use does not open. */
  sealJson(value: unknown, purpose: SealPurpose, id: string): SealedCredentials {
    const keyId = this.currentId;
    const key = keyId ? this.keys.get(keyId) : undefined;
    if (!keyId || !key) throw new CredentialsError('no encryption key is configured (set ROLLSAFE_ENCRYPTION_KEY)');
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(purpose, id));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return { ciphertext: Buffer.concat([Buffer.of(VERSION), nonce, body, cipher.getAuthTag()]), keyId };
  }

  openJson<T>(sealed: SealedCredentials, purpose: SealPurpose, id: string): { value: T; stale: boolean } {
    const what = purpose === 'webhook' ? "the webhook's URL and secret" : "the cluster's credentials";
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new CredentialsError(
        `${what} were encrypted with key ${sealed.keyId}, which is not configured (ROLLSAFE_ENCRYPTION_KEY or ROLLSAFE_ENCRYPTION_OLD_KEYS)`,
      );
    }
    const data = Buffer.from(sealed.ciphertext);
    if (data.length < 1 + NONCE_BYTES + TAG_BYTES || data[0] !== VERSION) throw new CredentialsError(`${what} as stored are not in a known format`);
    const nonce = data.subarray(1, 1 + NONCE_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const body = data.subarray(1 + NONCE_BYTES, data.length - TAG_BYTES);
    let plain: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(purpose, id));
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new CredentialsError(`${what} as stored failed authentication (altered, or sealed for another row)`);
    }
    return { value: JSON.parse(plain) as T, stale: sealed.keyId !== this.currentId };
  }
}
