/** Turning what people type into service objects: market references and short order ids. */
import { TradingError, type MarketSummary, type MarketsApi, type OrderView, type TradingApi } from '../../core/trading/types.ts';
import { venueName, type MarketRef } from './values.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resolves a market reference: each candidate term in turn (a link yields several). Typed words
 * surface the service's own not-found / ambiguous errors; a link that matches nothing says so.
 */
export async function resolveMarket(markets: MarketsApi, ref: MarketRef): Promise<MarketSummary> {
  let firstError: unknown;
  for (const term of ref.candidates) {
    try {
      return await markets.resolve(term);
    } catch (err) {
      if (!(err instanceof TradingError) || (err.code !== 'market_not_found' && err.code !== 'market_ambiguous')) throw err;
      if (!ref.link) throw err;
      firstError ??= err;
    }
  }
  if (ref.link) {
    throw new TradingError(
      'market_not_found',
      `I couldn't find the market of that ${venueName(ref.link.venue)} link (looked for ${ref.candidates.map((c) => JSON.stringify(c)).join(', ')}).`,
    );
  }
  throw firstError ?? new TradingError('market_not_found', `No market matches ${JSON.stringify(ref.text)}.`);
}

/** Full order id from a full id or a unique prefix of at least 6 characters (dashes ignored). */
export async function resolveOrderId(trading: TradingApi, userId: string, idOrPrefix: string): Promise<string> {
  if (UUID_RE.test(idOrPrefix)) return idOrPrefix.toLowerCase();
  const prefix = idOrPrefix.replace(/-/g, '').toLowerCase();
  const orders = await trading.listOrders({ userId, limit: 500 });
  const hits = orders.filter((o) => o.id.replace(/-/g, '').toLowerCase().startsWith(prefix));
  if (hits.length === 1) return hits[0]!.id;
  if (hits.length === 0) throw new TradingError('order_not_found', `You have no order whose id starts with ${JSON.stringify(idOrPrefix)}.`);
  throw new TradingError(
    'invalid_input',
    `${JSON.stringify(idOrPrefix)} matches ${hits.length} of your orders (${hits.slice(0, 3).map((o: OrderView) => o.id.slice(0, 12)).join(', ')}…); give more characters of the id.`,
  );
}
