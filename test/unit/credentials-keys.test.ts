/** Master keys, AES-256-GCM sealing bound to its row, and the config rules of CREDENTIALS_KEY (no key material in any message). */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.ts';
import { open, seal } from '../../core/credentials/cipher.ts';
import { createKeyRing, MasterKeyError, parseMasterKey } from '../../core/credentials/master-key.ts';

const hexKey = () => randomBytes(32).toString('hex');
const ctx = { userId: '3f2c9a9e-1b2c-4d5e-8f90-123456789abc', venue: 'kalshi', kind: 'api_key' };

function configProblems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '';
}

describe('master key parsing', () => {
  it('accepts 64 hex characters, standard base64 and url-safe base64 of 32 bytes', () => {
    const bytes = randomBytes(32);
    expect(parseMasterKey(bytes.toString('hex')).equals(bytes)).toBe(true);
    expect(parseMasterKey(bytes.toString('base64')).equals(bytes)).toBe(true);
    expect(parseMasterKey(bytes.toString('base64url')).equals(bytes)).toBe(true);
    expect(parseMasterKey(`  ${bytes.toString('hex')}\n`).equals(bytes)).toBe(true);
  });

  it('refuses wrong lengths and formats without echoing the value', () => {
    for (const bad of [randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), randomBytes(33).toString('hex'), 'correct horse battery staple plus more words!!', `zz${hexKey().slice(2)}`]) {
      let err: unknown;
      try {
        parseMasterKey(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MasterKeyError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/CREDENTIALS_KEY must be 32 random bytes/);
      expect(msg).not.toContain(bad);
      expect(msg).not.toContain(bad.slice(0, 12));
    }
  });

  it('a key ring has the current key and the old ones by version', () => {
    const [k1, k2, k3] = [hexKey(), hexKey(), randomBytes(32).toString('base64')];
    const ring = createKeyRing({ key: k3, version: 3, oldKeys: `1:${k1}, 2:${k2}` });
    expect(ring.current.version).toBe(3);
    expect([...ring.byVersion.keys()].sort()).toEqual([1, 2, 3]);
    expect(ring.byVersion.get(1)!.toString('hex')).toBe(k1);
  });

  it('old keys: the current version twice, a repeated version or a bad key are refused, without the keys', () => {
    const k = hexKey();
    const bad = randomBytes(20).toString('hex');
    expect(() => createKeyRing({ key: k, version: 2, oldKeys: `2:${hexKey()}` })).toThrow(/version 2, which is CREDENTIALS_KEY_VERSION/);
    expect(() => createKeyRing({ key: k, version: 3, oldKeys: `1:${hexKey()},1:${hexKey()}` })).toThrow(/appears twice/);
    let msg = '';
    try {
      createKeyRing({ key: k, version: 3, oldKeys: `1:${bad}` });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/entry 1 \(version 1\): the key must be 32 random bytes/);
    expect(msg).not.toContain(bad);
    expect(msg).not.toContain(k);
  });
});

describe('AES-256-GCM sealing', () => {
  it('round-trips, with a fresh 12-byte IV and a 16-byte tag each time', () => {
    const key = randomBytes(32);
    const plain = Buffer.from('{"privateKeyPem":"-----BEGIN RSA PRIVATE KEY-----..."}');
    const a = seal(key, plain, ctx);
    const b = seal(key, plain, ctx);
    expect(a.iv).toHaveLength(12);
    expect(a.authTag).toHaveLength(16);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.ciphertext.includes(plain.subarray(0, 8))).toBe(false);
    expect(open(key, a, ctx).equals(plain)).toBe(true);
  });

  it('a wrong key, a flipped bit, a wrong tag or another row (user, venue or kind) fail to decrypt', () => {
    const key = randomBytes(32);
    const sealed = seal(key, Buffer.from('secret stuff'), ctx);
    expect(() => open(randomBytes(32), sealed, ctx)).toThrow();
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0]! ^= 1;
    expect(() => open(key, { ...sealed, ciphertext: flipped }, ctx)).toThrow();
    expect(() => open(key, { ...sealed, authTag: randomBytes(16) }, ctx)).toThrow();
    expect(() => open(key, sealed, { ...ctx, userId: '00000000-0000-4000-8000-000000000000' })).toThrow();
    expect(() => open(key, sealed, { ...ctx, venue: 'polymarket' })).toThrow();
    expect(() => open(key, sealed, { ...ctx, kind: 'wallet' })).toThrow();
    expect(open(key, sealed, ctx).toString()).toBe('secret stuff');
  });
});

describe('config: CREDENTIALS_KEY', () => {
  it('live mode without a key refuses to start with a readable problem', () => {
    const msg = configProblems({ TRADING_MODE: 'live' });
    expect(msg).toMatch(/CREDENTIALS_KEY: required when TRADING_MODE=live/);
    expect(msg).toMatch(/openssl rand -hex 32/);
  });

  it('paper mode needs no key; live mode with a valid key (hex or base64) loads', () => {
    expect(loadConfig({}).CREDENTIALS_KEY).toBeUndefined();
    const k = randomBytes(32).toString('base64');
    const c = loadConfig({ TRADING_MODE: 'live', CREDENTIALS_KEY: k });
    expect(c.CREDENTIALS_KEY).toBe(k);
    expect(c.CREDENTIALS_KEY_VERSION).toBe(1);
  });

  it('a malformed key is a readable problem that does not contain the value', () => {
    const bad = randomBytes(24).toString('hex');
    const msg = configProblems({ TRADING_MODE: 'live', CREDENTIALS_KEY: bad });
    expect(msg).toMatch(/CREDENTIALS_KEY: must be 32 random bytes given as 64 hex characters or base64/);
    expect(msg).toMatch(/48 hex characters/);
    expect(msg).not.toContain(bad);
    expect(msg).not.toContain(bad.slice(0, 10));
  });

  it('old keys are checked against the current version and never echoed; they need a current key', () => {
    const old = hexKey();
    const bad = randomBytes(10).toString('hex');
    const msg = configProblems({ CREDENTIALS_KEY: hexKey(), CREDENTIALS_KEY_VERSION: '2', CREDENTIALS_OLD_KEYS: `2:${old},1:${bad}` });
    expect(msg).toMatch(/CREDENTIALS_OLD_KEYS: entry 1 has version 2/);
    expect(msg).toMatch(/CREDENTIALS_OLD_KEYS: entry 2 \(version 1\): the key must be/);
    expect(msg).not.toContain(old);
    expect(msg).not.toContain(bad);
    expect(configProblems({ CREDENTIALS_OLD_KEYS: `1:${old}` })).toMatch(/CREDENTIALS_OLD_KEYS: needs CREDENTIALS_KEY/);
    expect(loadConfig({ CREDENTIALS_KEY: hexKey(), CREDENTIALS_KEY_VERSION: '2', CREDENTIALS_OLD_KEYS: `1:${old}` }).CREDENTIALS_OLD_KEYS).toBe(`1:${old}`);
  });
});
