/**
 * Group channel alerts at run time: the evaluator (core/alerts/evaluator.ts) fed by the market data
 * feed, reloading its subscriptions when /alerts changes them in this process (and every few
 * seconds for changes made elsewhere). Batched alerts go out through the notification outbox as
 * `channel_alert` rows, delivered by the notify worker to the sink of the channel's platform.
 *
 * Runs in the processes that work the queues (RUN_WORKERS). Several such processes may run it at
 * once: each alert's compare-and-set on lastState lets exactly one of them fire it.
 */
import type { Db } from '../core/db/client.ts';
import type { AlertService } from '../core/alerts/alert-service.ts';
import { AlertEvaluator, type AlertsLog } from '../core/alerts/evaluator.ts';
import { feedAlerts } from '../core/alerts/feed-source.ts';
import type { MarketDirectory } from '../core/markets/directory.ts';
import type { MarketDataFeed } from '../core/markets/types.ts';
import type { JobPort } from '../core/notifications/types.ts';

export interface StartAlertsOptions {
  prisma: Db;
  jobs: JobPort;
  feed: MarketDataFeed;
  directory: MarketDirectory;
  /** The service /alerts writes through (its changes reload the evaluator at once). */
  alerts: AlertService;
  log?: AlertsLog;
  /** How long alerts of one channel wait to be joined into one message. Default 1500 ms. */
  batchMs?: number;
  /** How often subscriptions are reloaded. Default 10 s. */
  reloadMs?: number;
}

export interface AlertsRuntime {
  evaluator: AlertEvaluator;
  /** Stops listening and sends what is batched. */
  stop(): Promise<void>;
}

export async function startAlerts(options: StartAlertsOptions): Promise<AlertsRuntime> {
  const { prisma, jobs, feed, directory, alerts, log } = options;
  const evaluator = new AlertEvaluator({
    prisma,
    jobs,
    marketOf: (listingId) => directory.listing(listingId)?.market.id,
    listingsOf: (marketId) => directory.get(marketId)?.listings.map((l) => l.listingId) ?? [],
    describe: (marketId) => directory.get(marketId),
    batchMs: options.batchMs,
    reloadMs: options.reloadMs,
    log,
  });
  await evaluator.start();
  const offChange = alerts.onChanged(() => evaluator.invalidate());
  const offFeed = feedAlerts({ feed, directory, evaluator, log });
  return {
    evaluator,
    async stop() {
      offFeed();
      offChange();
      await evaluator.stop();
    },
  };
}
