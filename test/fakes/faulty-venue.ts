/**
 * A fault-injecting ExchangeAdapter for tests: it wraps a real venue (usually a PaperExchange) and,
 * when told to, makes the next placeOrder fail the way a real venue's API does:
 *
 *   const venue = new FaultyVenue(paper);
 *   venue.failNextPlace({ kind: 'retryable', message: '503 Service Unavailable' });      // nothing placed
 *   venue.failNextPlace({ kind: 'rejected', message: 'market is closed' });              // nothing placed
 *   venue.failNextPlace({ kind: 'unknown_outcome', placeFirst: true });                 // placed, response lost
 *   venue.failNextPlace({ kind: 'unknown_outcome' });                                   // lost before the venue
 *   venue.emit({ venue: 'polymarket', clientOrderId, order });                          // a venue-pushed event
 *
 * Everything else is passed through to the inner venue. It counts calls, so tests can prove that an
 * order was sent exactly once and looked up after an unknown outcome.
 */
import {
  VenueError,
  type ExchangeAdapter,
  type PlaceOrderRequest,
  type VenueErrorKind,
  type VenueOrder,
  type VenueOrderEvent,
  type VenueOrderListener,
} from '../../core/exchanges/types.ts';

/** One injected placement failure. */
export interface PlaceFault {
  kind: VenueErrorKind;
  /** The venue's message (becomes the VenueError message). */
  message?: string;
  code?: string;
  /** Place the order on the inner venue first, then throw (a response lost after the venue acted). */
  placeFirst?: boolean;
}

export class FaultyVenue implements ExchangeAdapter {
  readonly venue: ExchangeAdapter['venue'];
  readonly capabilities: ExchangeAdapter['capabilities'];
  private readonly faults: PlaceFault[] = [];
  private readonly listeners = new Set<VenueOrderListener>();
  private readonly unsubscribeInner: () => void;

  /** Every placeOrder call that reached this adapter. */
  readonly placeCalls: PlaceOrderRequest[] = [];
  /** Requests that reached the inner venue (placed, or refused by it). */
  readonly innerPlacements: PlaceOrderRequest[] = [];
  /** Client ids looked up with getOrderByClientId, in order. */
  readonly lookups: string[] = [];

  constructor(readonly inner: ExchangeAdapter) {
    this.venue = inner.venue;
    this.capabilities = inner.capabilities;
    this.unsubscribeInner = inner.onOrderEvent((event) => this.emit(event));
  }

  /** Queues a failure for the next placeOrder call (FIFO; one fault per call). */
  failNextPlace(fault: PlaceFault): void {
    this.faults.push(fault);
  }

  /** Pushes a venue order event to the subscribers (as the venue would, e.g. a late fill). */
  emit(event: VenueOrderEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Stops forwarding the inner venue's events. */
  close(): void {
    this.unsubscribeInner();
  }

  async placeOrder(req: PlaceOrderRequest): Promise<VenueOrder> {
    this.placeCalls.push(req);
    const fault = this.faults.shift();
    if (!fault) return this.placeInner(req);
    if (fault.placeFirst) await this.placeInner(req);
    throw new VenueError({
      kind: fault.kind,
      code: fault.code ?? defaultCode[fault.kind],
      venue: this.venue,
      message: fault.message ?? defaultMessage[fault.kind],
    });
  }

  private placeInner(req: PlaceOrderRequest): Promise<VenueOrder> {
    this.innerPlacements.push(req);
    return this.inner.placeOrder(req);
  }

  cancelOrder(args: Parameters<ExchangeAdapter['cancelOrder']>[0]) {
    return this.inner.cancelOrder(args);
  }

  getOrder(args: Parameters<ExchangeAdapter['getOrder']>[0]) {
    return this.inner.getOrder(args);
  }

  getOrderByClientId(args: Parameters<ExchangeAdapter['getOrderByClientId']>[0]) {
    this.lookups.push(args.clientOrderId);
    return this.inner.getOrderByClientId(args);
  }

  getFills(args: Parameters<ExchangeAdapter['getFills']>[0]) {
    return this.inner.getFills(args);
  }

  getOrderBook(args: Parameters<ExchangeAdapter['getOrderBook']>[0]) {
    return this.inner.getOrderBook(args);
  }

  getBalance(args: Parameters<ExchangeAdapter['getBalance']>[0]) {
    return this.inner.getBalance(args);
  }

  getPositions(args: Parameters<ExchangeAdapter['getPositions']>[0]) {
    return this.inner.getPositions(args);
  }

  takerFee(args: Parameters<ExchangeAdapter['takerFee']>[0]) {
    return this.inner.takerFee(args);
  }

  onOrderEvent(listener: VenueOrderListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

const defaultCode: Record<VenueErrorKind, string> = {
  retryable: 'HTTP_503',
  rejected: 'ORDER_REJECTED',
  unknown_outcome: 'TIMEOUT',
};

const defaultMessage: Record<VenueErrorKind, string> = {
  retryable: '503 Service Unavailable',
  rejected: 'the order was rejected',
  unknown_outcome: 'the request timed out after 10 s',
};
