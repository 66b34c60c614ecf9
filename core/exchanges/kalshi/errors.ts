/**
 * Every Kalshi failure goes through ONE closed table: venue error codes (from `{ code, message, details }`
 * bodies), HTTP-status fallbacks for bodies without a known code, and transport failures. Each row says
 * how yesno treats it (retryable / rejected with a readable reason / unknown outcome).
 *
 * Rows with kind `after_send` depend on the request: for a read (or anything idempotent) it is
 * retryable; for a mutating call that reached the venue (placing an order) the venue may have acted,
 * so it is an unknown outcome: look the order up by client order id before any retry.
 */
import { VenueError, type VenueErrorKind } from '../types.ts';
import { parseErrorBody } from './wire.ts';

export type KalshiErrorKey =
  // venue error codes
  | 'insufficient_balance'
  | 'market_closed'
  | 'market_not_active'
  | 'trading_is_paused'
  | 'exchange_closed'
  | 'invalid_price'
  | 'invalid_order'
  | 'invalid_parameters'
  | 'bad_request'
  | 'invalid_count'
  | 'order_already_exists'
  | 'duplicate_client_order_id'
  | 'fill_or_kill_insufficient_resting_volume'
  | 'post_only_cross'
  | 'reduce_only_violation'
  | 'self_trade'
  | 'unauthorized'
  | 'invalid_signature'
  | 'api_key_not_found'
  | 'api_key_revoked'
  | 'forbidden'
  | 'not_found'
  | 'market_not_found'
  | 'order_not_found'
  | 'too_many_requests'
  | 'internal_server_error'
  | 'service_unavailable'
  // HTTP fallbacks (a body without a code this table knows)
  | 'http_400'
  | 'http_401'
  | 'http_403'
  | 'http_404'
  | 'http_409'
  | 'http_429'
  | 'http_4xx'
  | 'http_5xx'
  // transport
  | 'connect_failed'
  | 'timeout'
  | 'connection_dropped'
  | 'bad_response'
  | 'not_linked'
  | 'bad_credentials';

type RowKind = VenueErrorKind | 'after_send';

interface Row {
  kind: RowKind;
  /** yesno's code (stable, for callers and tests). */
  code: string;
  /** What a person reads. The venue's own message is appended when it adds something. */
  reason: string;
}

/** The closed table. Adding a venue code means adding a row here; nothing else maps errors. */
export const KALSHI_ERROR_TABLE = {
  insufficient_balance: { kind: 'rejected', code: 'INSUFFICIENT_BALANCE', reason: 'Not enough balance on Kalshi for this order' },
  market_closed: { kind: 'rejected', code: 'MARKET_CLOSED', reason: 'This Kalshi market is closed for trading' },
  market_not_active: { kind: 'rejected', code: 'MARKET_CLOSED', reason: 'This Kalshi market is not open for trading' },
  trading_is_paused: { kind: 'rejected', code: 'MARKET_CLOSED', reason: 'Trading on this Kalshi market is paused' },
  exchange_closed: { kind: 'rejected', code: 'MARKET_CLOSED', reason: 'The Kalshi exchange is closed' },
  invalid_price: { kind: 'rejected', code: 'INVALID_PRICE', reason: 'Kalshi refused the price (outside the range or off the tick grid)' },
  invalid_order: { kind: 'rejected', code: 'INVALID_ORDER', reason: 'Kalshi refused the order as invalid' },
  invalid_parameters: { kind: 'rejected', code: 'INVALID_ORDER', reason: 'Kalshi refused the order parameters' },
  bad_request: { kind: 'rejected', code: 'INVALID_ORDER', reason: 'Kalshi refused the request' },
  invalid_count: { kind: 'rejected', code: 'INVALID_SIZE', reason: 'Kalshi refused the contract count' },
  order_already_exists: { kind: 'rejected', code: 'DUPLICATE', reason: 'Kalshi already has an order with this client order id' },
  duplicate_client_order_id: { kind: 'rejected', code: 'DUPLICATE', reason: 'Kalshi already has an order with this client order id' },
  fill_or_kill_insufficient_resting_volume: { kind: 'rejected', code: 'FOK_NOT_FILLED', reason: 'Not enough volume on Kalshi to fill the whole order at this price' },
  post_only_cross: { kind: 'rejected', code: 'POST_ONLY_CROSS', reason: 'A post-only order would have matched immediately' },
  reduce_only_violation: { kind: 'rejected', code: 'INVALID_ORDER', reason: 'A reduce-only order would increase the position' },
  self_trade: { kind: 'rejected', code: 'SELF_TRADE', reason: 'The order would trade against your own resting order' },
  unauthorized: { kind: 'rejected', code: 'AUTH', reason: 'Kalshi did not accept the API key (check the key id and private key, or link a new key)' },
  invalid_signature: { kind: 'rejected', code: 'AUTH', reason: 'Kalshi did not accept the request signature (the private key does not match the key id)' },
  api_key_not_found: { kind: 'rejected', code: 'AUTH', reason: 'Kalshi does not know this API key id' },
  api_key_revoked: { kind: 'rejected', code: 'AUTH', reason: 'This Kalshi API key was revoked: link a new key' },
  forbidden: { kind: 'rejected', code: 'AUTH', reason: 'This Kalshi API key is not allowed to do that (check its scopes)' },
  not_found: { kind: 'rejected', code: 'NOT_FOUND', reason: 'Kalshi could not find it' },
  market_not_found: { kind: 'rejected', code: 'MARKET_NOT_FOUND', reason: 'Kalshi has no such market' },
  order_not_found: { kind: 'rejected', code: 'ORDER_NOT_FOUND', reason: 'Kalshi has no such order' },
  too_many_requests: { kind: 'retryable', code: 'RATE_LIMITED', reason: 'Kalshi is rate limiting requests; try again shortly' },
  internal_server_error: { kind: 'after_send', code: 'VENUE_ERROR', reason: 'Kalshi had an internal error' },
  service_unavailable: { kind: 'after_send', code: 'VENUE_UNAVAILABLE', reason: 'Kalshi is unavailable' },
  http_400: { kind: 'rejected', code: 'INVALID_ORDER', reason: 'Kalshi refused the request' },
  http_401: { kind: 'rejected', code: 'AUTH', reason: 'Kalshi did not accept the API key (check the key id and private key, or link a new key)' },
  http_403: { kind: 'rejected', code: 'AUTH', reason: 'This Kalshi API key is not allowed to do that' },
  http_404: { kind: 'rejected', code: 'NOT_FOUND', reason: 'Kalshi could not find it' },
  http_409: { kind: 'rejected', code: 'DUPLICATE', reason: 'Kalshi already has an order with this client order id' },
  http_429: { kind: 'retryable', code: 'RATE_LIMITED', reason: 'Kalshi is rate limiting requests; try again shortly' },
  http_4xx: { kind: 'rejected', code: 'INVALID_ORDER', reason: 'Kalshi refused the request' },
  http_5xx: { kind: 'after_send', code: 'VENUE_ERROR', reason: 'Kalshi answered with a server error' },
  connect_failed: { kind: 'retryable', code: 'NETWORK', reason: 'Could not reach Kalshi' },
  timeout: { kind: 'after_send', code: 'TIMEOUT', reason: 'Kalshi did not answer in time' },
  connection_dropped: { kind: 'after_send', code: 'CONNECTION_DROPPED', reason: 'The connection to Kalshi dropped before the answer arrived' },
  bad_response: { kind: 'after_send', code: 'BAD_RESPONSE', reason: 'Kalshi sent an answer yesno could not read' },
  not_linked: { kind: 'rejected', code: 'NOT_LINKED', reason: 'Link your Kalshi account first (API key id and private key)' },
  bad_credentials: { kind: 'rejected', code: 'BAD_CREDENTIALS', reason: 'The stored Kalshi private key cannot be read: link the key again' },
} as const satisfies Record<KalshiErrorKey, Row>;

