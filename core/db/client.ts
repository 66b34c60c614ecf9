/**
 * The Prisma client (Prisma 7, `@prisma/adapter-pg` driver adapter: no native engine) and the one
 * place that opens the application's database: DATABASE_URL when configured, otherwise the embedded
 * PostgreSQL under DATA_DIR; migrations are applied before anything uses it.
 */
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, Prisma } from '../../generated/prisma/client.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { registerRawPool } from './raw.ts';

/** The database handle services receive. */
export type Db = PrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Prisma.TransactionClient;

/**
 * A Prisma client over a node-postgres pool of at most `poolMax` connections (node-postgres
 * default: 10). Call `$disconnect()` to close the pool. The same pool serves the raw queries of the
 * order hot path (core/db/raw.ts: rawPool(prisma)).
 */
export function createPrisma(url: string, opts: { poolMax?: number } = {}): PrismaClient {
  const pool = new pg.Pool({ connectionString: url, ...(opts.poolMax ? { max: opts.poolMax } : {}) });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  registerRawPool(prisma, pool);
  return prisma;
}

/** The embedded cluster's directory inside DATA_DIR. */
export function embeddedDataDir(dataDir: string): string {
  return path.resolve(dataDir, 'postgres');
}

/** The part of the app config that {@link openDatabase} reads. */
export interface DatabaseConfig {
  /** Unset → embedded PostgreSQL in `<DATA_DIR>/postgres` on EMBEDDED_PG_PORT. */
  DATABASE_URL?: string;
  DATA_DIR: string;
  EMBEDDED_PG_PORT: number;
}

/** An open, migrated database. */
export interface OpenDatabase {
  url: string;
  prisma: PrismaClient;
  /** Disconnects Prisma, then stops the embedded server if we started it. */
  close(): Promise<void>;
}

/** Minimal logger shape (pino's `info`/`warn` fit). */
export interface DbLogger {
  info(msg: string): void;
  warn?(msg: string): void;
}

/**
 * Opens the application database: starts the embedded server when DATABASE_URL is unset, applies
 * pending migrations, then returns a Prisma client.
 */
export async function openDatabase(config: DatabaseConfig, log: DbLogger, opts: { poolMax?: number } = {}): Promise<OpenDatabase> {
  let url = config.DATABASE_URL;
  let stopServer = async () => {};
  if (!url) {
    const server = await startEmbeddedPostgres({
      dataDir: embeddedDataDir(config.DATA_DIR),
      port: config.EMBEDDED_PG_PORT,
      // Postgres' own chatter stays out of the app log; our status lines ("embedded postgres: …") go in.
      log: (line) => {
        if (line.startsWith('embedded postgres:')) log.info(line);
      },
    });
    url = server.url;
    stopServer = () => server.stop();
  }
  try {
    const applied = await applyMigrations(url);
    if (applied.length) log.info(`applied migrations: ${applied.join(', ')}`);
  } catch (error) {
    await stopServer();
    throw error;
  }
  const prisma = createPrisma(url, opts);
  let closed = false;
  return {
    url,
    prisma,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await stopServer();
    },
  };
}
