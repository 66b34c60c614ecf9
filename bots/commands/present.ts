/**
 * Presenters: service views → reply text. Money via usd()/cents(); quantities via shares().
 * Every function is pure so transports and tests can call them directly.
 */
import { Decimal, ONE, ZERO, cents, sum, usd } from '../../core/money.ts';
import type { BalanceView, MarketSummary, OrderView, PositionView, RouteDecision, VenueQuote } from '../../core/trading/types.ts';
import type { TradeCommand } from './commands.ts';
import { clip, describeOrder, pct, priceOrDash, shares, shortId, signedUsd, upper } from './format.ts';

/** /markets: one block per market with each venue's YES bid/ask. */
export function presentMarkets(markets: MarketSummary[], opts: { query?: string; more?: boolean } = {}): string {
  if (markets.length === 0) {
    return opts.query
      ? `No market matches ${JSON.stringify(opts.query)}. Try fewer or other words, or /markets for the full list.`
      : 'No markets are listed right now.';
  }
  const head = opts.query ? `Markets matching ${JSON.stringify(opts.query)}:` : 'Markets:';
  const lines = [head];
  for (const m of markets) {
    const venues = m.venues.map((v) => `${v.venue} YES ${priceOrDash(v.yesBid)}/${priceOrDash(v.yesAsk)}`).join(' · ');
    const closed = m.status === 'open' ? '' : ` (${m.status})`;
    lines.push(`${m.slug} - ${clip(m.title, 60)}${closed} [${m.category}]`, `  ${venues || 'no venue quotes'}`);
  }
  if (opts.more) lines.push(opts.query ? 'More match; add words to narrow it down.' : 'More are listed; search with /markets <words>.');
  lines.push(`Prices are YES bid/ask. Details: /price ${markets[0]!.slug}`);
  return lines.join('\n');
}

/** /price: per venue, YES and NO bid/ask (NO mirrors YES: NO bid = 1 − YES ask, NO ask = 1 − YES bid). */
export function presentPrice(m: MarketSummary): string {
  const lines = [`${m.title} (${m.slug})${m.status === 'open' ? '' : ` - ${m.status}`}`];
  let bestYes: { venue: string; ask: Decimal } | undefined;
  let bestNo: { venue: string; ask: Decimal } | undefined;
  for (const v of m.venues) {
    const noBid = v.yesAsk ? ONE.sub(v.yesAsk) : null;
    const noAsk = v.yesBid ? ONE.sub(v.yesBid) : null;
    lines.push(
      `${v.venue}: YES bid ${priceOrDash(v.yesBid)} / ask ${priceOrDash(v.yesAsk)} · NO bid ${priceOrDash(noBid)} / ask ${priceOrDash(noAsk)}`,
    );
    if (v.yesAsk && (!bestYes || v.yesAsk.lt(bestYes.ask))) bestYes = { venue: v.venue, ask: v.yesAsk };
    if (noAsk && (!bestNo || noAsk.lt(bestNo.ask))) bestNo = { venue: v.venue, ask: noAsk };
  }
  if (m.venues.length === 0) lines.push('No venue lists this market right now.');
  if (m.venues.length > 1 && bestYes && bestNo) {
    lines.push(`Cheapest YES: ${bestYes.venue} at ${cents(bestYes.ask)} · cheapest NO: ${bestNo.venue} at ${cents(bestNo.ask)}`);
  }
  if (m.status === 'open') lines.push(`Buy: /buy ${m.slug} yes $25`);
  return lines.join('\n');
}

