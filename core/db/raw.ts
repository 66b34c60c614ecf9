/**
 * Raw node-postgres access for the order hot path, over the SAME pool as the Prisma client
 * (createPrisma() builds the pool, hands it to @prisma/adapter-pg and registers it here), so there is
 * one set of connections and the rest of the product keeps using Prisma.
 *
 * Why: on the order path about two thirds of the API's CPU went into Prisma's query compilation and
 * result mapping, and every statement was its own round trip. Here a statement is a named (prepared)
 * node-postgres query; several changes that must commit together are one statement of data-modifying
 * CTEs (core/orders/first-answer.ts), so one round trip and one transaction.
 *
 * Values come back as node-postgres parses them, except `timestamp without time zone` (Prisma's
 * DateTime), which is read as UTC like Prisma does, whatever the process' TZ.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from './client.ts';

const pools = new WeakMap<object, pg.Pool>();

/** Called by createPrisma(): `pool` is the pool under `prisma`'s driver adapter. */
export function registerRawPool(prisma: object, pool: pg.Pool): void {
  pools.set(prisma, pool);
}

/** The node-postgres pool under a Prisma client made by createPrisma(). */
export function rawPool(prisma: Db): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error('rawPool: this Prisma client was not made by createPrisma() (core/db/client.ts)');
  return pool;
}

const TIMESTAMP_OID = 1114;
const parseUtc = (s: string) => new Date(`${s.replace(' ', 'T')}Z`);

/** Type parsers for raw queries: Prisma's DateTime columns (timestamp(3), no zone) hold UTC. */
export const utcTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID && format !== 'binary') return parseUtc;
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

const names = new Map<string, string>();

/** A stable prepared-statement name per SQL text (a statement is parsed once per connection). */
function statementName(text: string): string {
  let n = names.get(text);
  if (n === undefined) {
    n = `yn_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size < 5_000) names.set(text, n);
  }
  return n;
}

/** Runs one parameterised statement as a named (prepared) query; returns its rows. */
export async function query<R extends pg.QueryResultRow>(db: Queryable, text: string, values: readonly unknown[]): Promise<R[]> {
  const res = await db.query<R>({ name: statementName(text), text, values: values as unknown[], types: utcTypes });
  return res.rows;
}

/** Runs a Prisma.sql template through node-postgres as a named query. */
export function querySql<R extends pg.QueryResultRow>(db: Queryable, sql: Prisma.Sql): Promise<R[]> {
  return query<R>(db, sql.text, sql.values);
}

/** A SQL literal (for statements built as text): NULL, a quoted string (standard_conforming_strings), true/false. */
export function lit(value: string | boolean | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value.includes('\0')) throw new Error('lit: NUL character in a SQL literal');
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A Postgres unique violation (23505) as the Prisma error the callers already handle (P2002, with
 * the constraint's columns in meta.target); any other error unchanged.
 */
export function asPrismaError(err: unknown): unknown {
  const e = err as { code?: unknown; constraint?: unknown; detail?: unknown; message?: unknown };
  if (e && e.code === '23505') {
    const cols = typeof e.detail === 'string' ? /^Key \(([^)]*)\)/.exec(e.detail)?.[1] : undefined;
    const target = cols ? cols.split(',').map((c) => c.trim().replace(/"/g, '')) : [String(e.constraint ?? 'unknown')];
    const out = new Prisma.PrismaClientKnownRequestError(`Unique constraint failed on the fields: (${target.join(',')})`, {
      code: 'P2002',
      clientVersion: Prisma.prismaVersion.client,
      meta: { target, constraint: e.constraint },
    });
    (out as { cause?: unknown }).cause = err;
    return out;
  }
  return err;
}
