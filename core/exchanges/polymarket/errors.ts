/**
 * Every Polymarket error, venue-sent or found before sending, maps through ONE closed table to the
 * VenueError taxonomy: retryable (nothing reached the book), rejected (with a reason a person can
 * read), unknown_outcome (it may have been placed: look it up by the signed order's hash).
 *
 * The venue reports rejections as HTTP 400 `{ "error": "<text>" }` (sometimes 200 `{ success: false,
 * errorMsg: "<CODE or text>" }`); `classifyVenueMessage` turns either into one of the codes below by
 * the documented code names and the venue's known texts.
 */
import { VenueError, type VenueErrorKind } from '../types.ts';

interface ErrorEntry {
  kind: VenueErrorKind;
  /** What the user reads (the venue's own text is appended where it adds something). */
  reason: string;
}

export const POLYMARKET_ERRORS = {
  // --- documented errorMsg codes -------------------------------------------------------------
  INVALID_ORDER_MIN_TICK_SIZE: { kind: 'rejected', reason: "the price is not on this market's tick size" },
  INVALID_ORDER_MIN_SIZE: { kind: 'rejected', reason: "the order is smaller than this market's minimum size" },
  // The exact same signed order is already on the venue: it exists, so look it up rather than fail.
  INVALID_ORDER_DUPLICATED: { kind: 'unknown_outcome', reason: 'Polymarket already has this exact order' },
  INVALID_ORDER_NOT_ENOUGH_BALANCE: { kind: 'rejected', reason: 'not enough USDC (or shares) on Polymarket for this order, or the allowance is not set' },
  INVALID_ORDER_EXPIRATION: { kind: 'rejected', reason: 'the expiry time is invalid (it must be at least a minute in the future)' },
  // "could not insert order": the venue failed internally; whether it kept the order is unknown.
  INVALID_ORDER_ERROR: { kind: 'unknown_outcome', reason: 'Polymarket could not confirm inserting the order' },
  INVALID_POST_ONLY_ORDER: { kind: 'rejected', reason: 'a post-only order would have matched immediately' },
  EXECUTION_ERROR: { kind: 'unknown_outcome', reason: 'Polymarket failed while executing the order' },
  ORDER_DELAYED: { kind: 'unknown_outcome', reason: 'Polymarket delayed matching the order' },
  DELAYING_ORDER_ERROR: { kind: 'unknown_outcome', reason: 'Polymarket failed while delaying the order' },
  FOK_ORDER_NOT_FILLED_ERROR: { kind: 'rejected', reason: 'not enough liquidity to fill the whole order at this price (fill-or-kill); nothing was traded' },
  MARKET_NOT_READY: { kind: 'rejected', reason: 'this market is not accepting orders right now' },
  // --- other venue answers ---------------------------------------------------------------------
  FAK_NO_MATCH: { kind: 'rejected', reason: 'nothing in the book at this price or better; nothing was traded' },
  INVALID_AMOUNTS: { kind: 'rejected', reason: "the order's amounts have more decimals than Polymarket accepts" },
  INVALID_SIGNATURE: { kind: 'rejected', reason: "Polymarket refused the order signature (the wallet key does not match this account's API credentials)" },
  SIGNER_NOT_KEY_OWNER: { kind: 'rejected', reason: "the order was signed by a wallet other than the one the API credentials belong to" },
  OWNER_MISMATCH: { kind: 'rejected', reason: 'the order owner does not match the API key' },
  MAKER_NOT_ALLOWED: {
    kind: 'rejected',
    reason:
      'Polymarket does not accept orders from this plain wallet address: this account has to trade through a Polymarket deposit wallet. Link the deposit (proxy) wallet address and its signature type, then try again',
  },
  NO_ORDERBOOK: { kind: 'rejected', reason: 'this market is closed or has no order book on Polymarket' },
  // The venue moved to another order version (the official client re-reads GET /version on this).
  ORDER_VERSION_MISMATCH: { kind: 'rejected', reason: 'Polymarket no longer accepts this order format (order version changed); nothing was placed and yesno needs an update' },
  INVALID_PAYLOAD: { kind: 'rejected', reason: 'Polymarket could not read the order' },
  UNAUTHORIZED: { kind: 'rejected', reason: 'Polymarket refused the API credentials (revoked or wrong); relink the Polymarket account' },
  NOT_FOUND: { kind: 'rejected', reason: 'Polymarket does not know this order' },
  VENUE_REJECTED: { kind: 'rejected', reason: 'Polymarket rejected the order' },
  RATE_LIMITED: { kind: 'retryable', reason: 'Polymarket is rate limiting requests' },
  TRADING_DISABLED: { kind: 'retryable', reason: 'Polymarket has paused trading' },
  // --- transport --------------------------------------------------------------------------------
  NETWORK: { kind: 'retryable', reason: 'Polymarket could not be reached; nothing was sent' },
  SERVER_ERROR_BEFORE_EFFECT: { kind: 'retryable', reason: 'Polymarket answered with a server error' },
  SERVER_ERROR_AFTER_SEND: { kind: 'unknown_outcome', reason: 'Polymarket answered with a server error after receiving the order' },
  TIMEOUT: { kind: 'unknown_outcome', reason: 'Polymarket did not answer in time' },
  CONNECTION_DROPPED: { kind: 'unknown_outcome', reason: 'the connection to Polymarket dropped before the answer arrived' },
  BAD_RESPONSE: { kind: 'unknown_outcome', reason: 'Polymarket sent an answer yesno could not read' },
  // --- found before sending (nothing sent) ------------------------------------------------------
  NOT_LINKED: { kind: 'rejected', reason: 'no Polymarket account is linked; link one first (it creates your Polymarket wallet)' },
  NO_TOKEN: { kind: 'rejected', reason: 'this market has no Polymarket token for that outcome' },
  PRICE_OFF_TICK: { kind: 'rejected', reason: "the price is not on this market's tick size" },
  PRICE_OUT_OF_RANGE: { kind: 'rejected', reason: 'the price is outside what this market allows' },
  BELOW_MIN_SIZE: { kind: 'rejected', reason: "the order is smaller than this market's minimum size" },
  BAD_QUANTITY: { kind: 'rejected', reason: 'the quantity or amount is missing or too small' },
  BAD_EXPIRY: { kind: 'rejected', reason: 'a GTD order needs an expiry at least a minute in the future' },
  UNSUPPORTED_ORDER: { kind: 'rejected', reason: 'Polymarket does not support this order type' },
  MARKET_CLOSED: { kind: 'rejected', reason: 'this market is not accepting orders right now' },
} as const satisfies Record<string, ErrorEntry>;