/** The confirmation screen of a buy/sell: what, where, expected price, fees, worst price and why. */
export function presentQuote(args: {
  cmd: TradeCommand;
  market: MarketSummary;
  decision: RouteDecision;
  /** Shares of a limit buy sized from a dollar amount. */
  quantity?: Decimal;
  ttlSec: number;
}): string {
  const { cmd, market, decision, ttlSec } = args;
  const q = decision.chosen;
  const side = upper(cmd.side);
  const verb = cmd.name === 'buy' ? 'Buy' : 'Sell';
  const lines: string[] = [];
  const qty = args.quantity ?? (cmd.size.kind === 'shares' ? cmd.size.quantity : null);
  if (cmd.price) {
    const size = qty ?? q.quantity;
    lines.push(`${verb} ${shares(size)} ${side} @ ${cents(cmd.price)} (limit) on ${decision.venue}`);
    lines.push(`  ${market.title}`);
    const bound = size.mul(cmd.price);
    lines.push(cmd.name === 'buy' ? `  costs at most ${usd(bound)} plus fees` : `  receives at least ${usd(bound)} before fees`);
    if (q.quantity.gt(0)) {
      lines.push(`  fills now: ${shares(q.quantity)} shares at avg ${priceOrDash(q.avgPrice)}, fees ${usd(q.fee)}${q.quantity.lt(size) ? '; the rest waits on the book' : ''}`);
    } else {
      lines.push('  nothing fills at that price right now; the order waits on the book until it fills or you /cancel it');
    }
  } else {
    const what = cmd.size.kind === 'usd' ? `${usd(cmd.size.amount)} of ${side}` : `${shares(q.quantity)} ${side}`;
    lines.push(`${verb} ${what} at market on ${decision.venue}`);
    lines.push(`  ${market.title}`);
    lines.push(`  expected: ${shares(q.quantity)} shares at avg ${priceOrDash(q.avgPrice)} (worst price ${priceOrDash(q.worstPrice)})`);
    lines.push(
      cmd.name === 'buy'
        ? `  fees ${usd(q.fee)} · you pay about ${usd(q.total)}`
        : `  fees ${usd(q.fee)} · you receive about ${usd(q.total)}`,
    );
    if (!q.fillable) lines.push(`  note: the book can fill only ${shares(q.quantity)} shares right now; the rest would not execute`);
  }
  lines.push(`  why ${decision.venue}: ${reasonText(decision)}`);
  for (const other of decision.quotes) {
    if (other.venue === decision.venue) continue;
    lines.push(`  ${other.venue}: ${otherQuote(other, cmd.name)}`);
  }
  lines.push(`Confirm within ${ttlSec}s, or cancel.`);
  return lines.join('\n');
}

function reasonText(d: RouteDecision): string {
  const prefix = `${d.venue}: `;
  return d.reason.startsWith(prefix) ? d.reason.slice(prefix.length) : d.reason;
}

function otherQuote(q: VenueQuote, action: 'buy' | 'sell'): string {
  if (q.quantity.isZero()) return `nothing executable now (best ${action === 'buy' ? 'ask' : 'bid'} ${priceOrDash(action === 'buy' ? q.bestAsk : q.bestBid)})`;
  return `${shares(q.quantity)} shares at avg ${priceOrDash(q.avgPrice)}, ${action === 'buy' ? 'pay' : 'receive'} ${usd(q.total)} incl. ${usd(q.fee)} fees`;
}

/** The answer right after an order was placed (or replayed). */
export function presentOrderResult(o: OrderView): string {
  const id = shortId(o.id);
  const side = upper(o.side);
  const avg = priceOrDash(o.avgFillPrice);
  const notional = o.avgFillPrice ? o.avgFillPrice.mul(o.filledQuantity) : ZERO;
  switch (o.status) {
    case 'filled':
      return o.action === 'buy'
        ? `Bought ${shares(o.filledQuantity)} ${side} at avg ${avg} on ${o.exchange} for ${usd(notional.add(o.fee))}${o.fee.gt(0) ? ` incl. ${usd(o.fee)} fees` : ', no fees'}.\n  ${o.marketTitle}\nOrder ${id} filled.`
        : `Sold ${shares(o.filledQuantity)} ${side} at avg ${avg} on ${o.exchange} for ${usd(notional.sub(o.fee))}${o.fee.gt(0) ? ` after ${usd(o.fee)} fees` : ', no fees'}.\n  ${o.marketTitle}\nOrder ${id} filled.`;
    case 'partial':
      return `Order ${id} partly filled on ${o.exchange}: ${shares(o.filledQuantity)} of ${shares(o.quantity)} ${side} at avg ${avg}; the rest is open.\n  ${o.marketTitle}\n/cancel ${id} cancels the rest.`;
    case 'pending':
      return `Order ${id} is open on ${o.exchange}: ${describeOrder(o)}.\n  ${o.marketTitle}\nYou'll get a message when it fills. /cancel ${id} cancels it.`;
    case 'created':
      return `Order ${id} was sent to ${o.exchange}; waiting for its answer. Check with /order ${id}.`;
    case 'cancelled':
      return `Order ${id} was cancelled${o.failureReason ? ` (${o.failureReason})` : ''}: ${describeOrder(o)} on ${o.exchange}${o.filledQuantity.gt(0) ? `; ${shares(o.filledQuantity)} filled at avg ${avg} before that` : '; nothing filled'}.`;
    case 'failed':
      return `Order ${id} failed: ${o.failureReason ?? 'the venue did not accept it'}. Nothing was ${o.action === 'buy' ? 'bought' : 'sold'}.`;
  }
}

