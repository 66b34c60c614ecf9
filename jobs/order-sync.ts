/**
 * Order sync on pg-boss:
 * - once a minute (pg-boss cron, so one process runs it however many are up) ask the venues about
 *   every order still open and apply what they say: the safety net (core's `reconcileOpenOrders`);
 * - the `order-follow` queue: one polling job per open order at a time (singletonKey = order id on a
 *   `stately` queue); core's `runFollowJob` syncs the order and enqueues the next poll with backoff
 *   until the order is terminal (core/trading/order-sync.ts).
 * This file only schedules and dispatches; the work is core's.
 */
import type { PgBoss } from 'pg-boss';
import { QUEUES } from '../core/notifications/types.ts';
import { ORDER_FOLLOW_QUEUE, type FollowJobData } from '../core/trading/order-sync.ts';
import type { JobsLog } from './boss.ts';

export async function startOrderSyncWorker(args: {
  boss: PgBoss;
  log: JobsLog;
  reconcile: () => Promise<number>;
  /** One follow job (core.trading.runFollowJob); without it the follow queue is not worked here. */
  follow?: (data: FollowJobData) => Promise<unknown>;
  cron?: string;
  /** How often idle follow workers look for due jobs (delayed jobs are found by polling). Default 1 s. */
  followPollingSeconds?: number;
}): Promise<void> {
  const { boss, log, reconcile, follow } = args;
  await boss.schedule(QUEUES.orderSync, args.cron ?? '* * * * *', {}, {});
  await boss.work(QUEUES.orderSync, { batchSize: 1 }, async () => {
    const changed = await reconcile();
    if (changed > 0) log.info({ changed }, 'order sync: applied venue state to open orders');
  });
  if (follow) {
    await boss.work<FollowJobData>(
      ORDER_FOLLOW_QUEUE,
      { batchSize: 1, localConcurrency: 2, pollingIntervalSeconds: args.followPollingSeconds ?? 1 },
      async ([job]) => {
        if (job) await follow(job.data);
      },
    );
  }
}
