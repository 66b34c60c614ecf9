/**
 * FollowExecutor: turns one FollowExecution (one target trade × one follow) into at most one order.
 *
 * - Claim: the compare-and-set scheduled → executing (a delayed execution's pg-boss job, the
 *   recovery sweep): exactly one wins. Immediate executions are inserted already executing by the
 *   poller that found the trade, and driven by it.
 * - Re-check at execution time (after any delay): the follow is still enabled, not stopped, not
 *   paused by the stop-loss; the trade's token is in our catalog (MarketListing yes/no token); the
 *   market is open and in the follow's categories.
 * - Size (sizing.ts): re-quoted now through the SmartRouter; capped by maxTradeSize and the user's
 *   per-order limit; below the venue minimum → skipped with the reason.
 * - Place: TradingService.placeOrder (the SmartRouter may pick Kalshi for a cross-listed market) with
 *   source counter-trade / copy-trade, counterTradeId / copyTradeSubId, and the idempotency key
 *   `follow:<execution id>`: a retry (recovery after a crash) returns the same order, never a second.
 * - Finish: compare-and-set executing → placed | skipped | failed, the daily trade count, and ONE
 *   outbox message (the target's trade and our order, or why nothing was placed), in one transaction.
 */
import type { Db } from '../db/client.ts';
import { Decimal, ZERO, dec, maxDec, minDec, usd } from '../money.ts';
import type { AdapterRegistry, Outcome } from '../exchanges/types.ts';
import type { DirectoryMarket, MarketDirectory } from '../markets/directory.ts';
import { writeOutbox } from '../notifications/outbox.ts';
import type { JobPort } from '../notifications/types.ts';
import { TradingError, type OrderView, type TradingApi, type TradingErrorCode } from '../trading/types.ts';
import type { AutomationLog } from '../automation/background.ts';
import { tradeEntry, type TargetTradeText } from './messages.ts';
import { TABLES, TX, delegateOf, stateOf } from './rows.ts';
import { capBuy, followDirection, scaledShares, worstBuyPrice } from './sizing.ts';
import { TokenIndex } from './tokens.ts';
import type { FollowKind } from './types.ts';

export interface ExecutionRow {
  id: string;
  kind: string;
  configId: string;
  userId: string;
  walletTradeId: string;
  status: string;
}

export interface FollowExecutorDeps {
  prisma: Db;
  jobs: JobPort;
  trading: Pick<TradingApi, 'placeOrder' | 'quote'>;
  directory: MarketDirectory;
  adapters: AdapterRegistry;
  settings: { maxOrderUsd: Decimal; defaultSlippage: Decimal };
  clock: () => Date;
  log?: AutomationLog;
  /** Called after an order was placed (the stop-loss check). */
  onPlaced?: (kind: FollowKind, configId: string) => void;
}

/** Refusals that are about this trade (size, market, liquidity): skipped. Anything else: failed. */
const SKIP_CODES: readonly TradingErrorCode[] = ['below_minimum', 'max_order_size', 'insufficient_liquidity', 'market_closed', 'no_position', 'insufficient_position', 'venue_not_listed', 'market_not_found', 'invalid_input'];

type Outcome3 = { status: 'placed'; order: OrderView } | { status: 'skipped' | 'failed'; reason: string; order?: OrderView };

export class FollowExecutor {
  private readonly tokens: TokenIndex;

  constructor(private readonly deps: FollowExecutorDeps) {
    this.tokens = new TokenIndex(deps.directory);
  }

  /** Claims and executes one execution. 'pending' = left for recovery (an unexpected error). */
  async execute(executionId: string): Promise<'done' | 'not-claimed' | 'pending'> {
    const now = this.deps.clock();
    const claimed = await this.deps.prisma.$queryRaw<ExecutionRow[]>`
      UPDATE "FollowExecution" SET status = 'executing', "updatedAt" = ${now}
      WHERE id = ${executionId}::uuid AND status = 'scheduled'
      RETURNING id, kind, "configId", "userId", "walletTradeId", status`;
    const row = claimed[0];
    if (!row) return 'not-claimed';
    return this.drive(row);
  }

