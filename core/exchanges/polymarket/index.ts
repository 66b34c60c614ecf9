/** Polymarket CLOB V2: adapter, wallet / API credentials, public market data. */
export { PolymarketAdapter, type PolymarketAdapterOptions } from './adapter.ts';
export { addressOf, createOrDeriveApiCreds, generateSubWallet, type CreateOrDeriveArgs } from './wallet.ts';
export {
  MARKETS_END_CURSOR, MARKETS_FIRST_CURSOR, PolymarketPublicApi,
  type PolymarketBook, type PolymarketClobMarket, type PolymarketListedMarket, type PolymarketMarketsPage, type PolymarketPublicApiOptions,
} from './public-api.ts';
export { POLYMARKET_ERRORS, type PolymarketErrorCode } from './errors.ts';
