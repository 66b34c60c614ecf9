/**
 * AES-256-GCM sealing of one credential: a fresh random 12-byte IV per encryption, the 16-byte auth
 * tag kept next to the ciphertext, and additional authenticated data that binds the ciphertext to
 * its row (user, venue, kind): a ciphertext copied into another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What is stored for one secret. */
export interface Sealed {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
}

/** Which row a ciphertext belongs to; authenticated, not secret. */
export interface SealContext {
  userId: string;
  venue: string;
  kind: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The additional authenticated data of a row: `userId|venue|kind`. */
export function rowAad(ctx: SealContext): Buffer {
  return Buffer.from(`${ctx.userId}|${ctx.venue}|${ctx.kind}`, 'utf8');
}

export function seal(key: Buffer, plaintext: Buffer, ctx: SealContext): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(rowAad(ctx));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, iv, authTag: cipher.getAuthTag() };
}

/** Decrypts and authenticates; throws (node's "Unsupported state or unable to authenticate data") on any mismatch. */
export function open(key: Buffer, sealed: Sealed, ctx: SealContext): Buffer {
  if (sealed.iv.length !== IV_BYTES || sealed.authTag.length !== TAG_BYTES) throw new Error('malformed sealed credential');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(rowAad(ctx));
  decipher.setAuthTag(sealed.authTag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}
