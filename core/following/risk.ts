/**
 * The daily side of following: today's PnL of a follow, the daily stop-loss, and the reset at
 * midnight in COUNTER_RESET_TZ (the seed's CounterTradeResetScheduler).
 *
 * - Today's PnL of a follow = over the orders it placed since today's start: proceeds of sells −
 *   cost of buys (fees included) + what the day's net shares are worth (bought today and still held:
 *   at the current bid; sold today but bought earlier: at the user's average price of that position).
 * - Stop-loss: when that PnL is at or below −dailyStopLoss, a compare-and-set pauses the follow until
 *   the next reset (pausedUntil, pauseReason "daily stop-loss") and, in the same transaction, the
 *   owner is told (deduplicated per follow and day). Positions are not sold.
 * - Reset: for every follow whose dailyResetAt is before today's start: daily PnL and trade count to
 *   zero, stop-loss pauses lifted (owners told), dailyResetAt = today's start. That condition is the
 *   compare-and-set: however many processes (pg-boss cron, the backstop sweep) run it, a day is reset
 *   once per follow.
 */
import type { Db } from '../db/client.ts';
import { Decimal, ZERO, dec } from '../money.ts';
import type { AdapterRegistry, Outcome, Venue } from '../exchanges/types.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import { writeOutbox } from '../notifications/outbox.ts';
import type { JobPort } from '../notifications/types.ts';
import type { AutomationLog } from '../automation/background.ts';
import { dayStart, nextDayStart } from './day.ts';
import { pausedEntry, resumedEntry } from './messages.ts';
import { STOP_LOSS_REASON, TABLES, TX } from './rows.ts';
import { FOLLOW_KINDS, type FollowKind } from './types.ts';

export interface FollowRiskDeps {
  prisma: Db;
  jobs: JobPort;
  adapters: AdapterRegistry;
  directory: MarketDirectory;
  /** COUNTER_RESET_TZ. */
  tz: string;
  clock: () => Date;
  log?: AutomationLog;
}

interface OrderAgg {
  listingId: string;
  exchange: string;
  side: string;
  action: string;
  qty: unknown;
  value: unknown;
  fee: unknown;
}

export class FollowRisk {
  constructor(private readonly deps: FollowRiskDeps) {}

  /** Today's PnL of one follow (see the header). */
  async dailyPnl(kind: FollowKind, configId: string, userId: string): Promise<Decimal> {
    const since = dayStart(this.deps.clock(), this.deps.tz);
    const rows = await this.deps.prisma.$queryRawUnsafe<OrderAgg[]>(
      `SELECT "listingId", exchange, side, action, SUM("filledQuantity") AS qty, SUM("filledQuantity" * COALESCE("avgFillPrice", 0)) AS value, SUM(fee) AS fee
       FROM "Order" WHERE "${TABLES[kind].orderColumn}" = $1::uuid AND "createdAt" >= $2 AND "filledQuantity" > 0
       GROUP BY "listingId", exchange, side, action`,
      configId,
      since,
    );
    const net = new Map<string, { listingId: string; exchange: string; side: string; qty: Decimal }>();
    let pnl = ZERO;
    for (const r of rows) {
      const qty = dec(String(r.qty));
      const value = dec(String(r.value));
      const fee = dec(String(r.fee));
      pnl = r.action === 'buy' ? pnl.sub(value).sub(fee) : pnl.add(value).sub(fee);
      const key = `${r.listingId}|${r.side}`;
      const n = net.get(key) ?? { listingId: r.listingId, exchange: r.exchange, side: r.side, qty: ZERO };
      n.qty = r.action === 'buy' ? n.qty.add(qty) : n.qty.sub(qty);
      net.set(key, n);
    }
    for (const n of net.values()) {
      if (n.qty.isZero()) continue;
      if (n.qty.gt(0)) {
        pnl = pnl.add(n.qty.mul(await this.bid(n.listingId, n.exchange as Venue, n.side as Outcome)));
      } else {
        const pos = await this.deps.prisma.position.findUnique({ where: { userId_listingId_side: { userId, listingId: n.listingId, side: n.side } }, select: { avgPrice: true } });
        pnl = pnl.add(n.qty.mul(pos ? dec(pos.avgPrice) : ZERO));
      }
    }
    return pnl;
  }

  private async bid(listingId: string, venue: Venue, side: Outcome): Promise<Decimal> {
    const hit = this.deps.directory.listing(listingId);
    const adapter = this.deps.adapters.get(venue);
    if (!hit || !adapter) return ZERO;
    const book = await adapter.getOrderBook({ listing: hit.listing, outcome: side }).catch(() => null);
    return book?.bids[0]?.price ?? ZERO;
  }

