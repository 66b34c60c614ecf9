/**
 * SniperMonitorScheduler (seed: "Sniper Orders"): price-triggered buys.
 *
 * - Evaluation (per price update of one listing, called by the price sync): one indexed range query
 *   finds the WATCHING, armed, unpaused snipers of that market whose trigger is at or above the ask
 *   (the listing's own ask for snipers bound to its venue, the best ask across the market's listings
 *   for the others); the same statement re-arms repeat snipers whose ask has left the trigger zone
 *   (index "marketId", armed: only the few disarmed ones are looked at).
 * - Fire: the compare-and-set claim WATCHING → EXECUTING (fireCount + 1) is the same statement as the
 *   candidate query: of several monitors (processes) seeing the same tick, exactly one wins. Then a
 *   marketable FAK buy of `amount` USD at no worse than trigger × (1 + slippage) (TradingService
 *   rounds a buy's worst price DOWN to the venue's tick), idempotency key `sniper:<id>:<fireCount>`.
 *   Nothing else is written before the order goes out: the trader gets one message per fire, with
 *   the outcome ("fired (ask 41¢ ≤ your trigger 42¢): bought …"); only a placement slower than 250 ms
 *   (or one left to recovery) gets a separate "fired" message first.
 * - Outcome: any fill → FILLED (a repeat sniper goes back to WATCHING with armed = false instead);
 *   nothing bought (rejected, no liquidity within the limit, failed) → FAILED with the reason. A
 *   repeat sniper fails like a one-shot one when an attempt buys nothing: the usual causes (balance,
 *   size limits, a closed market) persist, and a loop of failing orders helps nobody.
 * - Re-arm rule (repeat snipers): after a fill the sniper stays disarmed while the ask is still at or
 *   below the trigger, and re-arms only when an update shows the ask strictly above the trigger; so a
 *   price sitting in the zone never refires, and leaving then re-entering the zone does.
 * - Recovery: a claim whose order was never placed or never finished (the process died between the
 *   claim and placeOrder, or an unexpected error) is re-driven by a periodic pass: EXECUTING snipers
 *   untouched for 15 s → placeOrder with the SAME idempotency key (which returns the existing order
 *   when there is one, so nothing is ever doubled) → finish as above.
 * - Expiry: WATCHING snipers past expiresAt, or on a market that is no longer open, become EXPIRED
 *   (compare-and-set) and their owners are told.
 */
import type { Db } from '../db/client.ts';
import { Decimal, ONE, cents, dec, minDec, roundToStep, usd } from '../money.ts';
import type { Outcome, Venue } from '../exchanges/types.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import { writeOutbox, type OutboxEntry } from '../notifications/outbox.ts';
import type { JobPort } from '../notifications/types.ts';
import { isTerminal } from '../orders/state-machine.ts';
import { TradingError, type OrderView, type TradingApi } from '../trading/types.ts';
import { delayedNotice, type AutomationLog, type Background } from './background.ts';
import { automationEntry, rearmRule, sharesText, shortId } from './messages.ts';

/** A worst price must stay below $1 (the venue grid then clamps it to 1 − tick). */
const MAX_PRICE = new Decimal('0.999999');

/** The sniper columns the monitor reads (raw SQL rows: numerics arrive as Prisma decimals). */
export interface SniperRow {
  id: string;
  userId: string;
  marketId: string;
  side: string;
  exchange: string | null;
  triggerPrice: unknown;
  amount: unknown;
  slippage: unknown;
  repeat: boolean;
  fireCount: number;
}

/** The asks one price update shows, per outcome: this listing's and the best across the market. */
export interface SniperPrices {
  marketId: string;
  venue: Venue;
  asks: Record<Outcome, { venue: Decimal | null; best: Decimal | null }>;
}

export interface SniperMonitorDeps {
  prisma: Db;
  jobs: JobPort;
  trading: Pick<TradingApi, 'placeOrder'>;
  directory: MarketDirectory;
  background: Background;
  clock: () => Date;
  log?: AutomationLog;
}

