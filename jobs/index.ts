/**
 * jobs/: pg-boss queues, workers and schedules. Entry points call, in order:
 *
 *   const boss = createBoss({ connectionString, log });
 *   await startBoss(boss);                    // schema + queues
 *   const jobPort = createJobPort(boss);      // for core (enqueue inside transactions)
 *   const queueStats = createQueueStats(boss);
 *   const jobs = await startJobs({ boss, prisma, sinks, log, workers: config.RUN_WORKERS });
 *   ...
 *   await jobs.stop();                        // graceful: active handlers get `stopTimeoutMs`
 */
import type { PgBoss } from 'pg-boss';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { NotificationSink } from '../core/notifications/types.ts';
import type { JobsLog } from './boss.ts';
import { startNotifyWorker, type NotifyWorkerOptions } from './notify-worker.ts';

export { createBoss, startBoss, type CreateBossOptions, type JobsLog, type StartBossOptions } from './boss.ts';
export { createJobPort } from './job-port.ts';
export { createQueueStats } from './queue-stats.ts';
export { QUEUE_DEFINITIONS, QUEUE_NAMES, NOTIFY_DEAD_QUEUE, NOTIFY_SWEEP_QUEUE } from './queues.ts';
export { deliverOutboxRow, startNotifyWorker, sweepOutbox } from './notify-worker.ts';

export interface StartJobsOptions {
  /** A started PgBoss (see startBoss). `stop()` stops it. */
  boss: PgBoss;
  prisma: PrismaClient;
  sinks: readonly NotificationSink[];
  log: JobsLog;
  /** Work queues in this process (RUN_WORKERS). When false, this process only enqueues. */
  workers: boolean;
  /** Tuning of the notify worker (tests shorten polling and the sweep). */
  notify?: Partial<Pick<NotifyWorkerOptions, 'batchSize' | 'localConcurrency' | 'notifyPollingIntervalSeconds' | 'sweep' | 'chatBudget'>>;
  /** How long stop() waits for active handlers. Default 10 s. */
  stopTimeoutMs?: number;
}

export interface RunningJobs {
  /** Stops the workers (waiting for active handlers up to stopTimeoutMs) and closes pg-boss. */
  stop(): Promise<void>;
}

export async function startJobs(options: StartJobsOptions): Promise<RunningJobs> {
  const { boss, prisma, sinks, log, workers, stopTimeoutMs = 10_000 } = options;
  if (workers) {
    await startNotifyWorker({ boss, prisma, sinks, log, ...options.notify });
    log.info({ queues: ['notify'] }, 'jobs: workers started');
  } else {
    log.info({}, 'jobs: workers disabled in this process (enqueue only)');
  }
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= boss.stop({ graceful: true, timeout: stopTimeoutMs }).then(() => log.info({}, 'jobs: stopped'));
      return stopping;
    },
  };
}
