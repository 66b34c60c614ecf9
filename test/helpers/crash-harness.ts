/**
 * Runs test/helpers/crash-child.ts as a real process (node --import tsx) and kills it with SIGKILL.
 *
 *   const child = spawnCrashChild({ ... });
 *   await child.ready;            // startup order sync done, trading
 *   await child.kill();           // SIGKILL, resolves at exit
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CrashChildEnv {
  dbUrl: string;
  venueUrl: string;
  venue: 'polymarket' | 'kalshi';
  flavour: 'hash' | 'client' | 'kalshi' | 'polymarket';
  /** Extra environment (e.g. the fake Kalshi key for the real adapter). */
  extraEnv?: Record<string, string>;
  userId: string;
  marketId: string;
  graceMs: number;
  seed: number;
  mode?: 'trade' | 'reconcile';
}

export interface CrashChild {
  /** Resolves when the child has loaded its code (it then waits for go()). */
  loaded: Promise<void>;
  /** Lets the child start: connect, build the core, run the startup order sync, trade. */
  go(): void;
  /** Resolves with the startup report when the child printed "ready" (ms: since go()); rejects if it exits first. */
  ready: Promise<{ report: unknown; ms: number; coreMs: number; startupMs: number }>;
  /** Resolves with the exit code (null when killed) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Order events the child printed (placed / cancelled). */
  events: { event: string; id?: string; status?: string }[];
  stderr: () => string;
  kill(): Promise<void>;
}

export function spawnCrashChild(env: CrashChildEnv): CrashChild {
  let started = performance.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/crash-child.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      CRASH_DB_URL: env.dbUrl,
      CRASH_VENUE_URL: env.venueUrl,
      CRASH_VENUE: env.venue,
      CRASH_FLAVOUR: env.flavour,
      CRASH_USER_ID: env.userId,
      CRASH_MARKET: env.marketId,
      CRASH_GRACE_MS: String(env.graceMs),
      CRASH_SEED: String(env.seed),
      CRASH_MODE: env.mode ?? 'trade',
      ...env.extraEnv,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: CrashChild['events'] = [];
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  let onLoaded!: () => void;
  const loaded = new Promise<void>((r) => (onLoaded = r));
  const ready = new Promise<{ report: unknown; ms: number; coreMs: number; startupMs: number }>((resolve, reject) => {
    let buf = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let msg: { event: string; report?: unknown; coreMs?: number; startupMs?: number };
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        if (msg.event === 'loaded') onLoaded();
        else if (msg.event === 'ready') resolve({ report: msg.report, ms: performance.now() - started, coreMs: msg.coreMs ?? 0, startupMs: msg.startupMs ?? 0 });
        else events.push(msg);
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`crash child exited before ready (code ${code}, signal ${signal}):\n${err}`)));
  });
  ready.catch(() => {});
  proc.stdin.on('error', () => {});
  return {
    loaded,
    go() {
      started = performance.now();
      proc.stdin.write('go\n');
    },
    ready,
    exited,
    events,
    stderr: () => err,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
