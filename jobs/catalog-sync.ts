/**
 * The market catalog sync on a schedule: a pg-boss cron job (every 10 minutes by default) plus one
 * run at start, on an `exclusive` queue (at most one job queued or running, whichever process works
 * it). The work is core's syncCatalog (core/markets/catalog-sync.ts); this file only schedules it.
 * Only started when market data is live: with synthetic data the venues are never called.
 */
import type { PgBoss } from 'pg-boss';
import type { CatalogSyncReport } from '../core/markets/catalog-sync.ts';
import type { JobsLog } from './boss.ts';

export const CATALOG_SYNC_QUEUE = 'catalog-sync';

export interface CatalogSyncJob {
  /** Enqueues a run now (no-op while one is queued or running). */
  trigger(): Promise<void>;
}

export async function startCatalogSyncWorker(args: {
  boss: PgBoss;
  log: JobsLog;
  sync: () => Promise<CatalogSyncReport>;
  /** Default every 10 minutes. */
  cron?: string;
  /** Run once at start (default true). */
  runAtStart?: boolean;
}): Promise<CatalogSyncJob> {
  const { boss, log, sync } = args;
  if (!(await boss.getQueue(CATALOG_SYNC_QUEUE))) {
    await boss.createQueue(CATALOG_SYNC_QUEUE, { policy: 'exclusive', retryLimit: 0, expireInSeconds: 900, deleteAfterSeconds: 24 * 3600 });
  }
  await boss.schedule(CATALOG_SYNC_QUEUE, args.cron ?? '*/10 * * * *', {}, {});
  await boss.work(CATALOG_SYNC_QUEUE, { batchSize: 1 }, async () => {
    const report = await sync();
    const failed = report.venues.filter((v) => v.error);
    if (failed.length) log.warn({ failed: failed.map((v) => ({ venue: v.venue, error: v.error })) }, 'catalog sync: some venues failed');
  });
  const job: CatalogSyncJob = {
    async trigger() {
      await boss.send(CATALOG_SYNC_QUEUE, {});
    },
  };
  if (args.runAtStart ?? true) await job.trigger();
  return job;
}