const RETURNING = `id, "userId", "marketId", side, exchange, "triggerPrice", amount, slippage, repeat, "fireCount"`;
/** The compare-and-set claim, in one place so both paths claim alike; `now` is the parameter holding the time. */
const claimSet = (now: string) =>
  `UPDATE "SniperOrder" SET status = 'EXECUTING', "claimedAt" = ${now}, "fireCount" = "fireCount" + 1, "failureReason" = NULL, "updatedAt" = ${now}`;
const claimable = (now: string) => `status = 'WATCHING' AND armed AND NOT paused AND ("expiresAt" IS NULL OR "expiresAt" > ${now})`;

/** trigger × (1 + slippage), below $1: the worst price a sniper's buy may pay (before the tick). */
export function sniperWorstPrice(trigger: Decimal, slippage: Decimal): Decimal {
  return minDec(trigger.mul(ONE.add(slippage)), MAX_PRICE);
}

const q = (v: Decimal | null) => (v ? v.toFixed() : null);
const sentence = (t: string) => (/[.!?]$/.test(t.trim()) ? t.trim() : `${t.trim()}.`);

/** A placement slower than this gets its "fired" notice on its own, before the outcome. */
const NOTICE_DELAY_MS = 250;

export class SniperMonitorScheduler {
  /**
   * Called with the market id when a repeat sniper is back to WATCHING (disarmed): the price sync
   * evaluates the market again at once, so an ask that left the zone while the order was being
   * placed re-arms it without waiting for the next update.
   */
  onRewatch: ((marketId: string) => void) | null = null;

  constructor(private readonly deps: SniperMonitorDeps) {}

  /**
   * Evaluates one price update in ONE statement: re-arms repeat snipers whose ask left the zone (a
   * data-modifying CTE), finds the triggered snipers with the indexed range query
   * ("marketId", side, status, "triggerPrice" ≥ ask; one branch per side and venue binding) and claims
   * them with the compare-and-set (WATCHING, armed, not paused, not expired → EXECUTING, fireCount + 1;
   * the outer WHERE is re-checked under the row lock, so of several processes one wins). The claimed
   * snipers fire in the background. Returns the ids this caller claimed.
   */
  async evaluate(p: SniperPrices): Promise<string[]> {
    const { yes, no } = p.asks;
    const now = this.deps.clock();
    const claimed = await this.deps.prisma.$queryRawUnsafe<SniperRow[]>(
      `WITH rearmed AS (
         UPDATE "SniperOrder" SET armed = true, "updatedAt" = $7
         WHERE "marketId" = $1 AND status = 'WATCHING' AND NOT armed AND NOT paused AND (
           (side = 'yes' AND ((exchange = $2 AND "triggerPrice" < $3::numeric) OR (exchange IS NULL AND "triggerPrice" < $4::numeric)))
           OR (side = 'no' AND ((exchange = $2 AND "triggerPrice" < $5::numeric) OR (exchange IS NULL AND "triggerPrice" < $6::numeric))))
         RETURNING id
       ), triggered AS (
         SELECT id FROM "SniperOrder" WHERE "marketId" = $1 AND side = 'yes' AND status = 'WATCHING' AND "triggerPrice" >= $3::numeric AND exchange = $2 AND armed AND NOT paused
         UNION ALL
         SELECT id FROM "SniperOrder" WHERE "marketId" = $1 AND side = 'yes' AND status = 'WATCHING' AND "triggerPrice" >= $4::numeric AND exchange IS NULL AND armed AND NOT paused
         UNION ALL
         SELECT id FROM "SniperOrder" WHERE "marketId" = $1 AND side = 'no' AND status = 'WATCHING' AND "triggerPrice" >= $5::numeric AND exchange = $2 AND armed AND NOT paused
         UNION ALL
         SELECT id FROM "SniperOrder" WHERE "marketId" = $1 AND side = 'no' AND status = 'WATCHING' AND "triggerPrice" >= $6::numeric AND exchange IS NULL AND armed AND NOT paused
       )
       ${claimSet('$7')} WHERE id IN (SELECT id FROM triggered) AND ${claimable('$7')}
       RETURNING ${RETURNING}`,
      p.marketId,
      p.venue,
      q(yes.venue),
      q(yes.best),
      q(no.venue),
      q(no.best),
      now,
    );
    for (const s of claimed) this.deps.background.run(`sniper ${s.id}`, () => this.drive(s, p));
    return claimed.map((s) => s.id);
  }

