/**
 * Views → JSON: every Decimal becomes a string (via fmt, at most 6 places, trailing zeros trimmed),
 * every Date an ISO 8601 string. The shapes match api/schemas.ts.
 */
import type { z } from 'zod';
import { Decimal, fmt, ONE } from '../core/money.ts';
import type { HaltState } from '../core/admin/types.ts';
import type { BalanceView, FillView, MarketSummary, OrderView, PositionView, RouteDecision, VenueQuote } from '../core/trading/types.ts';
import type { UserView } from '../core/users/types.ts';
import type {
  balanceJson,
  fillJson,
  haltJson,
  marketJson,
  orderJson,
  positionJson,
  queueStatsJson,
  routeJson,
  userJson,
  venueQuoteJson,
} from './schemas.ts';

/** A Decimal as a string (never null). */
export function d(value: Decimal): string {
  return fmt(value) as string;
}

/** A nullable Decimal as a string or null. */
export function dn(value: Decimal | null | undefined): string | null {
  return fmt(value ?? null);
}

function iso(value: Date): string {
  return value.toISOString();
}

export function fillToJson(f: FillView): z.input<typeof fillJson> {
  return {
    id: f.id,
    venueTradeId: f.venueTradeId,
    price: d(f.price),
    quantity: d(f.quantity),
    fee: d(f.fee),
    late: f.late,
    filledAt: iso(f.filledAt),
  };
}

export function orderToJson(o: OrderView): z.input<typeof orderJson> {
  return {
    id: o.id,
    userId: o.userId,
    status: o.status,
    side: o.side,
    type: o.type,
    action: o.action,
    price: d(o.price),
    quantity: d(o.quantity),
    amount: dn(o.amount),
    filledQuantity: d(o.filledQuantity),
    avgFillPrice: dn(o.avgFillPrice),
    fee: d(o.fee),
    lateFillQuantity: d(o.lateFillQuantity),
    exchange: o.exchange,
    source: o.source,
    timeInForce: o.timeInForce,
    marketId: o.marketId,
    marketTitle: o.marketTitle,
    listingId: o.listingId,
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    failureReason: o.failureReason,
    copyTradeSubId: o.copyTradeSubId,
    routing: o.routing ?? null,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
    ...(o.fills ? { fills: o.fills.map(fillToJson) } : {}),
  };
}

export function venueQuoteToJson(q: VenueQuote): z.input<typeof venueQuoteJson> {
  return {
    venue: q.venue,
    listingId: q.listingId,
    fillable: q.fillable,
    quantity: d(q.quantity),
    avgPrice: dn(q.avgPrice),
    worstPrice: dn(q.worstPrice),
    notional: d(q.notional),
    fee: d(q.fee),
    total: d(q.total),
    bestBid: dn(q.bestBid),
    bestAsk: dn(q.bestAsk),
  };
}

export function routeToJson(r: RouteDecision): z.input<typeof routeJson> {
  return {
    venue: r.venue,
    listingId: r.listingId,
    reason: r.reason,
    forced: r.forced,
    chosen: venueQuoteToJson(r.chosen),
    quotes: r.quotes.map(venueQuoteToJson),
  };
}

/** YES quotes from the summary; NO quotes are their complements (a NO bid is 1 − YES ask). */
export function marketToJson(m: MarketSummary): z.input<typeof marketJson> {
  return {
    id: m.id,
    slug: m.slug,
    title: m.title,
    category: m.category,
    status: m.status,
    venues: m.venues.map((v) => ({
      venue: v.venue,
      listingId: v.listingId,
      venueMarketId: v.venueMarketId,
      tickSize: d(v.tickSize),
      minSize: d(v.minSize),
      yesBid: dn(v.yesBid),
      yesAsk: dn(v.yesAsk),
      noBid: v.yesAsk ? d(ONE.sub(v.yesAsk)) : null,
      noAsk: v.yesBid ? d(ONE.sub(v.yesBid)) : null,
    })),
  };
}

export function positionToJson(p: PositionView): z.input<typeof positionJson> {
  return {
    id: p.id,
    marketId: p.marketId,
    marketTitle: p.marketTitle,
    listingId: p.listingId,
    exchange: p.exchange,
    side: p.side,
    quantity: d(p.quantity),
    avgPrice: d(p.avgPrice),
    costBasis: d(p.costBasis),
    currentPrice: dn(p.currentPrice),
    marketValue: dn(p.marketValue),
    unrealizedPnl: dn(p.unrealizedPnl),
    realizedPnl: d(p.realizedPnl),
    takeProfitPrice: dn(p.takeProfitPrice),
    stopLossPrice: dn(p.stopLossPrice),
  };
}

export function balanceToJson(b: BalanceView): z.input<typeof balanceJson> {
  return {
    venues: b.venues.map((v) => ({ venue: v.venue, available: d(v.available), mode: v.mode })),
    total: d(b.total),
  };
}

export function userToJson(u: UserView): z.input<typeof userJson> {
  return {
    id: u.id,
    name: u.name,
    maxOrderUsd: dn(u.maxOrderUsd),
    skipConfirmBelowUsd: dn(u.skipConfirmBelowUsd),
    createdAt: iso(u.createdAt),
  };
}

export function haltToJson(h: HaltState): z.input<typeof haltJson> {
  return { halted: h.halted, reason: h.reason, since: h.since ? iso(h.since) : null, by: h.by };
}

export type QueueStatsJson = z.input<typeof queueStatsJson>;
