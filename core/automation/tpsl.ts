/**
 * Take-profit / stop-loss (seed: "Take-Profit and Stop-Loss (TPSL)"), evaluated in the price sync:
 * take-profit sells when the bid ≥ takeProfitPrice, stop-loss when the bid ≤ stopLossPrice.
 *
 * - Evaluation: indexed range queries on ("listingId", side, takeProfitPrice|stopLossPrice) for the
 *   listing that moved, positions not already exiting, not paused, not empty.
 * - Claim: UPDATE "Position" SET "exitKind" = kind, "exitClaimedAt" = now WHERE "exitKind" IS NULL
 *   AND <the level is still hit> AND NOT "tpslPaused" (the same statement as the range query): one
 *   winner among any number of processes. The trader gets one message with the outcome ("hit …
 *   sold …"), plus a "fired" message first only when the exit takes longer than 250 ms.
 * - Exit: sells what can actually be sold: the smaller of our position and what the venue says the
 *   account holds (fees taken in shares, a balance that lags), rounded DOWN to the venue's share step;
 *   below the venue's minimum → the owner is told and the levels are cleared. The sell is a marketable
 *   FAK at no worse than bid × (1 − DEFAULT_SLIPPAGE), source take-profit | stop-loss, idempotency key
 *   `tpsl:<positionId>:<claim time>:<attempt>`. A partial exit retries the remainder at the new bid,
 *   up to MAX_ATTEMPTS sells per exit. Then the levels clear (fires once) and the owner gets a summary.
 * - Recovery: an exit nobody advanced for 15 s is re-driven from its recorded attempt: the order
 *   of that attempt is looked up by its idempotency key and only placed if it does not exist.
 * - A user sell that empties the position clears the levels (OrderStore.applyToPosition); a market
 *   that is no longer open disarms them (disarmClosedMarkets).
 */
import type { Db } from '../db/client.ts';
import { Decimal, ONE, ZERO, cents, dec, minDec, roundToStep, usd } from '../money.ts';
import type { AdapterRegistry, Outcome } from '../exchanges/types.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import { writeOutbox, type OutboxEntry } from '../notifications/outbox.ts';
import type { JobPort } from '../notifications/types.ts';
import type { OrderStore } from '../orders/order-store.ts';
import { isTerminal } from '../orders/state-machine.ts';
import { TradingError, type OrderView, type TradingApi } from '../trading/types.ts';
import { orderView } from '../trading/views.ts';
import { delayedNotice, type AutomationLog, type Background } from './background.ts';
import { automationEntry, sharesText } from './messages.ts';

export type ExitKind = 'take-profit' | 'stop-loss';

/** An exit slower than this gets its "fired" notice on its own, before the outcome. */
const NOTICE_DELAY_MS = 250;

/** Sell attempts per exit (the first plus retries of a remainder). */
export const MAX_EXIT_ATTEMPTS = 3;

export interface PositionRow {
  id: string;
  userId: string;
  listingId: string;
  marketId: string;
  exchange: string;
  side: string;
  quantity: unknown;
  takeProfitPrice: unknown;
  stopLossPrice: unknown;
  exitKind: string | null;
  exitClaimedAt: Date | null;
  exitAttempts: number;
}

/** The bids one price update shows for a listing. */
export interface TpslPrices {
  listingId: string;
  bids: Record<Outcome, Decimal | null>;
}

export interface TpslMonitorDeps {
  prisma: Db;
  jobs: JobPort;
  trading: Pick<TradingApi, 'placeOrder'>;
  store: OrderStore;
  adapters: AdapterRegistry;
  directory: MarketDirectory;
  background: Background;
  /** Slippage guard of the exit sells (DEFAULT_SLIPPAGE). */
  slippage: Decimal;
  clock: () => Date;
  /** Pause before retrying after an attempt that sold nothing (venue balances lag). Default 500 ms × attempt. */
  retryDelayMs?: number;
  log?: AutomationLog;
}

const COLUMNS = `id, "userId", "listingId", "marketId", exchange, side, quantity, "takeProfitPrice", "stopLossPrice", "exitKind", "exitClaimedAt", "exitAttempts"`;

const q = (v: Decimal | null) => (v ? v.toFixed() : null);

