import crypto from 'node:crypto';

/**
 * Helpers for secrets: derive purpose-specific keys from the app secret, encrypt at rest
 * (AES-256-GCM), make random tokens, hash API keys, compare in constant time.
 */

export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', secret, 'helpr', purpose, 32));
}

export interface SecretBox {
  encrypt(plaintext: string): string;
  decrypt(sealed: string): string;
}

export function createSecretBox(secret: string): SecretBox {
  const key = deriveKey(secret, 'secrets-at-rest');
  return {
    encrypt(plaintext) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      // Stryker disable next-line StringLiteral: utf8 is also what Node uses when no encoding is named
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${iv.toString('base64url')}.${body.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
    },
    decrypt(sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      // Stryker disable next-line ConditionalExpression: no body means no tag either, which `!tag` refuses
      if (version !== 'v1' || !iv || body === undefined || !tag) throw new Error('Unrecognised encrypted value');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/**
 * Cryptographically random bytes drawn from a pool refilled 4 KB at a time (as Node does for
 * randomUUID): each call into OpenSSL costs about as much as rendering the request form, and a
 * page view or an invite needs a few small random values. Every byte is handed out once.
 */
export function randomBytes(count: number): Buffer {
  // Which source serves a request, and when the pool is refilled, only changes the speed: every byte is random either way.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only
  if (count > POOL_BYTES / 16) return crypto.randomBytes(count);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only
  if (poolOffset + count > pool.length) {
    pool = crypto.randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + count));
  pool.fill(0, poolOffset, poolOffset + count);
  poolOffset += count;
  return bytes;
}

export const randomId = (bytes = 16): string => randomBytes(bytes).toString('base64url');

export const sha256 = (value: string): string => crypto.createHash('sha256').update(value).digest('hex');

/** Constant-time string equality that does not leak the length through early exit. */
export function safeEqual(a: string, b: string): boolean {
  const left = crypto.createHash('sha256').update(a).digest();
  const right = crypto.createHash('sha256').update(b).digest();
  // Stryker disable next-line ConditionalExpression: equal SHA-256 digests already mean equal strings; the length check is belt and braces
  return crypto.timingSafeEqual(left, right) && a.length === b.length;
}
