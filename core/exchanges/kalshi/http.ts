/**
 * The one HTTP path to Kalshi: fetch with a whole-request timeout (headers and body), JSON in and
 * out, zod-parsed answers, and every failure mapped through errors.ts. The public client and the
 * signed client both go through `kalshiRequest`; signing plugs in through `sign`.
 */
import type { z } from 'zod';
import { kalshiError, kalshiHttpError } from './errors.ts';

/** Where and how to reach Kalshi. `baseUrl` includes `/trade-api/v2`. */
export interface KalshiHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Injected fetch (tests, instrumentation); default the global fetch. */
  fetch?: typeof fetch;
}

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PUT';

/** Network error codes that mean the request never left this machine. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

function causeCode(err: unknown): string | null {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** Joins the base URL and a path such as `/markets/ABC` (query kept apart for signing). */
export function kalshiUrl(baseUrl: string, path: string, query?: Record<string, string | number | undefined | null>): URL {
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  return url;
}

/**
 * Sends one request and parses the answer with `schema`.
 * `mutating`: the request may change state at the venue (placing an order); then a timeout, a dropped
 * connection, a 5xx or an unreadable 2xx after sending is an unknown outcome instead of retryable.
 * `sign` returns extra headers from the method and the URL pathname (which includes /trade-api/v2).
 */
export async function kalshiRequest<S extends z.ZodType>(args: {
  http: KalshiHttpOptions;
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number | undefined | null>;
  body?: unknown;
  schema: S;
  mutating?: boolean;
  sign?: (req: { method: HttpMethod; pathname: string }) => Record<string, string>;
}): Promise<z.infer<S>> {
  const mutating = args.mutating ?? false;
  const url = kalshiUrl(args.http.baseUrl, args.path, args.query);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (args.body !== undefined) headers['content-type'] = 'application/json';
  if (args.sign) Object.assign(headers, args.sign({ method: args.method, pathname: url.pathname }));
  const doFetch = args.http.fetch ?? fetch;
  const signal = AbortSignal.timeout(args.http.timeoutMs);

  let status: number;
  let text: string;
  try {
    const res = await doFetch(url, {
      method: args.method,
      headers,
      body: args.body === undefined ? undefined : JSON.stringify(args.body),
      signal,
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    if (signal.aborted) throw kalshiError({ key: 'timeout', mutating, cause: err });
    const code = causeCode(err);
    if (code && CONNECT_CODES.has(code)) throw kalshiError({ key: 'connect_failed', mutating, cause: err });
    // fetch refuses a malformed request (URL, header) with a bare TypeError before anything is sent.
    if (err instanceof TypeError && err.cause === undefined) throw kalshiError({ key: 'connect_failed', mutating, cause: err });
    throw kalshiError({ key: 'connection_dropped', mutating, cause: err });
  }

  let json: unknown = null;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (status < 200 || status >= 300) throw kalshiHttpError({ status, body: json, mutating });
  const parsed = args.schema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues[0];
    const detail = where ? `${where.path.join('.') || 'body'}: ${where.message}` : 'unexpected body';
    throw kalshiError({ key: 'bad_response', mutating, venueMessage: `${args.method} ${url.pathname} ${detail}` });
  }
  return parsed.data;
}