export type PolymarketErrorCode = keyof typeof POLYMARKET_ERRORS;

/** Venue texts → code. Checked in order; the documented code names first. */
const PATTERNS: [RegExp, PolymarketErrorCode][] = [
  [/maker address not allowed|deposit wallet flow/i, 'MAKER_NOT_ALLOWED'],
  [/order_version_mismatch/i, 'ORDER_VERSION_MISMATCH'],
  [/INVALID_ORDER_MIN_TICK_SIZE|breaks minimum tick size/i, 'INVALID_ORDER_MIN_TICK_SIZE'],
  [/INVALID_ORDER_MIN_SIZE|lower than the minimum/i, 'INVALID_ORDER_MIN_SIZE'],
  [/INVALID_ORDER_DUPLICATED|duplicated|already been placed/i, 'INVALID_ORDER_DUPLICATED'],
  [/INVALID_ORDER_NOT_ENOUGH_BALANCE|not enough balance|allowance/i, 'INVALID_ORDER_NOT_ENOUGH_BALANCE'],
  [/INVALID_ORDER_EXPIRATION|invalid expiration/i, 'INVALID_ORDER_EXPIRATION'],
  [/INVALID_POST_ONLY_ORDER|post-only/i, 'INVALID_POST_ONLY_ORDER'],
  [/FOK_ORDER_NOT_FILLED_ERROR|FOK orders are fully filled/i, 'FOK_ORDER_NOT_FILLED_ERROR'],
  [/no orders found to match with FAK|FAK orders are partially filled/i, 'FAK_NO_MATCH'],
  [/MARKET_NOT_READY|not yet ready to process new orders/i, 'MARKET_NOT_READY'],
  [/DELAYING_ORDER_ERROR|error delaying the order/i, 'DELAYING_ORDER_ERROR'],
  [/ORDER_DELAYED|match delayed/i, 'ORDER_DELAYED'],
  [/EXECUTION_ERROR|could not run the execution/i, 'EXECUTION_ERROR'],
  [/INVALID_ORDER_ERROR|could not insert order/i, 'INVALID_ORDER_ERROR'],
  [/invalid amounts|max accuracy/i, 'INVALID_AMOUNTS'],
  [/signer address has to be the address of the API KEY/i, 'SIGNER_NOT_KEY_OWNER'],
  [/owner has to be the owner of the API KEY/i, 'OWNER_MISMATCH'],
  [/invalid signature/i, 'INVALID_SIGNATURE'],
  [/no orderbook exists|orderbook .* does not exist|market not found/i, 'NO_ORDERBOOK'],
  [/trading is currently disabled/i, 'TRADING_DISABLED'],
  [/unauthorized|invalid api key|Invalid L1 Request headers/i, 'UNAUTHORIZED'],
  [/invalid order payload|invalid payload/i, 'INVALID_PAYLOAD'],
];

