/**
 * The JobPort core enqueues through. With `tx`, the job is inserted on the caller's Prisma
 * transaction: it exists (and its NOTIFY fires) only if that transaction commits.
 */
import { fromPrisma, type PgBoss, type PrismaTransactionLike, type SendOptions } from 'pg-boss';
import type { JobPort } from '../core/notifications/types.ts';

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
  };
}
