/**
 * Schedules copy- and counter-trading (core/following/engine.ts) in a worker process:
 *
 * - every FOLLOW_POLL_SECONDS a local timer runs a polling cycle: due wallets are claimed with a
 *   compare-and-set, so with several processes each wallet is still polled once per interval;
 * - `follow-execute` (pg-boss): delayed executions, enqueued by the poller with startAfter =
 *   the trade's time + executionDelaySec; the executor's claim makes a repeated job harmless;
 * - `follow-daily-reset` (pg-boss cron `0 0 * * *` in COUNTER_RESET_TZ): the daily reset. pg-boss
 *   files each occurrence under one singleton key, so one job per midnight however many processes
 *   schedule it; the reset's own compare-and-set (dailyResetAt < today's start) makes even a second
 *   run a no-op;
 * - every `sweepMs` (default 5 s) a local timer runs the sweep: recovery of executions nobody
 *   finished, the stop-loss check, and the reset as a backstop (same compare-and-set).
 */
import type { PgBoss } from 'pg-boss';
import type { FollowEngine } from '../core/following/engine.ts';
import { FOLLOW_EXECUTE_QUEUE } from '../core/following/poller.ts';
import type { JobsLog } from './boss.ts';

/** The cron queue of the daily reset. */
export const FOLLOW_RESET_QUEUE = 'follow-daily-reset';
export { FOLLOW_EXECUTE_QUEUE };

export interface StartFollowingOptions {
  boss: PgBoss;
  engine: FollowEngine;
  log: JobsLog;
  /** FOLLOW_POLL_SECONDS. 0 = no polling timer (tests run cycles themselves). */
  pollSeconds: number;
  /** COUNTER_RESET_TZ. */
  tz: string;
  /** Interval of the sweep; 0 = none. Default 5000. */
  sweepMs?: number;
  /** Cron of the reset. Default midnight: "0 0 * * *". */
  resetCron?: string;
  /** pg-boss polling of the execute queue (NOTIFY wakes it sooner). Default 1 s. */
  pollingIntervalSeconds?: number;
}

export interface RunningFollowing {
  stop(): Promise<void>;
}

async function ensureQueue(boss: PgBoss, name: string, options: Parameters<PgBoss['createQueue']>[1]): Promise<void> {
  if (!(await boss.getQueue(name))) await boss.createQueue(name, options);
}

/** Creates the queues (idempotent); processes that only enqueue may call it too. */
export async function ensureFollowQueues(boss: PgBoss): Promise<void> {
  // No NOTIFY: these jobs are delayed (startAfter), so a wake-up at insert finds nothing, and a
  // notify-active queue falls back to a 30 s backstop poll; plain polling every second is on time.
  await ensureQueue(boss, FOLLOW_EXECUTE_QUEUE, { notify: false, retryLimit: 3, retryDelay: 2, retryBackoff: true, expireInSeconds: 120, deleteAfterSeconds: 24 * 60 * 60 });
  await ensureQueue(boss, FOLLOW_RESET_QUEUE, { retryLimit: 3, retryDelay: 30, expireInSeconds: 600, deleteAfterSeconds: 7 * 24 * 60 * 60 });
}

export async function startFollowing(options: StartFollowingOptions): Promise<RunningFollowing> {
  const { boss, engine, log, pollSeconds, tz, sweepMs = 5_000 } = options;
  await ensureFollowQueues(boss);

  let cycling: Promise<void> | null = null;
  const cycle = () => {
    cycling ??= engine
      .cycle()
      .then((r) => {
        if (r.newTrades || r.failed) log.info({ ...r }, 'follow: poll cycle');
      })
      .catch((err: unknown) => log.error({ err }, 'follow: poll cycle failed'))
      .finally(() => {
        cycling = null;
      });
    return cycling;
  };
  let sweeping: Promise<void> | null = null;
  const sweep = () => {
    sweeping ??= engine
      .sweep()
      .then((r) => {
        if (r.recovered || r.paused || r.reset) log.info({ ...r }, 'follow: sweep');
      })
      .catch((err: unknown) => log.error({ err }, 'follow: sweep failed'))
      .finally(() => {
        sweeping = null;
      });
    return sweeping;
  };
  const pollTimer = pollSeconds > 0 ? setInterval(() => void cycle(), Math.max(200, pollSeconds * 1000)) : null;
  pollTimer?.unref();
  const sweepTimer = sweepMs > 0 ? setInterval(() => void sweep(), sweepMs) : null;
  sweepTimer?.unref();

  await boss.work<{ executionId: string }>(FOLLOW_EXECUTE_QUEUE, { batchSize: 1, localConcurrency: 4, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1, notifyPollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 }, async ([job]) => {
    const id = job?.data?.executionId;
    if (typeof id !== 'string') return;
    const r = await engine.execute(id);
    // An unexpected failure: let pg-boss retry (the claim is left for the recovery sweep too).
    if (r === 'pending') throw new Error(`follow execution ${id} did not finish; retrying`);
  });
  await boss.schedule(FOLLOW_RESET_QUEUE, options.resetCron ?? '0 0 * * *', {}, { tz });
  await boss.work(FOLLOW_RESET_QUEUE, { batchSize: 1 }, async () => {
    const n = await engine.resetDay();
    log.info({ reset: n, tz }, 'follow: daily reset');
  });
  log.info({ pollSeconds, tz }, 'following started');

  return {
    async stop() {
      if (pollTimer) clearInterval(pollTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      await cycling;
      await sweeping;
      await engine.idle();
    },
  };
}