  /** The same compare-and-set claim for given ids (tests, the benchmark's naive evaluator). */
  async claim(ids: string[]): Promise<SniperRow[]> {
    return this.deps.prisma.$queryRawUnsafe<SniperRow[]>(`${claimSet('$2')} WHERE id = ANY($1::uuid[]) AND ${claimable('$2')} RETURNING ${RETURNING}`, ids, this.deps.clock());
  }

  /**
   * Places (or, with the same idempotency key, finds) the order of a claimed sniper and records the
   * outcome. Safe to call again for the same claim: it never places a second order.
   */
  async drive(s: SniperRow, prices?: SniperPrices): Promise<'done' | 'pending'> {
    const key = `sniper:${s.id}:${s.fireCount}`;
    const trigger = dec(s.triggerPrice as string);
    let order: OrderView | null = null;
    let error: TradingError | null = null;
    // "Fired" is said by the outcome's message; on its own only if the placement is slow (deduplicated).
    const fired = this.firedEntry(s, prices);
    const notice = delayedNotice(NOTICE_DELAY_MS, () => this.writeFired(fired), this.deps.log);
    try {
      order = await this.deps.trading.placeOrder({
        userId: s.userId,
        marketId: s.marketId,
        side: s.side as Outcome,
        action: 'buy',
        type: 'market',
        amount: dec(s.amount as string),
        price: sniperWorstPrice(trigger, dec(s.slippage as string)),
        timeInForce: 'FAK',
        ...(s.exchange ? { exchange: s.exchange as Venue } : {}),
        source: 'sniper',
        sniperId: s.id,
        idempotencyKey: key,
      });
    } catch (err) {
      if (!(err instanceof TradingError)) {
        // Unknown (database trouble, a bug): leave the claim EXECUTING; the recovery pass re-drives
        // it with the same key, which finds the order if it was placed.
        this.deps.log?.error({ err, sniperId: s.id }, 'sniper: placing the order failed unexpectedly; recovery will retry');
        if (!(await notice.settle())) await this.writeFired(fired).catch(() => {});
        return 'pending';
      }
      error = err;
    }
    const told = await notice.settle();
    return this.finish(s, order, error, told ? null : fired, prices);
  }

  private writeFired(fired: OutboxEntry): Promise<void> {
    return this.deps.prisma.$transaction((tx) => writeOutbox(tx, this.deps.jobs, [fired]));
  }