  /** Executes a claimed row (also the recovery path: same idempotency key, so never a second order). */
  async drive(row: ExecutionRow): Promise<'done' | 'pending'> {
    const kind = row.kind as FollowKind;
    const trade = await this.deps.prisma.walletTrade.findUnique({ where: { id: row.walletTradeId } });
    if (!trade) return this.finish(row, { status: 'failed', reason: 'the target trade is gone from the database' }, null);
    const target: TargetTradeText = { wallet: trade.walletAddress, side: trade.side, size: dec(trade.size), price: dec(trade.price), outcome: trade.outcome, title: trade.title };
    let result: Outcome3;
    try {
      result = await this.run(kind, row, trade.asset, trade.side as 'BUY' | 'SELL', dec(trade.size));
    } catch (err) {
      if (err instanceof TradingError) {
        result = { status: SKIP_CODES.includes(err.code) ? 'skipped' : 'failed', reason: err.message };
      } else {
        this.deps.log?.error({ err, executionId: row.id }, 'follow: executing a trade failed unexpectedly; recovery will retry');
        return 'pending';
      }
    }
    return this.finish(row, result, target);
  }

  private async run(kind: FollowKind, row: ExecutionRow, asset: string, targetSide: 'BUY' | 'SELL', targetSize: Decimal): Promise<Outcome3> {
    const now = this.deps.clock();
    const config = await delegateOf(this.deps.prisma, kind).findFirst({ where: { id: row.configId } });
    if (!config) return { status: 'skipped', reason: 'the follow no longer exists' };
    const state = stateOf(config, now);
    if (state === 'stopped') return { status: 'skipped', reason: 'you stopped this follow before the trade went out' };
    if (state === 'paused') return { status: 'skipped', reason: 'you paused this follow' };
    if (state === 'stopped-loss') return { status: 'skipped', reason: 'paused by the daily stop-loss until the daily reset' };

    const hit = this.tokens.find(asset);
    if (!hit) return { status: 'skipped', reason: 'that market is not in the yesno catalog (its token is not listed here)' };
    const { market, outcome } = hit;
    if (market.status !== 'open') return { status: 'skipped', reason: `"${market.title}" is ${market.status}` };
    if (config.categories.length > 0 && !config.categories.includes(market.category.toLowerCase())) {
      return { status: 'skipped', reason: `"${market.title}" is in ${market.category}, not in this follow's categories (${config.categories.join(', ')})` };
    }
    const { side, action } = followDirection(kind, targetSide, outcome);
    const step = this.stepOf(market);
    let shares = scaledShares(targetSize, dec(config.sizeMultiplier), step);
    const minSize = market.listings.map((l) => l.minSize).reduce((a, b) => minDec(a, b));
    const base = { userId: row.userId, marketId: market.id, side, action, type: 'market' as const };
    const link = kind === 'counter' ? { source: 'counter-trade' as const, counterTradeId: config.id } : { source: 'copy-trade' as const, copyTradeSubId: config.id };

    if (action === 'sell') {
      const held = await this.heldByFollow(kind, config.id, row.userId, market, side);
      if (held.lte(0)) return { status: 'skipped', reason: `this ${kind}-trade holds no ${side.toUpperCase()} shares of "${market.title}" to exit` };
      shares = minDec(shares, held);
    } else {
      if (shares.lt(minSize)) return { status: 'skipped', reason: `${fmtShares(targetSize)} × ${dec(config.sizeMultiplier).toFixed()} = ${fmtShares(shares)} shares is below the venue minimum of ${minSize.toFixed()} shares` };
      // Re-quote now (after any delay) to know the worst price, and cap the buy's cost.
      const route = await this.deps.trading.quote({ ...base, quantity: shares });
      const worst = route.chosen.worstPrice ?? route.chosen.avgPrice;
      if (!worst) return { status: 'skipped', reason: `there is nothing to buy on ${route.venue} right now (empty book)` };
      const userCap = await this.userCap(row.userId);
      const maxTrade = config.maxTradeSize ? dec(config.maxTradeSize) : null;
      const cap = maxTrade ? minDec(maxTrade, userCap) : userCap;
      const capped = capBuy({ shares, priceEstimate: worstBuyPrice(worst, this.deps.settings.defaultSlippage), capUsd: cap, step });
      if (capped.shares.lt(minSize)) {
        const why = maxTrade && maxTrade.lte(userCap) ? `your max of ${usd(maxTrade)} per trade` : `your per-order limit of ${usd(userCap)}`;
        return { status: 'skipped', reason: `${why} buys only ${fmtShares(capped.shares)} shares at up to ${worst.toFixed()}, below the venue minimum of ${minSize.toFixed()} shares` };
      }
      shares = capped.shares;
    }
    if (shares.lt(minSize)) return { status: 'skipped', reason: `${fmtShares(shares)} shares is below the venue minimum of ${minSize.toFixed()} shares` };
    const order = await this.deps.trading.placeOrder({ ...base, quantity: shares, timeInForce: 'FAK', ...link, idempotencyKey: `follow:${row.id}` });
    if (order.status === 'failed' || (order.status === 'cancelled' && order.filledQuantity.isZero())) {
      return { status: 'failed', reason: order.failureReason ?? `the order was ${order.status}`, order };
    }
    return { status: 'placed', order };
  }