/** The claim of the positions in CTE `from` (id, kind); parameters: now, YES bid, NO bid. */
const CLAIM_SQL = (from: string, now: string, yesBid: string, noBid: string) => `
  UPDATE "Position" p SET "exitKind" = c.kind, "exitClaimedAt" = ${now}, "exitAttempts" = 0, "updatedAt" = ${now}
  FROM ${from} c
  WHERE p.id = c.id AND p."exitKind" IS NULL AND NOT p."tpslPaused" AND p.quantity > 0
    AND ((c.kind = 'take-profit' AND p."takeProfitPrice" <= (CASE p.side WHEN 'yes' THEN ${yesBid}::numeric ELSE ${noBid}::numeric END))
      OR (c.kind = 'stop-loss' AND p."stopLossPrice" >= (CASE p.side WHEN 'yes' THEN ${yesBid}::numeric ELSE ${noBid}::numeric END)))
  RETURNING ${COLUMNS.split(', ').map((col) => `p.${col}`).join(', ')}`;

const kindName = (kind: string) => (kind === 'take-profit' ? 'Take-profit' : 'Stop-loss');

type SellResult =
  | { kind: 'order'; order: OrderView }
  | { kind: 'nothing'; reason: string }
  | { kind: 'error'; reason: string }
  | { kind: 'unknown' };

export class TpslMonitor {
  constructor(private readonly deps: TpslMonitorDeps) {}

  /**
   * Evaluates one price update of a listing in ONE statement: the indexed range queries on
   * ("listingId", side, takeProfitPrice | stopLossPrice) find the positions whose level the bid hits,
   * and the compare-and-set claim (not exiting, not paused, not empty, level still hit: re-checked
   * under the row lock) takes them. Both levels hit at once (only with inconsistent levels): the
   * stop-loss wins. The exits run in the background. Returns the ids this caller claimed.
   */
  async evaluate(p: TpslPrices): Promise<string[]> {
    const yb = q(p.bids.yes);
    const nb = q(p.bids.no);
    if (!yb && !nb) return [];
    const claimed = await this.deps.prisma.$queryRawUnsafe<PositionRow[]>(
      `WITH hit AS (
         SELECT DISTINCT ON (id) id, kind FROM (
           SELECT id, 'stop-loss' AS kind, 0 AS prio FROM "Position" WHERE "listingId" = $1 AND side = 'yes' AND "stopLossPrice" >= $2::numeric AND "exitKind" IS NULL AND NOT "tpslPaused" AND quantity > 0
           UNION ALL
           SELECT id, 'stop-loss', 0 FROM "Position" WHERE "listingId" = $1 AND side = 'no' AND "stopLossPrice" >= $3::numeric AND "exitKind" IS NULL AND NOT "tpslPaused" AND quantity > 0
           UNION ALL
           SELECT id, 'take-profit', 1 FROM "Position" WHERE "listingId" = $1 AND side = 'yes' AND "takeProfitPrice" <= $2::numeric AND "exitKind" IS NULL AND NOT "tpslPaused" AND quantity > 0
           UNION ALL
           SELECT id, 'take-profit', 1 FROM "Position" WHERE "listingId" = $1 AND side = 'no' AND "takeProfitPrice" <= $3::numeric AND "exitKind" IS NULL AND NOT "tpslPaused" AND quantity > 0
         ) x ORDER BY id, prio
       )
       ${CLAIM_SQL('hit', '$4', '$2', '$3')}`,
      p.listingId,
      yb,
      nb,
      this.deps.clock(),
    );
    for (const row of claimed) this.deps.background.run(`${row.exitKind} ${row.id}`, () => this.drive(row, p.bids[row.side as Outcome]));
    return claimed.map((r) => r.id);
  }

  /** The same compare-and-set claim for given positions (tests, the benchmark's naive evaluator). */
  async claim(candidates: { id: string; kind: ExitKind }[], p: TpslPrices): Promise<PositionRow[]> {
    return this.deps.prisma.$queryRawUnsafe<PositionRow[]>(
      `WITH hit AS (SELECT unnest($1::uuid[]) AS id, unnest($2::text[]) AS kind) ${CLAIM_SQL('hit', '$3', '$4', '$5')}`,
      candidates.map((c) => c.id),
      candidates.map((c) => c.kind),
      this.deps.clock(),
      q(p.bids.yes),
      q(p.bids.no),
    );
  }

