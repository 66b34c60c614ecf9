/**
 * A monitor "process" for the automation tests: its own Prisma client over a shared test database,
 * the real core (TradingService, paper venues) and the automation monitors listening to a synthetic
 * feed that tests move by hand (setBook / setMid). Two harnesses on one database (and one feed) are two
 * independent worker processes receiving the same market data.
 *
 * Outbox rows are written as in production; the JobPort only records the delivery jobs it was asked for.
 */
import { createPrisma } from '../../core/db/client.ts';
import { coreMonitorDeps, createCore, type Core } from '../../core/create-core.ts';
import { createAutomationMonitors, type AutomationMonitors } from '../../core/automation/monitors.ts';
import { createPaperRegistry } from '../../core/exchanges/registry.ts';
import type { ExchangeAdapter, PlaceOrderRequest, Venue } from '../../core/exchanges/types.ts';
import { DEMO_CATALOG, demoConditionId, seedCatalog } from '../../core/markets/catalog.ts';
import { SyntheticMarketFeed } from '../../core/markets/synthetic-feed.ts';
import { Decimal } from '../../core/money.ts';
import type { JobPort } from '../../core/notifications/types.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { TestDatabase } from '../helpers/db.ts';

export const d = (s: string) => new Decimal(s);
export const lv = (price: string, size: string) => ({ price: d(price), size: d(size) });

export interface Harness {
  prisma: PrismaClient;
  core: Core;
  monitors: AutomationMonitors;
  feed: SyntheticMarketFeed;
  /** Every request handed to a venue adapter by this process, in order. */
  placed: PlaceOrderRequest[];
  /** A slow venue: every placement waits this long first (default 0). */
  venueDelayMs: number;
  /**
   * Wall time of every sniper / TP-SL drive of this process (claim to outcome), in order. Only a
   * drive slower than the product's 250 ms notice delay can send its "fired" notice on its own.
   */
  drives: { kind: 'sniper' | 'tpsl'; id: string; ms: number }[];
  /** Moves the harness clock (expiry, recovery, stale checks). */
  advance(ms: number): void;
  now(): Date;
  /** Waits until this process has no evaluation or fire running. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export function newFeed(): SyntheticMarketFeed {
  return new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 42, tickMs: 0 });
}

/**
 * `frozen`: the monitors' clock stands still (only advance() moves it), so durations the product
 * reports ("nothing for 31 s") do not depend on how fast this machine runs the test. Default: wall
 * time plus the advance() offset.
 */
export async function startHarness(db: TestDatabase, opts: { feed?: SyntheticMarketFeed; staleSeconds?: number; start?: boolean; frozen?: boolean } = {}): Promise<Harness> {
  const prisma = createPrisma(db.url, { poolMax: 8 });
  await seedCatalog(prisma, DEMO_CATALOG);
  let offset = 0;
  const frozenAt = opts.frozen ? Date.now() : null;
  const clock = () => new Date((frozenAt ?? Date.now()) + offset);
  const feed = opts.feed ?? newFeed();
  const placed: PlaceOrderRequest[] = [];
  const harness = { venueDelayMs: 0 } as Harness;
  const adapters = createPaperRegistry({ prisma, feed, startingBalance: new Decimal(1000) });
  for (const adapter of adapters.values()) {
    const place = adapter.placeOrder.bind(adapter);
    (adapter as ExchangeAdapter).placeOrder = async (req) => {
      placed.push(req);
      if (harness.venueDelayMs > 0) await new Promise((r) => setTimeout(r, harness.venueDelayMs));
      return place(req);
    };
  }
  const jobs: JobPort = { async send() {} };
  const core = await createCore({
    prisma,
    jobs,
    adapters,
    settings: { mode: 'paper', maxOrderUsd: new Decimal(10000), defaultSlippage: new Decimal('0.05') },
    lookupRetries: { attempts: 1, delayMs: 1 },
  });
  const monitors = createAutomationMonitors({
    ...coreMonitorDeps(core),
    prisma,
    jobs,
    feed,
    slippage: new Decimal('0.05'),
    staleSeconds: opts.staleSeconds ?? 0,
    exitRetryDelayMs: 0,
    clock,
  });
  const drives = timeDrives(monitors);
  if (opts.start ?? true) monitors.start();
  Object.assign(harness, {
    drives,
    prisma,
    core,
    monitors,
    feed,
    placed,
    advance: (ms: number) => {
      offset += ms;
    },
    now: clock,
    settle: () => monitors.idle(),
    async stop() {
      await monitors.stop();
      core.detach();
      for (const a of adapters.values()) (a as { close?: () => void }).close?.();
      await prisma.$disconnect();
    },
  });
  return harness;
}

/** The Polymarket condition id of a demo market (the feed's venueMarketId). */
export const poly = (marketId: string): [Venue, string] => ['polymarket', demoConditionId(marketId)];

/** Automation notifications of a user, oldest first. */
export async function automationTexts(prisma: PrismaClient, userId: string): Promise<{ event: string; text: string }[]> {
  const rows = await prisma.notificationOutbox.findMany({ where: { userId, kind: 'automation' }, orderBy: { createdAt: 'asc' } });
  return rows.map((r) => r.payload as { event: string; text: string });
}

/** Records the wall time of every sniper / TP-SL drive of these monitors (see Harness.drives). */
export function timeDrives(monitors: AutomationMonitors): Harness['drives'] {
  const drives: Harness['drives'] = [];
  const timed = <A extends unknown[], R>(kind: 'sniper' | 'tpsl', drive: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const started = performance.now();
      try {
        return await drive(...a);
      } finally {
        drives.push({ kind, id: (a[0] as { id: string }).id, ms: performance.now() - started });
      }
    };
  monitors.snipers.drive = timed('sniper', monitors.snipers.drive.bind(monitors.snipers));
  monitors.tpsl.drive = timed('tpsl', monitors.tpsl.drive.bind(monitors.tpsl));
  return drives;
}

/** The product's delay before a separate "fired" notice (core/automation/snipers.ts, tpsl.ts). */
export const FIRED_NOTICE_DELAY_MS = 250;

/**
 * Splits a fire's messages into the optional separate "fired" notice and the rest. The product tells
 * "fired" inside the outcome's message when the drive is fast, and on its own first when the drive
 * (placement, retries) takes longer than 250 ms, which a loaded machine can cause for any drive. So a
 * separate notice is accepted only when this process's drive of that sniper / position really took
 * that long (timers never fire early by more than a millisecond), and never more than one.
 */
export function splitFiredNotice(h: Pick<Harness, 'drives'>, texts: { event: string; text: string }[], p: { firedEvent: 'sniper_fired' | 'tpsl_fired'; id: string }): { fired: { event: string; text: string } | null; rest: { event: string; text: string }[] } {
  const firedCount = texts.filter((t) => t.event === p.firedEvent).length;
  if (firedCount === 0) return { fired: null, rest: texts };
  if (firedCount > 1 || texts[0]!.event !== p.firedEvent) throw new Error(`expected at most one ${p.firedEvent}, first: ${JSON.stringify(texts.map((t) => t.event))}`);
  const slowest = Math.max(0, ...h.drives.filter((d) => d.id === p.id).map((d) => d.ms));
  if (slowest < FIRED_NOTICE_DELAY_MS - 1) throw new Error(`a separate ${p.firedEvent} after a drive of only ${slowest.toFixed(0)} ms (notice delay ${FIRED_NOTICE_DELAY_MS} ms)`);
  return { fired: texts[0]!, rest: texts.slice(1) };
}
