/**
 * The credential vault on real Postgres: round trip, wrong key, tampered and row-swapped ciphertexts,
 * key rotation with old keys, and the rekey command as a function and through its CLI entry.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRing } from '../../core/credentials/master-key.ts';
import { rekeyCredentials } from '../../core/credentials/rekey.ts';
import { CredentialVault, VaultError } from '../../core/credentials/vault.ts';
import { VaultCredentialSource } from '../../core/credentials/credential-source.ts';
import { runRekeyCommand } from '../../scripts/rekey-credentials.ts';
import { VenueError } from '../../core/exchanges/types.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const run = promisify(execFile);
const hexKey = () => randomBytes(32).toString('hex');
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${randomBytes(96).toString('base64')}\n-----END RSA PRIVATE KEY-----`;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function newUser(name: string): Promise<string> {
  return (await db.prisma.user.create({ data: { name } })).id;
}

async function vaultError(p: Promise<unknown>): Promise<VaultError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof VaultError) return err;
    throw err;
  }
  throw new Error('expected a VaultError');
}

describe('vault', () => {
  it('round trip: the secret is stored encrypted (not in clear) with the key version, and reads back', async () => {
    const keys = createKeyRing({ key: hexKey(), version: 4 });
    const vault = new CredentialVault({ prisma: db.prisma, keys });
    const userId = await newUser('round-trip');
    await vault.put({ userId, venue: 'kalshi', kind: 'api_key', secret: { privateKeyPem: PEM }, publicId: 'key-id-1' });
    const row = await db.prisma.venueCredential.findFirstOrThrow({ where: { userId } });
    expect(row.keyVersion).toBe(4);
    expect(row.iv).toHaveLength(12);
    expect(row.authTag).toHaveLength(16);
    expect(Buffer.from(row.ciphertext).toString('latin1')).not.toContain('BEGIN RSA');
    expect(JSON.stringify(row.meta)).not.toContain('BEGIN');
    const back = await new VaultCredentialSource(vault).kalshi(userId);
    expect(back).toEqual({ keyId: 'key-id-1', privateKeyPem: PEM });
    expect((await vault.list(userId)).map((i) => i.publicId)).toEqual(['key-id-1']);
    expect(JSON.stringify(await vault.list(userId))).not.toContain('BEGIN');
  });

  it("mode 'create' keeps the first row under concurrency (one wallet per user)", async () => {
    const vault = new CredentialVault({ prisma: db.prisma, keys: createKeyRing({ key: hexKey() }) });
    const userId = await newUser('concurrent');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        vault.put({ userId, venue: 'polymarket', kind: 'wallet', secret: { privateKey: `0x${i}` }, publicId: `addr-${i}`, mode: 'create' }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.info.publicId)).size).toBe(1);
    expect(await db.prisma.venueCredential.count({ where: { userId } })).toBe(1);
  });

  it('a wrong key, a tampered ciphertext and a ciphertext pasted into another row fail with a message without secrets', async () => {
    const key = hexKey();
    const vault = new CredentialVault({ prisma: db.prisma, keys: createKeyRing({ key }) });
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    await vault.put({ userId: alice, venue: 'kalshi', kind: 'api_key', secret: { privateKeyPem: PEM }, publicId: 'alice-key' });
    await vault.put({ userId: bob, venue: 'kalshi', kind: 'api_key', secret: { privateKeyPem: 'bob pem' }, publicId: 'bob-key' });

    const wrong = new CredentialVault({ prisma: db.prisma, keys: createKeyRing({ key: hexKey() }) });
    const e1 = await vaultError(wrong.reveal({ userId: alice, venue: 'kalshi', kind: 'api_key' }));
    expect(e1.message).toMatch(/do not decrypt with key version 1/);
    expect(e1.message).not.toContain(key);
    // Through the CredentialSource an adapter sees a rejection before sending (not an unknown outcome).
    const viaSource = await new VaultCredentialSource(wrong).kalshi(alice).catch((e: unknown) => e);
    expect(viaSource).toBeInstanceOf(VenueError);
    expect(viaSource).toMatchObject({ kind: 'rejected', code: 'BAD_CREDENTIALS', venue: 'kalshi' });
    expect((viaSource as Error).message).toMatch(/cannot be read by this server, so nothing was sent/);

    // Flip one bit of Alice's ciphertext.
    const row = await db.prisma.venueCredential.findFirstOrThrow({ where: { userId: alice } });
    const tampered = Buffer.from(row.ciphertext);
    tampered[3]! ^= 0x10;
    await db.prisma.venueCredential.update({ where: { id: row.id }, data: { ciphertext: new Uint8Array(tampered) } });
    await vaultError(vault.reveal({ userId: alice, venue: 'kalshi', kind: 'api_key' }));
    await db.prisma.venueCredential.update({ where: { id: row.id }, data: { ciphertext: row.ciphertext } });
    expect((await vault.reveal<{ privateKeyPem: string }>({ userId: alice, venue: 'kalshi', kind: 'api_key' }))!.secret.privateKeyPem).toBe(PEM);

    // Paste Alice's sealed secret (ciphertext, iv, tag) into Bob's row: bound to Alice's row, so it fails.
    await db.prisma.venueCredential.updateMany({ where: { userId: bob }, data: { ciphertext: row.ciphertext, iv: row.iv, authTag: row.authTag } });
    const e2 = await vaultError(vault.reveal({ userId: bob, venue: 'kalshi', kind: 'api_key' }));
    expect(e2.message).not.toContain('BEGIN');
    // Same user, another kind: also refused.
    await db.prisma.venueCredential.create({ data: { userId: alice, venue: 'polymarket', kind: 'clob', ciphertext: row.ciphertext, iv: row.iv, authTag: row.authTag, keyVersion: 1 } });
    await vaultError(vault.reveal({ userId: alice, venue: 'polymarket', kind: 'clob' }));
  });

  it('a row under a version that is not configured names the version and CREDENTIALS_OLD_KEYS', async () => {
    const k1 = hexKey();
    const userId = await newUser('unknown-version');
    await new CredentialVault({ prisma: db.prisma, keys: createKeyRing({ key: k1, version: 1 }) }).put({ userId, venue: 'kalshi', kind: 'api_key', secret: { privateKeyPem: PEM }, publicId: 'k' });
    const v2 = new CredentialVault({ prisma: db.prisma, keys: createKeyRing({ key: hexKey(), version: 2 }) });
    const err = await vaultError(v2.reveal({ userId, venue: 'kalshi', kind: 'api_key' }));
    expect(err.message).toMatch(/key version 1, which is not configured: add it to CREDENTIALS_OLD_KEYS/);
    await db.prisma.venueCredential.deleteMany({ where: { userId } });
  });
});

describe('rotation and rekey', () => {
  it('old keys still decrypt; rekey moves every row to the current version, idempotently; a row it cannot read is reported, not guessed', async () => {
    const local = await createTestDatabase();
    try {
      const k1 = hexKey();
      const k2 = hexKey();
      const v1 = new CredentialVault({ prisma: local.prisma, keys: createKeyRing({ key: k1, version: 1 }) });
      const users = await Promise.all(['a', 'b', 'c'].map((n) => local.prisma.user.create({ data: { name: n } })));
      for (const u of users) {
        await v1.put({ userId: u.id, venue: 'kalshi', kind: 'api_key', secret: { privateKeyPem: `${PEM}-${u.name}` }, publicId: `key-${u.name}` });
        await v1.put({ userId: u.id, venue: 'polymarket', kind: 'wallet', secret: { privateKey: `0x${'ab'.repeat(32)}` }, publicId: `0xaddr${u.name}`, meta: { signatureType: 0 } });
      }
      const ring2 = createKeyRing({ key: k2, version: 2, oldKeys: `1:${k1}` });
      const v2 = new CredentialVault({ prisma: local.prisma, keys: ring2 });
      // Before the rekey: the old rows decrypt with the old key; a new row is written under version 2.
      expect((await v2.reveal<{ privateKeyPem: string }>({ userId: users[0]!.id, venue: 'kalshi', kind: 'api_key' }))!.secret.privateKeyPem).toBe(`${PEM}-a`);
      await v2.put({ userId: users[0]!.id, venue: 'polymarket', kind: 'clob', secret: { key: 'k', secret: 's', passphrase: 'p' } });

      const first = await rekeyCredentials({ prisma: local.prisma, keys: ring2, pageSize: 2 });
      expect(first).toMatchObject({ total: 7, rekeyed: 6, alreadyCurrent: 1, changedMeanwhile: 0, failed: [], currentVersion: 2 });
      expect(await local.prisma.venueCredential.count({ where: { keyVersion: 1 } })).toBe(0);
      const again = await rekeyCredentials({ prisma: local.prisma, keys: ring2 });
      expect(again).toMatchObject({ total: 7, rekeyed: 0, alreadyCurrent: 7 });

      // With the old key dropped, everything still decrypts under key 2 alone.
      const only2 = new CredentialVault({ prisma: local.prisma, keys: createKeyRing({ key: k2, version: 2 }) });
      for (const u of users) {
        expect((await new VaultCredentialSource(only2).kalshi(u.id))!.privateKeyPem).toBe(`${PEM}-${u.name}`);
        expect((await new VaultCredentialSource(only2).polymarket(u.id))!.address).toBe(`0xaddr${u.name}`);
      }

      // A row under version 1 with no key for it: reported by id, left as it was, exit code 1.
      const lost = await v1.put({ userId: users[1]!.id, venue: 'polymarket', kind: 'clob', secret: { key: 'x', secret: 'y', passphrase: 'z' } });
      expect(lost.info.keyVersion).toBe(1);
      const lines: string[] = [];
      const env = { DATABASE_URL: local.url, CREDENTIALS_KEY: k2, CREDENTIALS_KEY_VERSION: '2', LOG_LEVEL: 'silent' };
      const cmd = await runRekeyCommand({ env, out: (l) => lines.push(l) });
      expect(cmd.code).toBe(1);
      expect(cmd.result).toMatchObject({ total: 8, rekeyed: 0, alreadyCurrent: 7 });
      expect(cmd.result!.failed).toHaveLength(1);
      expect(lines.join('\n')).toMatch(/8 rows; 0 re-encrypted under key version 2, 7 already current, 0 changed meanwhile \(run again\), 1 failed/);
      expect(lines.join('\n')).not.toContain(k2);
      expect(await local.prisma.venueCredential.count({ where: { keyVersion: 1 } })).toBe(1);

      // The CLI entry (npm run credentials:rekey) with the old key given back: rekeys the last row, exit 0.
      const tsx = path.resolve('node_modules/.bin/tsx');
      const res = await run(tsx, ['scripts/rekey-credentials.ts'], {
        env: { ...process.env, ...env, CREDENTIALS_OLD_KEYS: `1:${k1}` },
        cwd: path.resolve('.'),
      });
      expect(res.stdout).toMatch(/8 rows; 1 re-encrypted under key version 2, 7 already current, 0 changed meanwhile \(run again\), 0 failed/);
      expect(res.stdout + res.stderr).not.toContain(k1);
      expect(res.stdout + res.stderr).not.toContain(k2);
      expect(await local.prisma.venueCredential.count({ where: { keyVersion: 1 } })).toBe(0);

      // The CLI with a malformed key: exit 2, a readable message, not the key.
      const bad = randomBytes(20).toString('hex');
      const failed = await run(tsx, ['scripts/rekey-credentials.ts'], { env: { ...process.env, ...env, CREDENTIALS_KEY: bad }, cwd: path.resolve('.') }).catch((e: { code: number; stdout: string; stderr: string }) => e);
      expect((failed as { code: number }).code).toBe(2);
      expect((failed as { stdout: string }).stdout).toMatch(/CREDENTIALS_KEY: must be 32 random bytes/);
      expect((failed as { stdout: string }).stdout + (failed as { stderr: string }).stderr).not.toContain(bad);
    } finally {
      await local.drop();
    }
  });
});