  /**
   * Runs (or resumes) a claimed exit: sells, retries a remainder, then clears the levels and reports.
   * Resumable from the recorded attempt, never placing an attempt's order twice.
   */
  async drive(start: PositionRow, bid: Decimal | null = null): Promise<'done' | 'pending'> {
    const claimedAt = start.exitClaimedAt!;
    const kind = start.exitKind as ExitKind;
    // One message per exit, written with the outcome ("hit … sold …"); a separate "fired" message
    // only when the exit takes longer than 250 ms (retries, a slow venue) or is left to recovery.
    const fired = this.firedEntry(start, bid);
    const writeFired = () => this.deps.prisma.$transaction((tx) => writeOutbox(tx, this.deps.jobs, [fired]));
    const notice = delayedNotice(NOTICE_DELAY_MS, writeFired, this.deps.log);
    try {
      const result = await this.run(start, kind, claimedAt, notice, this.hitPhrase(start, bid));
      if (result === 'pending' && !(await notice.settle())) await writeFired();
      return result;
    } finally {
      await notice.settle();
    }
  }

  private async run(start: PositionRow, kind: ExitKind, claimedAt: Date, notice: { settle(): Promise<boolean> }, hit: string): Promise<'done' | 'pending'> {
    const key = (n: number) => `tpsl:${start.id}:${claimedAt.getTime()}:${n}`;
    let attempt = start.exitAttempts;
    let lastProblem: string | null = null;
    // True right after this call took the attempt itself (its order cannot exist yet: skip the look-up).
    let fresh = false;
    for (;;) {
      if (attempt > 0) {
        let order: OrderView | null = fresh ? null : await this.findOrder(start, key(attempt));
        if (!order) {
          const r = await this.sellOnce(start, kind, key(attempt));
          if (r.kind === 'unknown') return 'pending';
          if (r.kind === 'nothing') {
            lastProblem = r.reason;
            break;
          }
          if (r.kind === 'error') lastProblem = r.reason;
          else order = r.order;
        }
        if (order && !isTerminal(order.status)) return 'pending'; // order sync settles it; recovery resumes
        if (order && order.filledQuantity.isZero()) lastProblem = order.failureReason ?? 'nothing was sold';
        if (order && order.filledQuantity.gt(0)) lastProblem = null;
      }
      if (attempt >= MAX_EXIT_ATTEMPTS) break;
      const left = await this.deps.prisma.position.findUnique({ where: { id: start.id } });
      if (!left || left.exitKind !== kind || left.exitClaimedAt?.getTime() !== claimedAt.getTime()) return 'done';
      const listed = this.deps.directory.listing(start.listingId);
      if (dec(left.quantity).lte(0) || (attempt > 0 && listed && dec(left.quantity).lt(listed.listing.minSize))) break;
      if (attempt > 0 && lastProblem && (this.deps.retryDelayMs ?? 500) > 0) {
        await new Promise((r) => setTimeout(r, (this.deps.retryDelayMs ?? 500) * attempt));
      }
      // Take the next attempt (compare-and-set: a recovering process and this one never both do).
      const next = await this.deps.prisma.position.updateMany({
        where: { id: start.id, exitKind: kind, exitClaimedAt: claimedAt, exitAttempts: attempt },
        data: { exitAttempts: attempt + 1, updatedAt: this.deps.clock() },
      });
      if (next.count !== 1) return 'done';
      attempt++;
      fresh = true;
    }
    const told = await notice.settle();
    await this.finish(start, kind, claimedAt, lastProblem, told ? null : hit);
    return 'done';
  }