  /**
   * Recomputes today's PnL of a follow, stores it, and pauses the follow when it is at or below
   * −dailyStopLoss. Returns true when this call paused it.
   */
  async check(kind: FollowKind, configId: string): Promise<boolean> {
    const { table } = TABLES[kind];
    const rows = await this.deps.prisma.$queryRawUnsafe<{ userId: string; targetWalletAddress: string; dailyStopLoss: unknown }[]>(
      `SELECT "userId", "targetWalletAddress", "dailyStopLoss" FROM ${table} WHERE id = $1::uuid AND "stoppedAt" IS NULL`,
      configId,
    );
    const c = rows[0];
    if (!c) return false;
    const pnl = await this.dailyPnl(kind, configId, c.userId);
    const now = this.deps.clock();
    const stop = c.dailyStopLoss === null ? null : dec(String(c.dailyStopLoss));
    if (!stop || pnl.gt(stop.neg())) {
      await this.deps.prisma.$executeRawUnsafe(`UPDATE ${table} SET "dailyPnl" = $2::numeric WHERE id = $1::uuid`, configId, pnl.toFixed(6));
      return false;
    }
    const until = nextDayStart(now, this.deps.tz);
    const day = dayStart(now, this.deps.tz);
    return this.deps.prisma.$transaction(async (tx) => {
      const n = await tx.$executeRawUnsafe(
        `UPDATE ${table} SET "dailyPnl" = $2::numeric, "pausedUntil" = $3, "pauseReason" = $4, "updatedAt" = $5
         WHERE id = $1::uuid AND "stoppedAt" IS NULL AND ("pausedUntil" IS NULL OR "pausedUntil" <= $5)`,
        configId,
        pnl.toFixed(6),
        until,
        STOP_LOSS_REASON,
        now,
      );
      if (n === 1) {
        await writeOutbox(tx, this.deps.jobs, [pausedEntry({ kind, configId, userId: c.userId, wallet: c.targetWalletAddress, pnl, stop, until, day, tz: this.deps.tz })]);
      } else {
        await tx.$executeRawUnsafe(`UPDATE ${table} SET "dailyPnl" = $2::numeric WHERE id = $1::uuid`, configId, pnl.toFixed(6));
      }
      return n === 1;
    }, TX);
  }

  /** Checks every follow that traded today and is not paused (the periodic pass). */
  async checkAll(limit = 500): Promise<number> {
    let paused = 0;
    for (const kind of FOLLOW_KINDS) {
      const rows = await this.deps.prisma.$queryRawUnsafe<{ id: string }[]>(
        `SELECT id::text FROM ${TABLES[kind].table} WHERE "stoppedAt" IS NULL AND "dailyTradeCount" > 0 AND ("pausedUntil" IS NULL OR "pausedUntil" <= $1) LIMIT $2`,
        this.deps.clock(),
        limit,
      );
      for (const r of rows) if (await this.check(kind, r.id).catch((err) => (this.deps.log?.warn({ err, configId: r.id }, 'follow: stop-loss check failed'), false))) paused++;
    }
    return paused;
  }

  /**
   * The daily reset (see the header). Returns how many follows this call reset; 0 when another
   * process (or an earlier run) already reset today.
   */
  async resetDay(): Promise<number> {
    const now = this.deps.clock();
    const day = dayStart(now, this.deps.tz);
    let total = 0;
    for (const kind of FOLLOW_KINDS) {
      const { table } = TABLES[kind];
      total += await this.deps.prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRawUnsafe<{ id: string; userId: string; targetWalletAddress: string; lifted: boolean }[]>(
          `WITH due AS (
             SELECT id, ("pauseReason" = $3 AND "pausedUntil" IS NOT NULL) AS lifted FROM ${table}
             WHERE "stoppedAt" IS NULL AND ("dailyResetAt" IS NULL OR "dailyResetAt" < $1) FOR UPDATE SKIP LOCKED
           )
           UPDATE ${table} t SET "dailyPnl" = 0, "dailyTradeCount" = 0, "dailyResetAt" = $1, "updatedAt" = $2,
             "pausedUntil" = CASE WHEN due.lifted THEN NULL ELSE t."pausedUntil" END,
             "pauseReason" = CASE WHEN due.lifted THEN NULL ELSE t."pauseReason" END
           FROM due WHERE t.id = due.id AND ("dailyResetAt" IS NULL OR "dailyResetAt" < $1)
           RETURNING t.id::text, t."userId"::text, t."targetWalletAddress", due.lifted`,
          day,
          now,
          STOP_LOSS_REASON,
        );
        const lifted = rows.filter((r) => r.lifted);
        await writeOutbox(tx, this.deps.jobs, lifted.map((r) => resumedEntry({ kind, configId: r.id, userId: r.userId, wallet: r.targetWalletAddress, day })));
        return rows.length;
      }, TX);
    }
    return total;
  }
}
