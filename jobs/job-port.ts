/**
 * The JobPort core enqueues through. With `tx`, the job is inserted on the caller's Prisma
 * transaction: it exists (and its NOTIFY fires) only if that transaction commits.
 */
import { fromPrisma, type PgBoss, type PrismaTransactionLike, type SendOptions } from 'pg-boss';
import type { JobPort } from '../core/notifications/types.ts';
import { lit } from '../core/db/raw.ts';

/** pg-boss's insert on a notify queue: `WITH ins AS (<INSERT … RETURNING id, start_after>), notified AS (SELECT pg_notify(<channel>, '<queue>') …) …`. */
const NOTIFY_WRAPPED = /^\s*WITH ins AS \(\s*(INSERT INTO [\s\S]*?RETURNING id, start_after)\s*\),\s*notified AS \(\s*SELECT pg_notify\(([\s\S]+?), '[^']*'\)\s*FROM ins /;

/** A Prisma transaction client has `$queryRawUnsafe`, the one method pg-boss needs. */
function isRawQueryClient(value: unknown): value is PrismaTransactionLike {
  return typeof value === 'object' && value !== null && typeof (value as PrismaTransactionLike).$queryRawUnsafe === 'function';
}

/**
 * `send` resolves once the job row is written (in `tx` when given). A send that pg-boss skips as a
 * duplicate (a singletonKey on a queue whose policy dedupes) resolves too: the job already exists.
 * On the standard queues singletonKey is informational; exactly-once delivery comes from the outbox.
 */
export function createJobPort(boss: PgBoss): JobPort {
  const notifyStatements = new Map<string, string>();
  const wakes = new Map<string, { running: boolean; again: boolean }>();
  const insertCache = new Map<string, { sql: string; at: number }>();
  return {
    async send({ queue, data, tx, singletonKey, startAfter }) {
      const options: SendOptions = {};
      if (tx !== undefined && tx !== null) {
        if (!isRawQueryClient(tx)) {
          throw new TypeError('JobPort.send: tx must be a Prisma transaction client');
        }
        // pg-boss's Prisma adapter: executeSql(text, values) → tx.$queryRawUnsafe(text, ...values).
        // The insert is a single statement (CTE + pg_notify), so the extended protocol takes it.
        options.db = fromPrisma(tx);
      }
      if (singletonKey !== undefined) options.singletonKey = singletonKey;
      if (startAfter !== undefined) options.startAfter = startAfter;
      await boss.send(queue, data, options);
    },
    async sendMany({ queue, jobs, tx }) {
      if (jobs.length === 0) return;
      const options: { db?: ReturnType<typeof fromPrisma> } = {};
      if (tx !== undefined && tx !== null) {
        if (!isRawQueryClient(tx)) throw new TypeError('JobPort.sendMany: tx must be a Prisma transaction client');
        options.db = fromPrisma(tx);
      }
      // One INSERT for all of them (with the queue's NOTIFY), instead of one round trip per job.
      await boss.insert(queue, jobs.map((j) => ({ data: j.data, singletonKey: j.singletonKey })), options);
    },
    async insertSql({ queue, jobs }) {
      // The statement depends on the queue only (its table and notify flag): built once per queue and
      // 10 s (pg-boss's own queue cache is refreshed on a similar period); the jobs travel as JSON,
      // in the shape pg-boss's insert() gives its json_to_recordset.
      const hit = insertCache.get(queue);
      if (hit && Date.now() - hit.at < 10_000) {
        return { sql: hit.sql, json: JSON.stringify(jobs.map((j) => ({ data: j.data, singletonKey: j.singletonKey, __traceContext: null }))) };
      }
      const built = await buildInsert(queue, jobs);
      insertCache.set(queue, { sql: built.sql, at: Date.now() });
      return built;
    },
    wake,
  };

  async function buildInsert(queue: string, jobs: { data: Record<string, unknown>; singletonKey?: string }[]): Promise<{ sql: string; json: string }> {
    // pg-boss builds its own INSERT (queue policy, retention) and hands it to the `db` adapter;
    // this adapter keeps the statement and its one parameter (the jobs as JSON) instead of running it.
    let captured: { text: string; values: unknown[] } | null = null;
    const db = {
      async executeSql(text: string, values?: unknown[]) {
        captured = { text, values: values ?? [] };
        return { rows: [] };
      },
    };
    await boss.insert(queue, jobs.map((j) => ({ data: j.data, singletonKey: j.singletonKey })), { db });
    const c = captured as { text: string; values: unknown[] } | null;
    if (!c || c.values.length !== 1 || typeof c.values[0] !== 'string' || /\$[0-9]/.test(c.text.replace('$1', ''))) {
      throw new Error('JobPort.insertSql: pg-boss built an insert of an unexpected shape');
    }
    // On a notify queue the insert is wrapped to pg_notify in the same transaction. NOTIFY holds a
    // database-wide lock from its commit until the end of the WAL flush, so every notifying
    // transaction commits alone (no group commit: a few hundred per second at most). The hot path
    // takes the bare INSERT and wakes the workers after its commit instead (wake()).
    const wrapped = NOTIFY_WRAPPED.exec(c.text);
    let text = c.text;
    if (wrapped) {
      text = wrapped[1]!.replace(/RETURNING id, start_after\s*$/, '');
      notifyStatements.set(queue, `SELECT pg_notify(${wrapped[2]!}, ${lit(queue)})`);
    }
    if (!/^\s*INSERT INTO /.test(text)) throw new Error('JobPort.insertSql: pg-boss built an insert of an unexpected shape');
    return { sql: text, json: c.values[0] as string };
  }

  function wake(queue: string): void {
    const sql = notifyStatements.get(queue);
    if (!sql) return;
    // Coalesced: one NOTIFY in flight per queue, and one more after it for the commits meanwhile.
    const state = wakes.get(queue) ?? { running: false, again: false };
    wakes.set(queue, state);
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    const run = (): void => {
      state.again = false;
      boss
        .getDb()
        .executeSql(sql)
        .catch(() => {}) // a lost wake-up only costs the workers' polling interval
        .finally(() => {
          if (state.again) run();
          else state.running = false;
        });
    };
    run();
  }
}
