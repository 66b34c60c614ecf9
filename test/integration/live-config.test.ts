/**
 * The process itself (`npm start` = tsx main.ts) refuses TRADING_MODE=live without a usable
 * CREDENTIALS_KEY: exit code 2 and a readable problem list on stderr, without the key's value,
 * before it opens a database or listens.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function start(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { CREDENTIALS_KEY: _k, CREDENTIALS_OLD_KEYS: _o, TRADING_MODE: _m, ...inherited } = process.env;
  try {
    const res = await run(path.resolve('node_modules/.bin/tsx'), ['main.ts'], {
      cwd: path.resolve('.'),
      env: { ...inherited, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', PORT: '0', ...env },
      // Importing main.ts under tsx takes a few seconds, much longer on a loaded machine.
      timeout: 90_000,
    });
    return { code: 0, ...res };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm start in live mode', () => {
  it('without CREDENTIALS_KEY, or with a malformed one: exit 2, a readable problem, the value never shown', async () => {
    const bad = randomBytes(16).toString('hex');
    const [missing, malformed] = await Promise.all([start({ TRADING_MODE: 'live' }), start({ TRADING_MODE: 'live', CREDENTIALS_KEY: bad })]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Invalid configuration:\n\s+- CREDENTIALS_KEY: required when TRADING_MODE=live/);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/CREDENTIALS_KEY: must be 32 random bytes given as 64 hex characters or base64/);
    expect(malformed.stderr + malformed.stdout).not.toContain(bad);
  }, 120_000);
});
