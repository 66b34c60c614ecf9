/**
 * Writes notification outbox rows inside the caller's transaction and enqueues their delivery
 * jobs in that same transaction, so a committed change is always reported and a rolled-back one never is.
 */
import type { Prisma } from '../../generated/prisma/client.ts';
import { QUEUES, type JobPort, type NotificationPayload } from './types.ts';

export interface OutboxEntry {
  userId: string;
  /** Unique per reported fact, e.g. "order:<id>:filled"; a duplicate is skipped silently. */
  dedupeKey: string;
  orderId?: string;
  payload: NotificationPayload;
}

/** Inserts the rows (skipping duplicates) and enqueues one delivery job per new row. */
export async function writeOutbox(tx: Prisma.TransactionClient, jobs: JobPort, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = await tx.notificationOutbox.createManyAndReturn({
    data: entries.map((e) => ({
      userId: e.userId,
      kind: e.payload.kind,
      dedupeKey: e.dedupeKey,
      orderId: e.orderId ?? null,
      payload: e.payload as Prisma.InputJsonValue,
    })),
    skipDuplicates: true,
    select: { id: true },
  });
  if (jobs.sendMany) {
    await jobs.sendMany({ queue: QUEUES.notify, jobs: rows.map((row) => ({ data: { outboxId: row.id }, singletonKey: row.id })), tx });
    return;
  }
  for (const row of rows) {
    await jobs.send({ queue: QUEUES.notify, data: { outboxId: row.id }, tx, singletonKey: row.id });
  }
}
