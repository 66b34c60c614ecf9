/**
 * Venue trades → yesno fills. Prices, sizes and fee rates are the venue's; a fill is one leg of one
 * trade that belongs to the account: the taker leg (`owner` = our api key, id = trade id) or a maker
 * leg (a `maker_orders` entry of ours, id = `${trade id}:${maker order id}`). FAILED trades are dropped
 * (see TRADE_STATUS in wire.ts); duplicates (same id on several pages) are removed.
 *
 * Fees: the taker leg pays C × rate × (p(1−p))^exponent with rate = the trade's fee_rate_bps / 10 000
 * and the market's exponent (`fd.e` from /clob-markets); makers pay nothing.
 */
import { polymarketTakerFee } from '../fees.ts';
import { Decimal, ZERO } from '../../money.ts';
import type { VenueFill } from '../types.ts';
import { tradeCounts, type Trade } from './wire.ts';

export interface FillContext {
  /** Our API key (the `owner` the venue stamps on our orders and trades). */
  apiKey: string;
  /** Our maker address (lowercase compare), for trades without owners. */
  makerAddress: string;
  /** Fee exponent of a market (by condition id); 1 when unknown. */
  feeExponent: (conditionId: string) => Decimal | null;
}

/** One of our legs of a trade, with the outcome and token it traded (positions use it). */
export interface TradeLeg extends VenueFill {
  tokenId: string;
  conditionId: string;
  outcome: string | null;
  side: 'BUY' | 'SELL';
}

function matchTime(t: Trade): Date {
  const n = Number(t.match_time);
  return new Date(Number.isFinite(n) ? (n < 1e12 ? n * 1000 : n) : Date.now());
}

/** Our legs of the given trades, counted statuses only, deduplicated. */
export function tradeLegs(trades: Trade[], ctx: FillContext): TradeLeg[] {
  const out = new Map<string, TradeLeg>();
  const maker = ctx.makerAddress.toLowerCase();
  for (const t of trades) {
    if (!tradeCounts(t.status)) continue;
    const takerSide = t.side.toUpperCase() === 'SELL' ? 'SELL' : 'BUY';
    const ours = t.owner ? t.owner === ctx.apiKey : t.trader_side?.toUpperCase() === 'TAKER';
    if (ours) {
      const price = new Decimal(t.price);
      const quantity = new Decimal(t.size);
      const bps = new Decimal(t.fee_rate_bps ?? '0');
      const fee = bps.isZero() ? ZERO : polymarketTakerFee(price, quantity, { rate: bps.div(10_000), exponent: ctx.feeExponent(t.market) ?? 1 });
      out.set(t.id, {
        venueTradeId: t.id, venueOrderId: t.taker_order_id, price, quantity, fee, filledAt: matchTime(t),
        tokenId: t.asset_id, conditionId: t.market, outcome: t.outcome ?? null, side: takerSide,
      });
    }
    for (const m of t.maker_orders ?? []) {
      const mine = m.owner ? m.owner === ctx.apiKey : m.maker_address?.toLowerCase() === maker;
      if (!mine) continue;
      const id = `${t.id}:${m.order_id}`;
      const makerSide = m.side ? (m.side.toUpperCase() === 'SELL' ? 'SELL' : 'BUY') : takerSide === 'BUY' ? 'SELL' : 'BUY';
      out.set(id, {
        venueTradeId: id, venueOrderId: m.order_id, price: new Decimal(m.price), quantity: new Decimal(m.matched_amount), fee: ZERO,
        filledAt: matchTime(t), tokenId: m.asset_id ?? t.asset_id, conditionId: t.market, outcome: m.outcome ?? t.outcome ?? null, side: makerSide,
      });
    }
  }
  return [...out.values()];
}

/** Strips a leg down to the VenueFill the interface returns. */
export function toFill(l: TradeLeg): VenueFill {
  return { venueTradeId: l.venueTradeId, venueOrderId: l.venueOrderId, price: l.price, quantity: l.quantity, fee: l.fee, filledAt: l.filledAt };
}