  /** One sell of what is sellable now, at no worse than the current bid × (1 − slippage). */
  private async sellOnce(p: PositionRow, kind: ExitKind, idempotencyKey: string): Promise<SellResult> {
    const hit = this.deps.directory.listing(p.listingId);
    const adapter = hit ? this.deps.adapters.get(hit.listing.venue) : undefined;
    if (!hit || !adapter) return { kind: 'nothing', reason: `${p.exchange} does not list this market any more` };
    const { listing } = hit;
    const side = p.side as Outcome;
    const row = await this.deps.prisma.position.findUnique({ where: { id: p.id } });
    let held: Decimal;
    try {
      const venuePositions = await adapter.getPositions({ account: { userId: p.userId } });
      held = venuePositions.find((v) => v.venueMarketId === listing.venueMarketId && v.outcome === side)?.quantity ?? ZERO;
    } catch (err) {
      this.deps.log?.warn({ err, positionId: p.id }, 'tpsl: venue positions unavailable; selling the recorded quantity');
      held = row ? dec(row.quantity) : ZERO;
    }
    const quantity = roundToStep(minDec(row ? dec(row.quantity) : ZERO, held), adapter.capabilities.quantityStep, 'down');
    if (quantity.lte(0) || quantity.lt(listing.minSize)) {
      return {
        kind: 'nothing',
        reason: `${sharesText(quantity)} ${side.toUpperCase()} shares can be sold, below ${listing.venue}'s minimum of ${listing.minSize.toFixed()} for this market`,
      };
    }
    let bid: Decimal | null = null;
    try {
      bid = (await adapter.getOrderBook({ listing, outcome: side })).bids[0]?.price ?? null;
    } catch (err) {
      this.deps.log?.warn({ err, positionId: p.id }, 'tpsl: order book unavailable');
    }
    if (!bid) return { kind: 'error', reason: `nobody is bidding for ${side.toUpperCase()} on ${listing.venue} right now` };
    try {
      const order = await this.deps.trading.placeOrder({
        userId: p.userId,
        marketId: p.marketId,
        side,
        action: 'sell',
        type: 'market',
        quantity,
        price: bid.mul(ONE.sub(this.deps.slippage)),
        timeInForce: 'FAK',
        exchange: listing.venue,
        source: kind,
        idempotencyKey,
      });
      return { kind: 'order', order };
    } catch (err) {
      if (err instanceof TradingError) {
        if (err.code === 'idempotency_conflict') {
          const existing = await this.findOrder(p, idempotencyKey);
          if (existing) return { kind: 'order', order: existing };
        }
        return { kind: 'error', reason: err.message };
      }
      this.deps.log?.error({ err, positionId: p.id }, 'tpsl: placing the exit failed unexpectedly; recovery will retry');
      return { kind: 'unknown' };
    }
  }

  private async findOrder(p: PositionRow, key: string): Promise<OrderView | null> {
    const o = await this.deps.store.findByIdempotencyKey(p.userId, key);
    return o ? orderView(o, this.titleOf(p.marketId)) : null;
  }

  /** Clears the levels and the claim (compare-and-set on the claim) and tells the owner what was sold. */
  /** `untoldHit`: what triggered the exit, when no separate "fired" message was sent (this one says it). */
  private async finish(p: PositionRow, kind: ExitKind, claimedAt: Date, problem: string | null, untoldHit: string | null): Promise<void> {
    const prefix = `tpsl:${p.id}:${claimedAt.getTime()}:`;
    const orders = await this.deps.prisma.order.findMany({ where: { userId: p.userId, idempotencyKey: { startsWith: prefix } } });
    let sold = ZERO;
    let proceeds = ZERO;
    for (const o of orders) {
      const filled = dec(o.filledQuantity);
      if (filled.isZero() || !o.avgFillPrice) continue;
      sold = sold.add(filled);
      proceeds = proceeds.add(filled.mul(dec(o.avgFillPrice))).sub(dec(o.fee));
    }
    const now = this.deps.clock();
    await this.deps.prisma.$transaction(async (tx) => {
      const cleared = await tx.position.updateManyAndReturn({
        where: { id: p.id, exitKind: kind, exitClaimedAt: claimedAt },
        data: { takeProfitPrice: null, stopLossPrice: null, exitKind: null, exitClaimedAt: null, updatedAt: now },
      });
      if (cleared.length !== 1) return;
      const left = dec(cleared[0]!.quantity);
      const side = p.side.toUpperCase();
      const title = this.titleOf(p.marketId);
      let entry: OutboxEntry;
      if (sold.gt(0)) {
        const avg = proceeds.add(orders.reduce((s, o) => s.add(dec(o.fee)), ZERO)).div(sold);
        const rest = left.gt(0) ? ` ${sharesText(left)} ${side} shares are left${problem ? ` (${problem})` : ''}.` : '';
        entry = automationEntry({
          userId: p.userId,
          event: 'tpsl_done',
          dedupeKey: `${prefix}done`,
          positionId: p.id,
          text: `${untoldHit ? `${kindName(kind)} hit on "${title}" (${untoldHit})` : `${kindName(kind)} on "${title}" done`}: sold ${sharesText(sold)} ${side} @ ${cents(avg.toDecimalPlaces(6))} on average for ${usd(proceeds)} in ${orders.length} order${orders.length === 1 ? '' : 's'}.${rest} Your TP/SL levels on it are cleared.`,
        });
      } else {
        entry = automationEntry({
          userId: p.userId,
          event: 'tpsl_failed',
          dedupeKey: `${prefix}failed`,
          positionId: p.id,
          text: `${untoldHit ? `${kindName(kind)} hit on "${title}" (${untoldHit}) but` : `${kindName(kind)} on "${title}"`} could not sell: ${problem ?? 'nothing was sold'}. Your ${sharesText(left)} ${side} shares are still held and the TP/SL levels are cleared; set them again with /tp or /sl.`,
        });
      }
      await writeOutbox(tx, this.deps.jobs, [entry]);
    });
  }

