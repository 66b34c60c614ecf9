/**
 * The JobPort core enqueues through. With `tx`, the job is inserted on the caller's Prisma
 * transaction: it exists (and its NOTIFY fires) only if that transaction commits.
 */
import { fromPrisma, type PgBoss, type PrismaTransactionLike, type SendOptions } from 'pg-boss';
import type { JobPort } from '../core/notifications/types.ts';
import { lit } from '../core/db/raw.ts';

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
    async insertStatement({ queue, jobs }) {
      // pg-boss builds its own INSERT (queue policy, retention, the queue's NOTIFY) and hands it to
      // the `db` adapter; this adapter keeps the statement instead of running it, and inlines its one
      // parameter (the jobs as JSON) as a literal, as pg-boss does itself for flow batches.
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
        throw new Error('JobPort.insertStatement: pg-boss built an insert of an unexpected shape');
      }
      return c.text.replace('$1', () => lit(c.values[0] as string));
    },
  };
}
