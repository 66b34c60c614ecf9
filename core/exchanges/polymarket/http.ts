/**
 * L2-authenticated requests to the CLOB. Headers come from the official client's `createL2Headers`
 * (its HMAC: ts + METHOD + path-without-query + body, url-safe base64); transport is our own fetch
 * with a per-request timeout, because the official client's transport (a shared global axios
 * instance) has no timeout and flattens network failures and HTTP statuses into `{ error }` objects,
 * which would erase the difference between "never sent" (retryable) and "sent, answer lost"
 * (unknown outcome) that we must keep.
 */
import { createL2Headers } from '@polymarket/clob-client-v2';
import type { WalletClient } from 'viem';
import type { ClobApiCreds } from '../credentials.ts';
import { httpError, polymarketError, transportError } from './errors.ts';
import { venueErrorMessage } from './public-api.ts';

export interface L2RequestArgs {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  signer: WalletClient;
  creds: ClobApiCreds;
  /** 'write' = the request may change venue state (a 5xx or a drop is then an unknown outcome). */
  phase: 'read' | 'write';
}

export class ClobHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Sends one L2 request; returns the parsed JSON (null for an empty or `null` body). Throws VenueError. */
  async request(args: L2RequestArgs): Promise<unknown> {
    const bodyText = args.body === undefined ? undefined : JSON.stringify(args.body);
    const l2 = await createL2Headers(args.signer as never, { key: args.creds.key, secret: args.creds.secret, passphrase: args.creds.passphrase }, {
      method: args.method,
      requestPath: args.path,
      ...(bodyText === undefined ? {} : { body: bodyText }),
    });
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(args.query ?? {})) if (v !== undefined) qs.set(k, v);
    const url = `${this.baseUrl}${args.path}${qs.size > 0 ? `?${qs.toString()}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(l2)) headers[k] = String(v);
    let status: number;
    let text: string;
    try {
      const res = await this.fetchImpl(url, { method: args.method, headers, body: bodyText, signal: AbortSignal.timeout(this.timeoutMs) });
      status = res.status;
      text = await res.text();
    } catch (cause) {
      throw transportError({ cause, phase: args.phase, timeoutMs: this.timeoutMs });
    }
    if (status < 200 || status >= 300) throw httpError({ status, message: venueErrorMessage(status, text), phase: args.phase });
    if (text.trim() === '' || text.trim() === 'null') return null;
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw args.phase === 'write' ? polymarketError('BAD_RESPONSE', 'not JSON', cause) : polymarketError('NETWORK', 'unreadable answer', cause);
    }
  }
}
