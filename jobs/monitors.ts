/**
 * Schedules the automation monitors (core/automation/monitors.ts) in a worker process:
 *
 * - the price sync listens to this process's market data feed; every update evaluates the triggers
 *   of the listing that moved (evaluation runs where the feed is received);
 * - every `sweepMs` (default 5 s) a local timer runs the sweep: the freshness guard, sniper expiry,
 *   closed markets, and recovery of claims nobody finished. Timers rather than pg-boss cron because
 *   cron has a one-minute grain and the stale guard needs seconds; every step is a compare-and-set,
 *   so all worker processes may sweep at once;
 * - a pg-boss cron job (`automation-maintenance`, every 10 minutes, one process runs each) trims the
 *   price history to PRICE_HISTORY_HOURS and runs a backstop sweep.
 *
 * Several processes may run all of this on one database: exactly-once firing comes from the claims.
 */
import type { PgBoss } from 'pg-boss';
import type { AutomationMonitors } from '../core/automation/monitors.ts';
import type { JobsLog } from './boss.ts';
import { AUTOMATION_MAINTENANCE_QUEUE } from './queues.ts';

export interface StartMonitorsOptions {
  boss: PgBoss;
  monitors: AutomationMonitors;
  log: JobsLog;
  /** Hours of price history to keep (PRICE_HISTORY_HOURS). */
  historyHours: number;
  /** Interval of the local sweep; 0 = none (tests call monitors.sweep() themselves). Default 5000. */
  sweepMs?: number;
  /** Cron of the maintenance job. Default every 10 minutes. */
  maintenanceCron?: string;
}

export interface RunningMonitors {
  /** Stops the timer and the price sync, waiting for running evaluations and fires. */
  stop(): Promise<void>;
}

export async function startMonitors(options: StartMonitorsOptions): Promise<RunningMonitors> {
  const { boss, monitors, log, historyHours, sweepMs = 5_000 } = options;
  monitors.start();

  let sweeping: Promise<void> | null = null;
  const sweep = () => {
    // One sweep at a time per process; a slow one makes the next tick skip, not queue.
    sweeping ??= monitors
      .sweep()
      .then((r) => {
        if (r.stale || r.expired || r.closed || r.recovered) log.info({ ...r }, 'automation sweep');
      })
      .catch((err: unknown) => log.error({ err }, 'automation sweep failed'))
      .finally(() => {
        sweeping = null;
      });
    return sweeping;
  };
  const timer = sweepMs > 0 ? setInterval(() => void sweep(), sweepMs) : null;
  timer?.unref();

  await boss.schedule(AUTOMATION_MAINTENANCE_QUEUE, options.maintenanceCron ?? '*/10 * * * *', {}, {});
  await boss.work(AUTOMATION_MAINTENANCE_QUEUE, { batchSize: 1 }, async () => {
    const trimmed = await monitors.trimTicks(historyHours);
    if (trimmed > 0) log.info({ trimmed, historyHours }, 'automation: trimmed price history');
    await sweep();
  });
  log.info({ sweepMs }, 'automation monitors started');

  return {
    async stop() {
      if (timer) clearInterval(timer);
      await sweeping;
      await monitors.stop();
    },
  };
}
