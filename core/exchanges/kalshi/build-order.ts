/**
 * From a yesno PlaceOrderRequest to Kalshi's `POST /portfolio/events/orders` body, enforcing the
 * venue's rules before anything is sent: market open, price on the market's grid (a limit price off
 * the grid is refused; a market order's worst-price guard is moved onto the grid in the stricter
 * direction), contract count on the market's step (whole contracts unless fractional trading),
 * count as a 2-dp string, price as a 4-dp YES-book price. A market buy by dollar amount is sized
 * from the live asks so it costs ≤ the amount at that book, and carries `buy_max_cost` (dollars,
 * rounded down to the cent) so the venue caps it if the book moves before it lands.
 */
import { Decimal } from '../../money.ts';
import type { BookLevel, PlaceOrderRequest } from '../types.ts';
import type { KalshiCreateOrderBody } from './client.ts';
import { kalshiError } from './errors.ts';
import { contractsForAmount, kalshiTimeInForce, venueClientId, yesBookOrder } from './orders.ts';
import type { KalshiMarket } from './public-api.ts';
import { isOnGrid, roundToGrid, tickAt } from './ticks.ts';

export async function buildKalshiOrder(args: {
  req: PlaceOrderRequest;
  market: KalshiMarket;
  nowMs: number;
  /** The outcome's asks, best first (read only for a buy by amount). */
  asks: () => Promise<BookLevel[]>;
}): Promise<KalshiCreateOrderBody> {
  const { req, market } = args;
  const ticker = market.ticker;
  if (!market.tradable) throw kalshiError({ key: 'market_closed', mutating: false, venueMessage: `${ticker} is ${market.status}` });
  const isBuy = req.action === 'buy';
  let price = req.price;
  if (!isOnGrid(price, market.priceRanges)) {
    if (req.type === 'limit')
      throw kalshiError({ key: 'invalid_price', mutating: false, venueMessage: `${price.toFixed()} is not a valid price on ${ticker}` });
    const lowest = tickAt(new Decimal(0), market.priceRanges);
    const highest = new Decimal(1).sub(tickAt(new Decimal(1), market.priceRanges));
    if (price.lt(lowest)) price = lowest;
    else if (price.gt(highest)) price = highest;
    else price = roundToGrid(price, market.priceRanges, isBuy ? 'down' : 'up'); // the guard only gets stricter
  }
  const tif = kalshiTimeInForce({ type: req.type, timeInForce: req.timeInForce, expiresAt: req.expiresAt, nowMs: args.nowMs });
  const step = market.quantityStep;
  let count: Decimal;
  let buyMaxCost: string | undefined;
  if (req.amount !== undefined && req.quantity === undefined) {
    if (!isBuy || req.type !== 'market')
      throw kalshiError({ key: 'invalid_order', mutating: false, venueMessage: 'only a market buy can be sized by a dollar amount' });
    const amount = req.amount.toDecimalPlaces(2, Decimal.ROUND_DOWN);
    count = contractsForAmount({ asks: await args.asks(), amount, limit: price, step });
    if (count.lte(0))
      throw kalshiError({
        key: 'invalid_count',
        mutating: false,
        venueMessage: `$${amount.toFixed(2)} buys no ${step.eq(1) ? 'whole ' : ''}contract at ${price.toFixed()} or better on ${ticker} right now`,
      });
    buyMaxCost = amount.toFixed(2);
  } else {
    count = req.quantity ?? new Decimal(0);
    if (count.lte(0) || !count.mod(step).isZero())
      throw kalshiError({
        key: 'invalid_count',
        mutating: false,
        venueMessage: step.eq(1) ? `${count.toFixed()} is not a whole number of contracts` : `${count.toFixed()} is not a multiple of ${step.toFixed()} contracts`,
      });
  }
  const book = yesBookOrder({ outcome: req.outcome, action: req.action, price });
  return {
    ticker,
    client_order_id: venueClientId(req.clientOrderId, req.outcome),
    side: book.side,
    count: count.toFixed(2),
    price: book.price.toFixed(4),
    ...tif,
    self_trade_prevention_type: 'taker_at_cross',
    ...(buyMaxCost ? { buy_max_cost: buyMaxCost } : {}),
    post_only: false,
    reduce_only: false,
  };
}
