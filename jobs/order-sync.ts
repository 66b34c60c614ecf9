/**
 * Order sync on a schedule: once a minute (pg-boss cron, so one process runs it however many are up)
 * ask the venues about every order still open and apply what they say. The work itself is core's
 * `reconcileOpenOrders`; this file only schedules it.
 */
import type { PgBoss } from 'pg-boss';
import { QUEUES } from '../core/notifications/types.ts';
import type { JobsLog } from './boss.ts';

export async function startOrderSyncWorker(args: {
  boss: PgBoss;
  log: JobsLog;
  reconcile: () => Promise<number>;
  cron?: string;
}): Promise<void> {
  const { boss, log, reconcile } = args;
  await boss.schedule(QUEUES.orderSync, args.cron ?? '* * * * *', {}, {});
  await boss.work(QUEUES.orderSync, { batchSize: 1 }, async () => {
    const changed = await reconcile();
    if (changed > 0) log.info({ changed }, 'order sync: applied venue state to open orders');
  });
}
