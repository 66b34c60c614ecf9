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
export type LiveVenueConfig = Pick<Config, 'POLYMARKET_CLOB_URL' | 'POLYMARKET_CHAIN_ID' | 'KALSHI_API_URL' | 'VENUE_TIMEOUT_MS'>;

/** Builds one live adapter per venue. */
export function createLiveRegistry(args: { config: LiveVenueConfig; credentials: CredentialSource; fetch?: typeof fetch; clock?: () => Date }): Map<Venue, ExchangeAdapter> {
  const { config, credentials } = args;
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
    }),
  );
  registry.set('kalshi', new KalshiAdapter({ apiUrl: config.KALSHI_API_URL, credentials, timeoutMs: config.VENUE_TIMEOUT_MS, fetch: args.fetch, clock: args.clock }));
  return registry;
}