function isKey(code: string): code is KalshiErrorKey {
  return Object.hasOwn(KALSHI_ERROR_TABLE, code);
}

/** A venue message safe to show: one line, bounded, and never anything that looks like key material. */
function clean(text: string | null | undefined): string | null {
  if (!text) return null;
  const line = text.replace(/\s+/g, ' ').trim();
  if (!line || /PRIVATE KEY|BEGIN [A-Z ]+|[A-Za-z0-9+/=]{200,}/.test(line)) return null;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Builds the VenueError for a table row. `mutating`: the request may have changed state at the venue. */
export function kalshiError(args: {
  key: KalshiErrorKey;
  mutating: boolean;
  venueMessage?: string | null;
  status?: number;
  cause?: unknown;
}): VenueError {
  const row: Row = KALSHI_ERROR_TABLE[args.key];
  const kind: VenueErrorKind = row.kind === 'after_send' ? (args.mutating ? 'unknown_outcome' : 'retryable') : row.kind;
  const extra = clean(args.venueMessage);
  const suffix = extra && !row.reason.toLowerCase().includes(extra.toLowerCase()) ? `: ${extra}` : '';
  const status = args.status ? ` (HTTP ${args.status})` : '';
  return new VenueError({ kind, code: row.code, venue: 'kalshi', message: `${row.reason}${suffix}${status}`, cause: args.cause });
}

/** Maps an HTTP error answer (status + parsed JSON body, or null) through the table. */
export function kalshiHttpError(args: { status: number; body: unknown; mutating: boolean }): VenueError {
  const parsed = parseErrorBody(args.body);
  const code = parsed?.code?.toLowerCase() ?? null;
  let key: KalshiErrorKey;
  if (code && isKey(code) && !code.startsWith('http_') && !TRANSPORT_KEYS.has(code)) key = code;
  else if (args.status === 400) key = 'http_400';
  else if (args.status === 401) key = 'http_401';
  else if (args.status === 403) key = 'http_403';
  else if (args.status === 404) key = 'http_404';
  else if (args.status === 409) key = 'http_409';
  else if (args.status === 429) key = 'http_429';
  else if (args.status >= 500) key = 'http_5xx';
  else key = 'http_4xx';
  const venueMessage = [parsed?.message, parsed?.details].filter(Boolean).join(' — ') || null;
  return kalshiError({ key, mutating: args.mutating, venueMessage, status: args.status });
}

const TRANSPORT_KEYS: ReadonlySet<string> = new Set([
  'connect_failed',
  'timeout',
  'connection_dropped',
  'bad_response',
  'not_linked',
  'bad_credentials',
]);