  /**
   * Records the outcome of a fire (compare-and-set on EXECUTING + fireCount) and tells the owner.
   * `untold` is the "fired" message when it was not sent on its own: the outcome's message says it.
   */
  private async finish(s: SniperRow, order: OrderView | null, error: TradingError | null, untold: OutboxEntry | null, prices?: SniperPrices): Promise<'done' | 'pending'> {
    if (order && !isTerminal(order.status)) {
      // Order sync settles the order; recovery finishes the sniper. The trader hears it fired now.
      if (untold) await this.writeFired(untold);
      return 'pending';
    }
    const head = untold
      ? `Sniper ${shortId(s.id)} fired on "${this.titleOf(s.marketId)}" (${this.seen(s, prices)})`
      : `Sniper ${shortId(s.id)} on "${this.titleOf(s.marketId)}"`;
    const trigger = dec(s.triggerPrice as string);
    const amount = dec(s.amount as string);
    const filled = order !== null && order.filledQuantity.gt(0);
    const side = s.side.toUpperCase();
    let status: 'FILLED' | 'WATCHING' | 'FAILED';
    let reason: string | null = null;
    let entry: OutboxEntry;
    if (filled) {
      status = s.repeat ? 'WATCHING' : 'FILLED';
      const spent = order.avgFillPrice ? order.avgFillPrice.mul(order.filledQuantity).add(order.fee) : null;
      const partial = spent && spent.lt(amount.sub('0.01')) ? ` (${usd(spent)} of ${usd(amount)}: that is all the book had at or below ${cents(order.price)})` : spent ? ` for ${usd(spent)}` : '';
      const after = s.repeat ? ` ${rearmRule(s.side, trigger)}` : '';
      entry = automationEntry({
        userId: s.userId,
        event: 'sniper_filled',
        dedupeKey: `sniper:${s.id}:${s.fireCount}:filled`,
        sniperId: s.id,
        orderId: order.id,
        text: `${head}: bought ${sharesText(order.filledQuantity)} ${side} @ ${order.avgFillPrice ? cents(order.avgFillPrice) : '-'} on ${order.exchange}${partial}.${after}`,
      });
    } else {
      status = 'FAILED';
      reason = error?.message ?? order?.failureReason ?? 'nothing was bought';
      entry = automationEntry({
        userId: s.userId,
        event: 'sniper_failed',
        dedupeKey: `sniper:${s.id}:${s.fireCount}:failed`,
        sniperId: s.id,
        ...(order ? { orderId: order.id } : {}),
        text: `${head}${untold ? '' : ` (${side} @ ${cents(trigger)})`} failed: ${sentence(reason)} Nothing was bought.`,
      });
    }
    const now = this.deps.clock();
    const won = await this.deps.prisma.$transaction(async (tx) => {
      const n = await tx.$executeRaw`
        UPDATE "SniperOrder" SET status = ${status}::"SniperStatus", armed = ${status !== 'WATCHING'}, "failureReason" = ${reason}, "updatedAt" = ${now}
        WHERE id = ${s.id}::uuid AND status = 'EXECUTING' AND "fireCount" = ${s.fireCount}`;
      if (n === 1) await writeOutbox(tx, this.deps.jobs, [entry]);
      return n === 1;
    });
    if (won && status === 'WATCHING') this.onRewatch?.(s.marketId);
    return 'done';
  }

  /**
   * Re-drives claims nobody finished: EXECUTING snipers untouched for `olderThanMs` (default 15 s).
   * Each is taken over with a compare-and-set on updatedAt, so two recovering processes never both
   * drive one; the same idempotency key makes a second placement return the first order.
   */
  async recoverStuck(olderThanMs = 15_000, limit = 50): Promise<number> {
    const now = this.deps.clock();
    const cutoff = new Date(now.getTime() - olderThanMs);
    const rows = await this.deps.prisma.$queryRawUnsafe<SniperRow[]>(
      `UPDATE "SniperOrder" SET "updatedAt" = $1
       WHERE id IN (SELECT id FROM "SniperOrder" WHERE status = 'EXECUTING' AND "updatedAt" < $2 ORDER BY "updatedAt" LIMIT $3 FOR UPDATE SKIP LOCKED)
         AND status = 'EXECUTING' AND "updatedAt" < $2
       RETURNING ${RETURNING}`,
      now,
      cutoff,
      limit,
    );
    for (const s of rows) {
      this.deps.log?.warn({ sniperId: s.id, fireCount: s.fireCount }, 'sniper: recovering a claim that was not finished');
      await this.drive(s).catch((err) => this.deps.log?.error({ err, sniperId: s.id }, 'sniper recovery failed; will retry'));
    }
    return rows.length;
  }

