/**
 * The one error handler of the HTTP server. Every error leaves as `{ "error": { "code", "message" } }`
 * (plus `details` when a TradingError carries them). Bad input is a 4xx with a sentence that names the
 * field; a 500 means a bug in yesno, and is logged with the request id.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VenueError } from '../core/exchanges/types.ts';
import { TradingError, type TradingErrorCode } from '../core/trading/types.ts';
import { RequestValidationError } from './zod.ts';

/** The error body every failing request gets. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** An error raised by the API layer itself (auth, rate limit, ...), sent with its status and code. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(statusCode: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
  }
}

/**
 * HTTP status of each TradingError code. Bad input 400; well-formed but refused by a rule 422;
 * missing things 404; conflicts with the order's state or an earlier request 409; the global trading
 * halt 423 Locked (a 4xx: the request is fine, trading is switched off by an operator); a venue that
 * is down 503 with Retry-After (not the client's fault, and worth retrying).
 */
export const TRADING_ERROR_STATUS = {
  invalid_input: 400,
  market_not_found: 404,
  order_not_found: 404,
  market_ambiguous: 422,
  market_closed: 422,
  venue_not_listed: 422,
  no_position: 422,
  insufficient_position: 422,
  insufficient_liquidity: 422,
  max_order_size: 422,
  below_minimum: 422,
  rejected: 422,
  not_cancellable: 409,
  idempotency_conflict: 409,
  trading_halted: 423,
  // The startup order sync is running (a few seconds): the client should retry; not a server fault.
  starting_up: 423,
  venue_unavailable: 503,
} as const satisfies Record<TradingErrorCode, number>;

/** Fastify's own 4xx errors, reworded. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: (e: FastifyError, bodyLimit: number) => string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: () => 'The body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: () => 'The body is empty but Content-Type says JSON.' },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    message: (_e, limit) => `The body is larger than ${limit} bytes.`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: () => 'Send the body as JSON with Content-Type: application/json.',
  },
  FST_ERR_BAD_URL: { status: 400, code: 'bad_request', message: () => 'The URL is not valid (check its percent-encoding).' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long', message: () => 'A path segment of the URL is too long.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'bad_request',
    message: () => 'The body size does not match Content-Length.',
  },
};

function body(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details ? { code, message, details } : { code, message } };
}

/** Maps any thrown value to a status and an error body; `bug` marks the ones to log as errors. */
export function toErrorResponse(
  err: unknown,
  opts: { bodyLimit: number; requestId: string },
): { status: number; body: ErrorBody; headers: Record<string, string>; bug: boolean } {
  if (err instanceof TradingError) {
    const status = TRADING_ERROR_STATUS[err.code] ?? 400;
    const headers: Record<string, string> = status === 503 ? { 'retry-after': '5' } : err.code === 'starting_up' ? { 'retry-after': '3' } : {};
    return { status, body: body(err.code, err.message, safeDetails(err.details)), headers, bug: false };
  }
  if (err instanceof RequestValidationError) {
    return { status: 400, body: body('invalid_input', err.message), headers: {}, bug: false };
  }
  if (err instanceof HttpError) {
    return { status: err.statusCode, body: body(err.code, err.message), headers: err.headers, bug: false };
  }
  if (err instanceof VenueError) {
    // Core should translate venue errors; this is the safety net.
    if (err.kind === 'rejected') return { status: 422, body: body('rejected', err.message), headers: {}, bug: false };
    if (err.kind === 'retryable') {
      return { status: 503, body: body('venue_unavailable', err.message), headers: { 'retry-after': '5' }, bug: false };
    }
    return {
      status: 502,
      body: body('unknown_outcome', `${err.venue} did not confirm the order; it may or may not have been placed. Check your orders before retrying.`),
      headers: {},
      bug: true,
    };
  }
  const fe = err as Partial<FastifyError> | null;
  const known = fe && typeof fe.code === 'string' ? FASTIFY_ERRORS[fe.code] : undefined;
  if (known) return { status: known.status, body: body(known.code, known.message(fe as FastifyError, opts.bodyLimit)), headers: {}, bug: false };
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const status = fe.statusCode;
    const code = status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : status === 429 ? 'rate_limited' : 'bad_request';
    return { status, body: body(code, String(fe.message ?? 'Bad request')), headers: {}, bug: false };
  }
  return {
    status: 500,
    body: body('internal_error', `Something went wrong inside yesno; it has been logged (request ${opts.requestId}). Nothing was retried.`),
    headers: {},
    bug: true,
  };
}

/** Keeps TradingError details only when they are plain JSON (candidates lists and the like). */
function safeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details) return undefined;
  try {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Fastify's `frameworkErrors` option (bad URLs, over-long path parameters) in the same shape. */
export function frameworkErrorHandler(opts: { bodyLimit: number }) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    const res = toErrorResponse(err, { bodyLimit: opts.bodyLimit, requestId: String(req.id) });
    void reply.code(res.status).send(res.body);
  };
}

/** Installs the error handler and the 404 handler on the root instance. */
export function installErrorHandling(app: FastifyInstance, opts: { bodyLimit: number }): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const res = toErrorResponse(err, { bodyLimit: opts.bodyLimit, requestId: String(req.id) });
    if (res.bug) req.log.error({ err, route: req.routeOptions?.url }, 'request failed');
    else if (res.status >= 500) req.log.warn({ code: res.body.error.code, msg: res.body.error.message }, 'upstream unavailable');
    else req.log.debug({ code: res.body.error.code }, 'request refused');
    for (const [k, v] of Object.entries(res.headers)) reply.header(k, v);
    return reply.code(res.status).send(res.body);
  });
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    const shownPath = path.length > 120 ? `${path.slice(0, 117)}...` : path;
    return reply.code(404).send(body('not_found', `No such endpoint: ${req.method} ${shownPath}. See /docs for the API.`));
  });
}
