/** Prisma rows → the service's views (Decimal fields, typed enums). */
import type { Fill, Order, Position } from '../../generated/prisma/client.ts';
import { ZERO, dec, decOrNull, type Decimal } from '../money.ts';
import type { Outcome, TimeInForce, Venue } from '../exchanges/types.ts';
import type { FillView, OrderSource, OrderStatus, OrderView, PositionView } from './types.ts';

export function orderView(o: Order & { fills?: Fill[] }, marketTitle: string): OrderView {
  return {
    id: o.id,
    userId: o.userId,
    marketId: o.marketId,
    marketTitle,
    listingId: o.listingId,
    side: o.side as Outcome,
    type: o.type as OrderView['type'],
    action: o.action as OrderView['action'],
    price: dec(o.price),
    quantity: dec(o.quantity),
    amount: decOrNull(o.amount),
    filledQuantity: dec(o.filledQuantity),
    avgFillPrice: decOrNull(o.avgFillPrice),
    fee: dec(o.fee),
    exchange: o.exchange as Venue,
    source: o.source as OrderSource,
    timeInForce: o.timeInForce as TimeInForce,
    status: o.status as OrderStatus,
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    failureReason: o.failureReason,
    copyTradeSubId: o.copyTradeSubId,
    lateFillQuantity: dec(o.lateFillQuantity),
    routing: o.routing,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    fills: o.fills?.map(fillView),
  };
}

export function fillView(f: Fill): FillView {
  return {
    id: f.id,
    venueTradeId: f.venueTradeId,
    price: dec(f.price),
    quantity: dec(f.quantity),
    fee: dec(f.fee),
    late: f.late,
    filledAt: f.filledAt,
  };
}

/** A position marked at `currentPrice` (the best bid: what selling now would fetch per share). */
export function positionView(p: Position, marketTitle: string, currentPrice: Decimal | null): PositionView {
  const quantity = dec(p.quantity);
  const costBasis = dec(p.costBasis);
  const marketValue = currentPrice ? currentPrice.mul(quantity) : null;
  return {
    id: p.id,
    marketId: p.marketId,
    marketTitle,
    listingId: p.listingId,
    exchange: p.exchange as Venue,
    side: p.side as Outcome,
    quantity,
    avgPrice: dec(p.avgPrice),
    costBasis,
    currentPrice,
    marketValue,
    unrealizedPnl: marketValue ? marketValue.sub(costBasis) : null,
    realizedPnl: dec(p.realizedPnl ?? ZERO),
    takeProfitPrice: decOrNull(p.takeProfitPrice),
    stopLossPrice: decOrNull(p.stopLossPrice),
  };
}
