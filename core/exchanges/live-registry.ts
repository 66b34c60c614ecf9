/**
 * The live adapter registry (TRADING_MODE=live): the real Polymarket CLOB V2 and Kalshi Trade API v2
 * adapters, trading with each user's own credentials from the vault's CredentialSource, at the
 * venue hosts of the config (POLYMARKET_CLOB_URL, POLYMARKET_CHAIN_ID, KALSHI_API_URL, VENUE_TIMEOUT_MS).
 */
import type { Config } from '../config.ts';
import type { CredentialSource } from './credentials.ts';
import { KalshiAdapter } from './kalshi/adapter.ts';
import { PolymarketAdapter } from './polymarket/adapter.ts';
import type { ExchangeAdapter, Venue } from './types.ts';

/** The part of the config the live adapters read. */
export type LiveVenueConfig = Pick<
  Config,
  'POLYMARKET_CLOB_URL' | 'POLYMARKET_CHAIN_ID' | 'POLYMARKET_WS_URL' | 'KALSHI_API_URL' | 'KALSHI_WS_URL' | 'VENUE_TIMEOUT_MS'
> & {
  /** Venue-pushed order events over the users' WebSocket channels (default true); polling order sync is the fallback either way. */
  streams?: boolean;
};

/**
 * Builds one live adapter per venue. Each opens a user's WebSocket channel once one of their orders
 * rests (Polymarket user channel, Kalshi `fill` channel); call `close()` on the adapters at shutdown.
 */
export function createLiveRegistry(args: {
  config: LiveVenueConfig;
  credentials: CredentialSource;
  fetch?: typeof fetch;
  clock?: () => Date;
  onWarning?: (message: string, context?: Record<string, unknown>) => void;
}): Map<Venue, ExchangeAdapter> {
  const { config, credentials } = args;
  const streams = config.streams ?? true;
  const registry = new Map<Venue, ExchangeAdapter>();
  registry.set(
    'polymarket',
    new PolymarketAdapter({
      clobUrl: config.POLYMARKET_CLOB_URL,
      chainId: config.POLYMARKET_CHAIN_ID as 137 | 80002,
      credentials,
      timeoutMs: config.VENUE_TIMEOUT_MS,
      fetch: args.fetch,
      clock: args.clock,
      wsUrl: streams ? config.POLYMARKET_WS_URL : undefined,
      onWarning: args.onWarning,
    }),
  );
  registry.set(
    'kalshi',
    new KalshiAdapter({
      apiUrl: config.KALSHI_API_URL,
      credentials,
      timeoutMs: config.VENUE_TIMEOUT_MS,
      fetch: args.fetch,
      clock: args.clock,
      wsUrl: streams ? config.KALSHI_WS_URL : undefined,
      watchRestingOrders: streams,
      onStreamEvent: (e) => {
        if (e.state === 'error') args.onWarning?.(`kalshi fill channel: ${e.detail ?? 'error'}`, { userId: e.userId });
      },
    }),
  );
  return registry;
}