  private async finish(row: ExecutionRow, result: Outcome3, target: TargetTradeText | null): Promise<'done'> {
    const kind = row.kind as FollowKind;
    const order = result.order;
    const reason = result.status === 'placed' ? null : result.reason;
    const entry = target
      ? tradeEntry({ kind, configId: row.configId, userId: row.userId, executionId: row.id, target, ...(order ? { order } : {}), ...(reason && !order ? { skipped: reason } : {}) })
      : null;
    const now = this.deps.clock();
    const won = await this.deps.prisma.$transaction(async (tx) => {
      const n = await tx.$executeRaw`
        UPDATE "FollowExecution" SET status = ${result.status}, reason = ${reason}, "orderId" = ${order?.id ?? null}::uuid, "updatedAt" = ${now}
        WHERE id = ${row.id}::uuid AND status = 'executing'`;
      if (n !== 1) return false;
      if (order) {
        await tx.$executeRawUnsafe(`UPDATE ${TABLES[kind].table} SET "dailyTradeCount" = "dailyTradeCount" + 1, "updatedAt" = $2 WHERE id = $1::uuid`, row.configId, now);
      }
      if (entry) await writeOutbox(tx, this.deps.jobs, [entry]);
      return true;
    }, TX);
    if (won && order) this.deps.onPlaced?.(kind, row.configId);
    return 'done';
  }

  /** Shares of `side` this follow bought and has not sold, no more than the user still holds. */
  private async heldByFollow(kind: FollowKind, configId: string, userId: string, market: DirectoryMarket, side: Outcome): Promise<Decimal> {
    const col = TABLES[kind].orderColumn;
    const rows = await this.deps.prisma.$queryRawUnsafe<{ net: unknown }[]>(
      `SELECT COALESCE(SUM(CASE WHEN action = 'buy' THEN "filledQuantity" ELSE -"filledQuantity" END), 0) AS net
       FROM "Order" WHERE "${col}" = $1::uuid AND "marketId" = $2 AND side = $3`,
      configId,
      market.id,
      side,
    );
    const net = dec(String(rows[0]?.net ?? 0));
    const positions = await this.deps.prisma.position.findMany({ where: { userId, marketId: market.id, side, quantity: { gt: 0 } }, select: { quantity: true } });
    // A sell goes to one venue: the largest holding (TradingService sells where the shares are).
    const largest = positions.map((p) => dec(p.quantity)).reduce((a, b) => maxDec(a, b), ZERO);
    return roundDown(minDec(net, largest), this.stepOf(market));
  }

  /** The coarsest share step among the market's venues (Kalshi trades whole contracts). */
  private stepOf(market: DirectoryMarket): Decimal {
    let step = new Decimal('0.01');
    for (const l of market.listings) {
      const s = this.deps.adapters.get(l.venue)?.capabilities.quantityStep;
      if (s && s.gt(step)) step = s;
    }
    return step;
  }

  private async userCap(userId: string): Promise<Decimal> {
    const u = await this.deps.prisma.user.findUnique({ where: { id: userId }, select: { maxOrderUsd: true } });
    return u?.maxOrderUsd ? dec(u.maxOrderUsd) : this.deps.settings.maxOrderUsd;
  }
}

function roundDown(v: Decimal, step: Decimal): Decimal {
  return v.lte(0) ? ZERO : v.div(step).floor().mul(step);
}

function fmtShares(q: Decimal): string {
  return q.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed();
}
