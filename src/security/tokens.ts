// Token secrets: made here, stored only as a SHA-256 hash, compared without leaking timing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const hashToken = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** A new secret: 32 random bytes, with a prefix that makes a leaked one easy to spot and search for. */
export const newTokenSecret = (): string => `sy_${randomBytes(32).toString('base64url')}`;

/** Equal hashes, compared in constant time (both are 64 hex characters). */
export function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The secret of an `Authorization: Bearer <token>` header, or null when there is none. */
export function bearer(header: string | undefined): string | null {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}
