/**
 * The vault's master keys: CREDENTIALS_KEY (32 random bytes as 64 hex characters or base64) under the
 * version CREDENTIALS_KEY_VERSION, plus older keys (CREDENTIALS_OLD_KEYS = "<version>:<key>,…") that
 * still decrypt rows written before a rotation. Parse errors never contain the key material.
 */

/** A 32-byte AES-256 key and the version recorded on every row it encrypts. */
export interface VersionedKey {
  version: number;
  key: Buffer;
}

/** Every key the vault knows: `current` encrypts; all of them (by version) decrypt. */
export interface KeyRing {
  current: VersionedKey;
  byVersion: ReadonlyMap<number, Buffer>;
}

const HEX_RE = /^[0-9a-fA-F]{64}$/;
const B64_RE = /^[A-Za-z0-9+/_-]{43}=?$/;

/** Thrown for a malformed key; the message describes the shape only, never the value. */
export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/** The problem with a key text (what is wrong, never the text itself), or null when it is a valid key. */
export function masterKeyProblem(text: string): string | null {
  const s = text.trim();
  if (HEX_RE.test(s)) return null;
  if (B64_RE.test(s)) {
    const bytes = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return null;
  }
  const kind = /^[0-9a-fA-F]+$/.test(s) ? `${s.length} hex characters` : `${s.length} characters`;
  return `must be 32 random bytes given as 64 hex characters or base64 (44 characters); the value given has ${kind}. Generate one with: openssl rand -hex 32`;
}

/** Parses a key text into its 32 bytes. Throws MasterKeyError (without the value) when malformed. */
export function parseMasterKey(text: string, name = 'CREDENTIALS_KEY'): Buffer {
  const problem = masterKeyProblem(text);
  if (problem) throw new MasterKeyError(`${name} ${problem}`);
  const s = text.trim();
  return HEX_RE.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/**
 * Problems of CREDENTIALS_OLD_KEYS ("<version>:<key>,…"), one sentence each, never with key material.
 * `currentVersion` may not appear among the old versions.
 */
export function oldKeysProblems(text: string, currentVersion: number): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  entries.forEach((entry, i) => {
    const at = entry.indexOf(':');
    const version = at > 0 ? entry.slice(0, at).trim() : '';
    const where = `entry ${i + 1}`;
    if (!/^\d{1,6}$/.test(version) || Number(version) < 1) {
      problems.push(`${where} must look like "<version>:<key>" with a whole version number ≥ 1 (e.g. "1:<64 hex characters>")`);
      return;
    }
    const v = Number(version);
    if (v === currentVersion) problems.push(`${where} has version ${v}, which is CREDENTIALS_KEY_VERSION (the current key); old keys need other versions`);
    if (seen.has(v)) problems.push(`${where}: version ${v} appears twice`);
    seen.add(v);
    const problem = masterKeyProblem(entry.slice(at + 1));
    if (problem) problems.push(`${where} (version ${v}): the key ${problem}`);
  });
  return problems;
}

/** Builds the key ring from the config values. Throws MasterKeyError (without key material) when malformed. */
export function createKeyRing(args: { key: string; version?: number; oldKeys?: string }): KeyRing {
  const version = args.version ?? 1;
  const current = { version, key: parseMasterKey(args.key) };
  const byVersion = new Map<number, Buffer>([[version, current.key]]);
  if (args.oldKeys) {
    const problems = oldKeysProblems(args.oldKeys, version);
    if (problems.length) throw new MasterKeyError(`CREDENTIALS_OLD_KEYS: ${problems.join('; ')}`);
    for (const entry of args.oldKeys.split(',').map((e) => e.trim()).filter(Boolean)) {
      const at = entry.indexOf(':');
      byVersion.set(Number(entry.slice(0, at)), parseMasterKey(entry.slice(at + 1), `CREDENTIALS_OLD_KEYS version ${entry.slice(0, at)}`));
    }
  }
  return { current, byVersion };
}

/** The key ring the config describes, or null when CREDENTIALS_KEY is unset (config validation already ran). */
export function keyRingFromConfig(config: { CREDENTIALS_KEY?: string; CREDENTIALS_KEY_VERSION: number; CREDENTIALS_OLD_KEYS?: string }): KeyRing | null {
  if (!config.CREDENTIALS_KEY) return null;
  return createKeyRing({ key: config.CREDENTIALS_KEY, version: config.CREDENTIALS_KEY_VERSION, oldKeys: config.CREDENTIALS_OLD_KEYS });
}