  /** WATCHING snipers past expiresAt → EXPIRED, owners told. Returns how many expired. */
  async expire(limit = 500): Promise<number> {
    const now = this.deps.clock();
    return this.deps.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<(SniperRow & { expiresAt: Date })[]>(
        `UPDATE "SniperOrder" SET status = 'EXPIRED', "updatedAt" = $1
         WHERE id IN (SELECT id FROM "SniperOrder" WHERE status = 'WATCHING' AND "expiresAt" <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
           AND status = 'WATCHING'
         RETURNING ${RETURNING}, "expiresAt"`,
        now,
        limit,
      );
      await writeOutbox(
        tx,
        this.deps.jobs,
        rows.map((s) => this.expiredEntry(s, 'reached its expiry without the price reaching the trigger')),
      );
      return rows.length;
    });
  }

  /** WATCHING snipers on markets that are no longer open → EXPIRED ("the market closed"). */
  async expireClosedMarkets(limit = 500): Promise<number> {
    const now = this.deps.clock();
    return this.deps.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<SniperRow[]>(
        `UPDATE "SniperOrder" SET status = 'EXPIRED', "failureReason" = 'the market is no longer open', "updatedAt" = $1
         WHERE id IN (SELECT s.id FROM "SniperOrder" s JOIN "Market" m ON m.id = s."marketId"
                      WHERE s.status = 'WATCHING' AND m.status <> 'open' LIMIT $2 FOR UPDATE OF s SKIP LOCKED)
           AND status = 'WATCHING'
         RETURNING ${RETURNING}`,
        now,
        limit,
      );
      await writeOutbox(
        tx,
        this.deps.jobs,
        rows.map((s) => this.expiredEntry(s, 'stopped because the market is no longer open')),
      );
      return rows.length;
    });
  }

  private firedEntry(s: SniperRow, prices?: SniperPrices): OutboxEntry {
    const trigger = dec(s.triggerPrice as string);
    const worst = this.displayWorst(s, sniperWorstPrice(trigger, dec(s.slippage as string)));
    return automationEntry({
      userId: s.userId,
      event: 'sniper_fired',
      dedupeKey: `sniper:${s.id}:${s.fireCount}:fired`,
      sniperId: s.id,
      text: `Sniper ${shortId(s.id)} fired on "${this.titleOf(s.marketId)}": ${this.seen(s, prices)}. Buying ${usd(dec(s.amount as string))} at no worse than ${cents(worst)}.`,
    });
  }

  /** "YES ask 41¢ ≤ your trigger 42¢" (or, without the prices, "the YES ask reached your trigger 42¢"). */
  private seen(s: SniperRow, prices?: SniperPrices): string {
    const side = s.side as Outcome;
    const trigger = cents(dec(s.triggerPrice as string));
    const ask = prices ? (s.exchange ? prices.asks[side].venue : prices.asks[side].best) : null;
    return ask ? `${side.toUpperCase()} ask ${cents(ask)} ≤ your trigger ${trigger}` : `the ${side.toUpperCase()} ask reached your trigger ${trigger}`;
  }

  private expiredEntry(s: SniperRow, why: string): OutboxEntry {
    const fired = s.fireCount > 0 ? ` after ${s.fireCount} fill${s.fireCount === 1 ? '' : 's'}` : '';
    return automationEntry({
      userId: s.userId,
      event: 'sniper_expired',
      dedupeKey: `sniper:${s.id}:expired`,
      sniperId: s.id,
      text: `Sniper ${shortId(s.id)} on "${this.titleOf(s.marketId)}" (${s.side.toUpperCase()} @ ${cents(dec(s.triggerPrice as string))}) ${why}${fired}. Nothing more will be bought.`,
    });
  }

  /** The worst price on the finest tick among the venues it may go to (never overstates the limit). */
  private displayWorst(s: SniperRow, worst: Decimal): Decimal {
    const listings = this.deps.directory.get(s.marketId)?.listings ?? [];
    const eligible = s.exchange ? listings.filter((l) => l.venue === s.exchange) : listings;
    if (eligible.length === 0) return worst;
    const tick = eligible.map((l) => l.tickSize).reduce((a, b) => (a.lt(b) ? a : b));
    return roundToStep(worst, tick, 'down');
  }

  private titleOf(marketId: string): string {
    return this.deps.directory.get(marketId)?.title ?? marketId;
  }
}
