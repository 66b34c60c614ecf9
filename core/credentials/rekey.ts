/**
 * Key rotation: re-encrypts every VenueCredential row that is not under the current key version.
 * Idempotent (rows already current are left alone), one row at a time, each with a compare-and-set
 * UPDATE (same id, same key version, same IV as read), so a row re-linked meanwhile is not overwritten.
 * Reports counts and row ids only, never a secret.
 */
import type { Db } from '../db/client.ts';
import { seal } from './cipher.ts';
import { CredentialVault, VaultError } from './vault.ts';
import type { KeyRing } from './master-key.ts';

/** What a rekey run did. */
export interface RekeyResult {
  /** Rows seen. */
  total: number;
  /** Rows re-encrypted under the current version now. */
  rekeyed: number;
  /** Rows already under the current version. */
  alreadyCurrent: number;
  /** Rows changed by someone else between read and write (run again). */
  changedMeanwhile: number;
  /** Rows that did not decrypt (missing old key, wrong key, tampered): ids and reasons, no secrets. */
  failed: { id: string; reason: string }[];
  /** The version everything is under after a clean run. */
  currentVersion: number;
}

export async function rekeyCredentials(args: { prisma: Db; keys: KeyRing; pageSize?: number }): Promise<RekeyResult> {
  const { prisma, keys } = args;
  const vault = new CredentialVault({ prisma, keys });
  const current = keys.current;
  const result: RekeyResult = { total: 0, rekeyed: 0, alreadyCurrent: 0, changedMeanwhile: 0, failed: [], currentVersion: current.version };
  const pageSize = args.pageSize ?? 200;
  for (let cursor: string | undefined; ; ) {
    const page = await prisma.venueCredential.findMany({
      where: cursor ? { id: { gt: cursor } } : {},
      orderBy: { id: 'asc' },
      take: pageSize,
    });
    for (const row of page) {
      result.total++;
      if (row.keyVersion === current.version) {
        result.alreadyCurrent++;
        continue;
      }
      let plaintext: Buffer;
      try {
        plaintext = vault.openRow(row);
      } catch (err) {
        result.failed.push({ id: row.id, reason: err instanceof VaultError ? err.message : 'did not decrypt' });
        continue;
      }
      const sealed = seal(current.key, plaintext, row);
      plaintext.fill(0);
      const res = await prisma.venueCredential.updateMany({
        where: { id: row.id, keyVersion: row.keyVersion, iv: row.iv },
        data: {
          ciphertext: new Uint8Array(sealed.ciphertext),
          iv: new Uint8Array(sealed.iv),
          authTag: new Uint8Array(sealed.authTag),
          keyVersion: current.version,
        },
      });
      if (res.count === 1) result.rekeyed++;
      else result.changedMeanwhile++;
    }
    if (page.length < pageSize) break;
    cursor = page[page.length - 1]!.id;
  }
  return result;
}