/** /order <id>: every field a trader cares about, and the fills. */
export function presentOrderDetail(o: OrderView): string {
  const lines = [
    `Order ${shortId(o.id)} · ${o.status}`,
    `  ${o.marketTitle}`,
    `  ${describeOrder(o)} on ${o.exchange} (${o.type}, ${o.timeInForce}${o.source !== 'manual' ? `, ${o.source}` : ''})`,
    `  filled ${shares(o.filledQuantity)} of ${shares(o.quantity)}${o.avgFillPrice ? ` at avg ${cents(o.avgFillPrice)}` : ''} · fees ${usd(o.fee)}`,
  ];
  if (o.type === 'market') lines.push(`  worst price allowed ${cents(o.price)}`);
  if (o.failureReason) lines.push(`  ${o.status === 'failed' ? 'why' : 'note'}: ${o.failureReason}`);
  if (o.lateFillQuantity.gt(0)) lines.push(`  late fills after cancel: ${shares(o.lateFillQuantity)} shares`);
  lines.push(`  placed ${o.createdAt.toISOString().replace('T', ' ').slice(0, 19)} UTC · id ${o.id}`);
  for (const f of o.fills ?? []) {
    lines.push(`  fill ${shares(f.quantity)} @ ${cents(f.price)} fee ${usd(f.fee)}${f.late ? ' (late)' : ''} at ${f.filledAt.toISOString().slice(11, 19)}`);
  }
  if (o.status === 'pending' || o.status === 'partial') lines.push(`/cancel ${shortId(o.id)} cancels it.`);
  return lines.join('\n');
}

/** /orders: one line per order. */
export function presentOrders(orders: OrderView[], scope: 'open' | 'all'): string {
  if (orders.length === 0) {
    return scope === 'open' ? 'No open orders. /orders all shows your recent orders.' : 'No orders yet. Start with /markets, then /buy.';
  }
  const lines = [scope === 'open' ? `Open orders (${orders.length}):` : `Recent orders (${orders.length}):`];
  for (const o of orders) {
    const filled = o.filledQuantity.gt(0) ? ` · filled ${shares(o.filledQuantity)}${o.avgFillPrice ? ` @ ${cents(o.avgFillPrice)}` : ''}` : '';
    lines.push(`${shortId(o.id)}  ${o.status.padEnd(9)} ${describeOrder(o)} on ${o.exchange}${filled} · ${clip(o.marketTitle, 40)}`);
  }
  lines.push(`Details: /order ${shortId(orders[0]!.id)}`);
  return lines.join('\n');
}

/** /positions: each holding marked at the best bid, with unrealized and realized PnL, then totals. */
export function presentPositions(positions: PositionView[]): string {
  if (positions.length === 0) return 'You hold no positions. Find a market with /markets and /buy it.';
  const lines = ['Your positions (valued at the best bid):'];
  for (const p of positions) {
    lines.push(`${clip(p.marketTitle, 60)} - ${upper(p.side)} on ${p.exchange} · #${shortId(p.id)}`);
    const value = p.marketValue ? `value ${usd(p.marketValue)}` : 'no bid now';
    const pnl = p.unrealizedPnl ? ` · PnL ${signedUsd(p.unrealizedPnl)}${pct(p.unrealizedPnl, p.costBasis) ? ` (${pct(p.unrealizedPnl, p.costBasis)})` : ''}` : '';
    const realized = p.realizedPnl.isZero() ? '' : ` · realized ${signedUsd(p.realizedPnl)}`;
    lines.push(`  ${shares(p.quantity)} shares · avg ${cents(p.avgPrice)} · now ${priceOrDash(p.currentPrice)} · cost ${usd(p.costBasis)} · ${value}${pnl}${realized}`);
    const tpsl = [p.takeProfitPrice ? `take-profit ${cents(p.takeProfitPrice)}` : '', p.stopLossPrice ? `stop-loss ${cents(p.stopLossPrice)}` : ''].filter(Boolean);
    if (tpsl.length) lines.push(`  ${tpsl.join(' · ')}`);
  }
  const cost = sum(positions.map((p) => p.costBasis));
  const value = sum(positions.map((p) => p.marketValue ?? ZERO));
  const unreal = sum(positions.map((p) => p.unrealizedPnl ?? ZERO));
  const realized = sum(positions.map((p) => p.realizedPnl));
  lines.push(`Total: cost ${usd(cost)} · value ${usd(value)} · unrealized ${signedUsd(unreal)}${pct(unreal, cost) ? ` (${pct(unreal, cost)})` : ''} · realized ${signedUsd(realized)}`);
  return lines.join('\n');
}

/** /balance: cash per venue and in total. */
export function presentBalance(b: BalanceView): string {
  const paper = b.venues.length > 0 && b.venues.every((v) => v.mode === 'paper');
  const lines = [`Balance${paper ? ' (paper money)' : ''}:`];
  const width = Math.max(5, ...b.venues.map((v) => v.venue.length));
  for (const v of b.venues) lines.push(`  ${v.venue.padEnd(width)}  ${usd(v.available)}${!paper && v.mode === 'paper' ? ' (paper)' : ''}`);
  lines.push(`  ${'total'.padEnd(width)}  ${usd(b.total)}`);
  return lines.join('\n');
}