/** The code for a venue error text (or `fallback` when none matches). */
export function classifyVenueMessage(message: string, fallback: PolymarketErrorCode = 'VENUE_REJECTED'): PolymarketErrorCode {
  for (const [re, code] of PATTERNS) if (re.test(message)) return code;
  return fallback;
}

/** Builds the VenueError for a code; `detail` (the venue's own text, never a secret) is appended. */
export function polymarketError(code: PolymarketErrorCode, detail?: string, cause?: unknown): VenueError {
  const entry: ErrorEntry = POLYMARKET_ERRORS[code];
  const message = detail && !entry.reason.toLowerCase().includes(detail.toLowerCase()) ? `${entry.reason} (Polymarket: ${detail})` : entry.reason;
  return new VenueError({ kind: entry.kind, code, venue: 'polymarket', message, cause });
}

/**
 * Maps an HTTP answer to a VenueError. `phase` says whether the request could have changed
 * something: for a 'write' (placing), a 5xx is an unknown outcome; for a 'read' it is retryable.
 */
export function httpError(args: { status: number; message: string; phase: 'read' | 'write' }): VenueError {
  const { status, message, phase } = args;
  if (status === 401 || status === 403) return polymarketError('UNAUTHORIZED', message);
  if (status === 429) return polymarketError('RATE_LIMITED');
  if (status === 503 && /trading is currently disabled/i.test(message)) return polymarketError('TRADING_DISABLED', message);
  if (status >= 500) return polymarketError(phase === 'write' ? 'SERVER_ERROR_AFTER_SEND' : 'SERVER_ERROR_BEFORE_EFFECT', `HTTP ${status}: ${message}`);
  if (status === 404) return polymarketError(classifyVenueMessage(message, 'NOT_FOUND'), message);
  return polymarketError(classifyVenueMessage(message), message);
}

const BEFORE_SEND_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Maps a fetch failure: connect errors are retryable; a timeout or a drop after sending a write is unknown. */
export function transportError(args: { cause: unknown; phase: 'read' | 'write'; timeoutMs: number }): VenueError {
  const c = args.cause as { name?: string; cause?: { code?: string } } | undefined;
  const timedOut = c?.name === 'TimeoutError' || c?.name === 'AbortError';
  const code = c?.cause?.code ?? '';
  if (!timedOut && BEFORE_SEND_CODES.has(code)) return polymarketError('NETWORK', code, args.cause);
  if (args.phase === 'read') return polymarketError('NETWORK', timedOut ? `no answer within ${args.timeoutMs} ms` : code || 'connection lost', args.cause);
  return timedOut ? polymarketError('TIMEOUT', `no answer within ${args.timeoutMs} ms`, args.cause) : polymarketError('CONNECTION_DROPPED', code || undefined, args.cause);
}
