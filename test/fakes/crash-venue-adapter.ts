/**
 * The ExchangeAdapter of the crash test's HTTP venue (test/fakes/crash-venue.ts), used by the child
 * process (test/helpers/crash-child.ts). Two flavours, like the real venues:
 * - `hash` (Polymarket-like): the venue order id is known before sending (here a random hash, as the
 *   signed order's EIP-712 hash is), handed to `onPrepared` first, and the order is found by it;
 * - `client` (Kalshi-like): the venue assigns the id; a lost answer is found by client order id.
 * Errors map like the real adapters: a dropped connection or timeout after sending is an unknown
 * outcome; a 5xx after sending too; 4xx is a rejection.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  VenueError,
  type ExchangeAdapter,
  type PlaceOrderRequest,
  type Venue,
  type VenueOrder,
} from '../../core/exchanges/types.ts';
import { Decimal } from '../../core/money.ts';
import type { FakeOrder } from './crash-venue.ts';

export class CrashVenueAdapter implements ExchangeAdapter {
  readonly capabilities = {
    marketOrders: true,
    limitOrders: true,
    timeInForce: ['GTC', 'GTD', 'FOK', 'FAK'] as const,
    marketBuyByAmount: false,
    quantityStep: new Decimal(1),
  };

  constructor(
    readonly venue: Venue,
    private readonly baseUrl: string,
    private readonly flavour: 'hash' | 'client',
    private readonly timeoutMs = 3_000,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new VenueError({ kind: 'unknown_outcome', code: 'NETWORK', venue: this.venue, message: 'the connection dropped before the venue answered', cause });
    }
    const json = await res.json().catch(() => null);
    return { status: res.status, json };
  }

  async placeOrder(req: PlaceOrderRequest): Promise<VenueOrder> {
    let venueOrderId: string | undefined;
    if (this.flavour === 'hash') {
      venueOrderId = `0x${createHash('sha256').update(req.clientOrderId).update(randomBytes(16)).digest('hex')}`;
      await req.onPrepared?.({ venueOrderId });
    }
    const { status, json } = await this.call('POST', '/orders', {
      clientOrderId: req.clientOrderId,
      venueOrderId,
      market: req.listing.venueMarketId,
      outcome: req.outcome,
      action: req.action,
      price: req.price.toFixed(),
      quantity: req.quantity!.toFixed(0),
    });
    if (status === 201) return toVenueOrder(json as FakeOrder);
    if (status >= 500) throw new VenueError({ kind: 'unknown_outcome', code: `HTTP_${status}`, venue: this.venue, message: `HTTP ${status}` });
    throw new VenueError({ kind: 'rejected', code: `HTTP_${status}`, venue: this.venue, message: (json as { error?: string } | null)?.error ?? `HTTP ${status}` });
  }

  async cancelOrder(args: { venueOrderId: string }): Promise<VenueOrder> {
    const { status, json } = await this.call('DELETE', `/orders/${encodeURIComponent(args.venueOrderId)}`);
    if (status === 200) return toVenueOrder(json as FakeOrder);
    throw new VenueError({ kind: status >= 500 ? 'retryable' : 'rejected', code: `HTTP_${status}`, venue: this.venue, message: `cancel failed: HTTP ${status}` });
  }

  async getOrder(args: { venueOrderId: string }): Promise<VenueOrder | null> {
    const { status, json } = await this.call('GET', `/orders/${encodeURIComponent(args.venueOrderId)}`);
    if (status === 404) return null;
    if (status !== 200) throw new VenueError({ kind: 'retryable', code: `HTTP_${status}`, venue: this.venue, message: `HTTP ${status}` });
    return toVenueOrder(json as FakeOrder);
  }

  async getOrderByClientId(args: { clientOrderId: string }): Promise<VenueOrder | null> {
    const { status, json } = await this.call('GET', `/orders?client_order_id=${encodeURIComponent(args.clientOrderId)}`);
    if (status !== 200) throw new VenueError({ kind: 'retryable', code: `HTTP_${status}`, venue: this.venue, message: `HTTP ${status}` });
    const first = (json as { orders: FakeOrder[] }).orders[0];
    return first ? toVenueOrder(first) : null;
  }

  async getFills(): Promise<never[]> {
    return [];
  }

  async getOrderBook(args: Parameters<ExchangeAdapter['getOrderBook']>[0]) {
    const d = (s: string) => new Decimal(s);
    return {
      venue: this.venue,
      venueMarketId: args.listing.venueMarketId,
      outcome: args.outcome,
      bids: [{ price: d('0.45'), size: d('1000') }],
      asks: [{ price: d('0.55'), size: d('1000') }],
      timestamp: new Date(),
    };
  }

  async getBalance() {
    return { venue: this.venue, available: new Decimal('1000000'), currency: 'USD' as const };
  }

  async getPositions() {
    return [];
  }

  takerFee(): Decimal {
    return new Decimal(0);
  }

  onOrderEvent(): () => void {
    return () => {};
  }
}

export function toVenueOrder(o: FakeOrder): VenueOrder {
  const fills = o.trades.map((t) => ({
    venueTradeId: t.id,
    venueOrderId: o.id,
    price: new Decimal(t.price),
    quantity: new Decimal(t.quantity),
    fee: new Decimal(t.fee),
    filledAt: new Date(t.at),
  }));
  return {
    venueOrderId: o.id,
    clientOrderId: o.clientOrderId,
    status: o.status,
    quantity: new Decimal(o.quantity),
    filledQuantity: fills.reduce((s, f) => s.add(f.quantity), new Decimal(0)),
    fills,
  };
}