  /** Re-drives exits nobody advanced for `olderThanMs` (default 15 s): taken over by compare-and-set on updatedAt. */
  async recoverStuck(olderThanMs = 15_000, limit = 50): Promise<number> {
    const now = this.deps.clock();
    const cutoff = new Date(now.getTime() - olderThanMs);
    const rows = await this.deps.prisma.$queryRawUnsafe<PositionRow[]>(
      `UPDATE "Position" SET "updatedAt" = $1
       WHERE id IN (SELECT id FROM "Position" WHERE "exitKind" IS NOT NULL AND "updatedAt" < $2 ORDER BY "updatedAt" LIMIT $3 FOR UPDATE SKIP LOCKED)
         AND "exitKind" IS NOT NULL AND "updatedAt" < $2
       RETURNING ${COLUMNS}`,
      now,
      cutoff,
      limit,
    );
    for (const row of rows) {
      this.deps.log?.warn({ positionId: row.id, kind: row.exitKind, attempt: row.exitAttempts }, 'tpsl: recovering an exit that was not finished');
      await this.drive(row).catch((err) => this.deps.log?.error({ err, positionId: row.id }, 'tpsl recovery failed; will retry'));
    }
    return rows.length;
  }

  /** Positions with levels on markets that are no longer open: levels cleared, owners told. */
  async disarmClosedMarkets(limit = 500): Promise<number> {
    const now = this.deps.clock();
    return this.deps.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<PositionRow[]>(
        `UPDATE "Position" SET "takeProfitPrice" = NULL, "stopLossPrice" = NULL, "updatedAt" = $1
         WHERE id IN (SELECT p.id FROM "Position" p JOIN "Market" m ON m.id = p."marketId"
                      WHERE ("takeProfitPrice" IS NOT NULL OR "stopLossPrice" IS NOT NULL) AND p."exitKind" IS NULL AND m.status <> 'open'
                      LIMIT $2 FOR UPDATE OF p SKIP LOCKED)
           AND "exitKind" IS NULL
         RETURNING ${COLUMNS}`,
        now,
        limit,
      );
      await writeOutbox(
        tx,
        this.deps.jobs,
        rows.map((row) =>
          automationEntry({
            userId: row.userId,
            event: 'tpsl_failed',
            dedupeKey: `tpsl:${row.id}:closed:${now.getTime()}`,
            positionId: row.id,
            text: `Your TP/SL on "${this.titleOf(row.marketId)}" (${row.side.toUpperCase()}) is disarmed: the market is no longer open.`,
          }),
        ),
      );
      return rows.length;
    });
  }

  private firedEntry(row: PositionRow, bid: Decimal | null): OutboxEntry {
    const kind = row.exitKind as ExitKind;
    const side = row.side.toUpperCase();
    const tick = this.deps.directory.listing(row.listingId)?.listing.tickSize;
    const worst = bid ? bid.mul(ONE.sub(this.deps.slippage)) : null;
    const shown = worst && tick ? roundToStep(worst, tick, 'up') : worst;
    return automationEntry({
      userId: row.userId,
      event: 'tpsl_fired',
      dedupeKey: `tpsl:${row.id}:${row.exitClaimedAt!.getTime()}:fired`,
      positionId: row.id,
      text: `${kindName(kind)} hit on "${this.titleOf(row.marketId)}": ${this.hitPhrase(row, bid)}. Selling your ${sharesText(dec(row.quantity as string))} ${side} shares at no worse than ${shown ? cents(shown) : 'the slippage limit'}.`,
    });
  }

  /** "YES bid 61¢ ≥ your 60¢" (a recovered exit may find the level already cleared: then in words). */
  private hitPhrase(row: PositionRow, bid: Decimal | null): string {
    const kind = row.exitKind as ExitKind;
    const raw = kind === 'take-profit' ? row.takeProfitPrice : row.stopLossPrice;
    const level = raw === null || raw === undefined ? null : dec(raw as string);
    if (!level) return `your ${kind} level was reached`;
    return `${row.side.toUpperCase()} bid ${bid ? `${cents(bid)} ` : ''}${kind === 'take-profit' ? '≥' : '≤'} your ${cents(level)}`;
  }

  private titleOf(marketId: string): string {
    return this.deps.directory.get(marketId)?.title ?? marketId;
  }
}
