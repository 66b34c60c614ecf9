/**
 * `npm run credentials:rekey`: re-encrypts every stored venue credential under the current master key
 * (CREDENTIALS_KEY, version CREDENTIALS_KEY_VERSION), reading older rows with CREDENTIALS_OLD_KEYS.
 * Safe to run again (rows already current are skipped) and while the service runs (per-row
 * compare-and-set). Prints counts and row ids, never a secret. Exit code 1 when a row did not decrypt.
 *
 * Rotation: set CREDENTIALS_OLD_KEYS="1:<old key>", CREDENTIALS_KEY=<new key>, CREDENTIALS_KEY_VERSION=2,
 * restart, run this command, then drop the old key from CREDENTIALS_OLD_KEYS.
 */
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../core/config.ts';
import { keyRingFromConfig, MasterKeyError } from '../core/credentials/master-key.ts';
import { rekeyCredentials, type RekeyResult } from '../core/credentials/rekey.ts';
import { openDatabase } from '../core/db/client.ts';

/** Runs the rekey for an environment; lines go to `out`. Returns the exit code and the counts. */
export async function runRekeyCommand(args: {
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
}): Promise<{ code: number; result: RekeyResult | null }> {
  const out = args.out ?? ((line: string) => console.log(line));
  let config;
  try {
    config = loadConfig(args.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      out(err.message);
      return { code: 2, result: null };
    }
    throw err;
  }
  let keys;
  try {
    keys = keyRingFromConfig(config);
  } catch (err) {
    if (err instanceof MasterKeyError) {
      out(err.message);
      return { code: 2, result: null };
    }
    throw err;
  }
  if (!keys) {
    out('CREDENTIALS_KEY is not set: there is no key to re-encrypt under.');
    return { code: 2, result: null };
  }
  const db = await openDatabase(config, { info: out, warn: out });
  try {
    const result = await rekeyCredentials({ prisma: db.prisma, keys });
    out(
      `credentials:rekey: ${result.total} rows; ${result.rekeyed} re-encrypted under key version ${result.currentVersion}, ` +
        `${result.alreadyCurrent} already current, ${result.changedMeanwhile} changed meanwhile (run again), ${result.failed.length} failed`,
    );
    for (const f of result.failed) out(`  failed ${f.id}: ${f.reason}`);
    return { code: result.failed.length ? 1 : 0, result };
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runRekeyCommand({})
    .then(({ code }) => process.exit(code))
    .catch((err) => {
      console.error(`credentials:rekey failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
