/**
 * Polymarket CLOB public market-data client (no auth): books, tick size, neg-risk, fee rate,
 * per-market CLOB info and the paginated market listing a catalog sync walks.
 *
 * Usage:
 *   const api = new PolymarketPublicApi({ baseUrl: config.POLYMARKET_CLOB_URL, timeoutMs: 5_000 });
 *   const book = await api.getBook({ tokenId });                 // OrderBook-ready levels, best first
 *   const { tickSize, minOrderSize, negRisk } = book;            // venue rules travel with the book
 *   const tick = await api.getTickSize({ tokenId });             // Decimal
 *   const info = await api.getClobMarket({ conditionId });        // tokens, tick, neg-risk, fee params
 *   const one = await api.getMarket({ conditionId });             // one listing row (question, tokens, closed, ...)
 *   for await (const m of api.iterateMarkets()) { ... }          // every market, page by page
 *   // or one page at a time: const page = await api.getMarketsPage({ cursor: MARKETS_FIRST_CURSOR });
 *
 * Every failure is a VenueError (venue 'polymarket'): network errors, timeouts, 429 and 5xx are
 * `retryable` (these are reads: nothing was changed), 404 / other 4xx are `rejected` with the
 * venue's message (e.g. "No orderbook exists for the requested token id"), and an unparseable body is
 * `rejected` with code BAD_RESPONSE. Prices and sizes are Decimal; the venue's strings are never floats.
 */
import { z } from 'zod';
import { Decimal } from '../../money.ts';
import { VenueError, type BookLevel } from '../types.ts';

/** Cursor of the first page of a CLOB listing ("MA==" = base64 "0"). */
export const MARKETS_FIRST_CURSOR = 'MA==';
/** Cursor the CLOB returns after the last page ("LTE=" = base64 "-1"). */
export const MARKETS_END_CURSOR = 'LTE=';

export interface PolymarketPublicApiOptions {
  /** CLOB host, e.g. https://clob.polymarket.com or a local fake's url. */
  baseUrl: string;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Injected fetch (tests); defaults to global fetch. */
  fetch?: typeof fetch;
}

/** A token's book in yesno's shape (levels best first) plus the venue rules the book carries. */
export interface PolymarketBook {
  /** Condition id. */
  market: string;
  tokenId: string;
  /** Best (highest) bid first. */
  bids: BookLevel[];
  /** Best (lowest) ask first. */
  asks: BookLevel[];
  timestamp: Date;
  tickSize: Decimal;
  minOrderSize: Decimal;
  negRisk: boolean;
  lastTradePrice: Decimal | null;
  hash: string;
}

/** Per-market CLOB info (`/clob-markets/{conditionId}`), decoded from its short keys. */
export interface PolymarketClobMarket {
  conditionId: string;
  tokens: { tokenId: string; outcome: string }[];
  tickSize: Decimal;
  negRisk: boolean;
  /** Minimum order size when the venue states it (`mos`). */
  minOrderSize: Decimal | null;
  /** Taker fee parameters (`fd.r`, `fd.e`); null = fee-free. */
  fee: { rate: Decimal; exponent: Decimal } | null;
  /** Accepting orders (`ao`), when stated. */
  acceptingOrders: boolean | null;
}

/** One market of the CLOB listing. */
export interface PolymarketListedMarket {
  conditionId: string;
  questionId: string | null;
  question: string;
  slug: string | null;
  tokens: { tokenId: string; outcome: string; price: Decimal | null; winner: boolean }[];
  tickSize: Decimal;
  minOrderSize: Decimal;
  negRisk: boolean;
  active: boolean;
  closed: boolean;
  archived: boolean;
  acceptingOrders: boolean;
  /** End date when given. */
  endDate: Date | null;
  /** Maker/taker base fees in bps when given. */
  makerBaseFee: Decimal | null;
  takerBaseFee: Decimal | null;
}

export interface PolymarketMarketsPage {
  markets: PolymarketListedMarket[];
  /** Cursor of the next page; MARKETS_END_CURSOR when this was the last one. */
  nextCursor: string;
}

// ---------------------------------------------------------------------------------------------
// Parsers. Decimal-bearing fields accept strings or JSON numbers (the venue is inconsistent: /book
// sends strings, /tick-size a number) and go through String() → Decimal, never arithmetic on floats.
// ---------------------------------------------------------------------------------------------

const decimalText = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const s = String(v).trim();
    if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(s)) {
      ctx.addIssue({ code: 'custom', message: `not a decimal: ${s}` });
      return z.NEVER;
    }
    return new Decimal(s);
  });

const levelSchema = z.object({ price: decimalText, size: decimalText });

/*
 * GET /book?token_id=7132...
 * {"market":"0x5f65...c2","asset_id":"7132...","timestamp":"1764400000123",
 *  "hash":"0x3b1f...","bids":[{"price":"0.47","size":"120"},{"price":"0.48","size":"50.5"}],
 *  "asks":[{"price":"0.52","size":"80"},{"price":"0.51","size":"30"}],
 *  "min_order_size":"5","tick_size":"0.01","neg_risk":false,"last_trade_price":"0.50"}
 * (best bid and best ask are the LAST elements)
 */
export const bookSchema = z.object({
  market: z.string(),
  asset_id: z.string(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  hash: z.string().optional().default(''),
  bids: z.array(levelSchema).nullish(),
  asks: z.array(levelSchema).nullish(),
  min_order_size: decimalText,
  tick_size: decimalText,
  neg_risk: z.boolean().optional().default(false),
  last_trade_price: z.union([z.string(), z.number()]).nullish(),
});

/* GET /tick-size?token_id=7132...  →  {"minimum_tick_size":0.01} */
export const tickSizeSchema = z.object({ minimum_tick_size: decimalText });

/* GET /neg-risk?token_id=7132...  →  {"neg_risk":false} */
export const negRiskSchema = z.object({ neg_risk: z.boolean() });

/* GET /fee-rate?token_id=7132...  →  {"base_fee":0}   (bps) */
export const feeRateSchema = z.object({ base_fee: decimalText });

/*
 * GET /clob-markets/0x5f65...c2
 * {"c":"0x5f65...c2","t":[{"t":"7132...","o":"Yes"},{"t":"4410...","o":"No"}],"mts":0.01,"nr":false,
 *  "fd":{"r":0.02,"e":2,"to":true},"mbf":0,"tbf":0,"r":null,"ao":true,"mos":5}
 */
export const clobMarketSchema = z.object({
  c: z.string().optional(),
  t: z.array(z.object({ t: z.string(), o: z.string() }).nullable()),
  mts: decimalText,
  nr: z.boolean().nullish(),
  fd: z.object({ r: decimalText.optional(), e: decimalText.optional() }).nullish(),
  ao: z.boolean().nullish(),
  mos: decimalText.nullish(),
});

/*
 * GET /markets?next_cursor=MA==  (also /sampling-markets)
 * {"limit":500,"count":1,"next_cursor":"LTE=","data":[{"condition_id":"0x5f65...c2",
 *  "question_id":"0x1a2b...","question":"Will it rain in NYC on Dec 1?","market_slug":"rain-nyc-dec-1",
 *  "tokens":[{"token_id":"7132...","outcome":"Yes","price":0.5,"winner":false},
 *            {"token_id":"4410...","outcome":"No","price":0.5,"winner":false}],
 *  "minimum_order_size":5,"minimum_tick_size":0.01,"neg_risk":false,"active":true,"closed":false,
 *  "archived":false,"accepting_orders":true,"end_date_iso":"2026-12-01T00:00:00Z",
 *  "maker_base_fee":0,"taker_base_fee":0}]}
 */
export const listedMarketSchema = z.object({
  condition_id: z.string(),
  question_id: z.string().nullish(),
  question: z.string().nullish(),
  market_slug: z.string().nullish(),
  tokens: z.array(
    z.object({
      token_id: z.string(),
      outcome: z.string(),
      price: decimalText.nullish(),
      winner: z.boolean().nullish(),
    }),
  ),
  minimum_order_size: decimalText.nullish(),
  minimum_tick_size: decimalText.nullish(),
  neg_risk: z.boolean().nullish(),
  active: z.boolean().nullish(),
  closed: z.boolean().nullish(),
  archived: z.boolean().nullish(),
  accepting_orders: z.boolean().nullish(),
  end_date_iso: z.string().nullish(),
  maker_base_fee: decimalText.nullish(),
  taker_base_fee: decimalText.nullish(),
});
export const marketsPageSchema = z.object({
  next_cursor: z.string().nullish(),
  data: z.array(z.unknown()).nullish(),
});

/* Error bodies: {"error":"No orderbook exists for the requested token id"} */
const errorBodySchema = z.object({ error: z.unknown() });

/** Reads the venue's message out of an error body (JSON `{ error }` or plain text). */
export function venueErrorMessage(status: number, text: string): string {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      const e = parsed.data.error;
      return typeof e === 'string' ? e : JSON.stringify(e);
    }
  } catch {
    /* not JSON */
  }
  const trimmed = text.trim().slice(0, 200);
  return trimmed || `HTTP ${status}`;
}

function toDate(ts: string | number | undefined): Date {
  if (ts === undefined) return new Date();
  const n = Number(ts);
  if (!Number.isFinite(n)) return new Date();
  // The CLOB sends milliseconds; tolerate seconds.
  return new Date(n < 1e12 ? n * 1000 : n);
}

function sortBest(levels: z.infer<typeof levelSchema>[] | null | undefined, side: 'bid' | 'ask'): BookLevel[] {
  const out = (levels ?? []).filter((l) => l.size.gt(0)).map((l) => ({ price: l.price, size: l.size }));
  out.sort((a, b) => (side === 'bid' ? b.price.cmp(a.price) : a.price.cmp(b.price)));
  return out;
}

function parseListedMarket(raw: z.infer<typeof listedMarketSchema>): PolymarketListedMarket {
  return {
    conditionId: raw.condition_id,
    questionId: raw.question_id ?? null,
    question: raw.question ?? '',
    slug: raw.market_slug ?? null,
    tokens: raw.tokens.map((t) => ({ tokenId: t.token_id, outcome: t.outcome, price: t.price ?? null, winner: t.winner ?? false })),
    tickSize: raw.minimum_tick_size ?? new Decimal('0.01'),
    minOrderSize: raw.minimum_order_size ?? new Decimal(5),
    negRisk: raw.neg_risk ?? false,
    active: raw.active ?? false,
    closed: raw.closed ?? false,
    archived: raw.archived ?? false,
    acceptingOrders: raw.accepting_orders ?? false,
    endDate: raw.end_date_iso && !Number.isNaN(Date.parse(raw.end_date_iso)) ? new Date(raw.end_date_iso) : null,
    makerBaseFee: raw.maker_base_fee ?? null,
    takerBaseFee: raw.taker_base_fee ?? null,
  };
}

/** Client for the CLOB's public market-data endpoints. */
export class PolymarketPublicApi {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: PolymarketPublicApiOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /** `GET /book`: the token's book, levels sorted best first, with tick / min size / neg-risk. */
  async getBook(args: { tokenId: string }): Promise<PolymarketBook> {
    const raw = await this.getJson(`/book?token_id=${encodeURIComponent(args.tokenId)}`, bookSchema);
    const last = raw.last_trade_price;
    return {
      market: raw.market,
      tokenId: raw.asset_id,
      bids: sortBest(raw.bids, 'bid'),
      asks: sortBest(raw.asks, 'ask'),
      timestamp: toDate(raw.timestamp),
      tickSize: raw.tick_size,
      minOrderSize: raw.min_order_size,
      negRisk: raw.neg_risk,
      lastTradePrice: last === null || last === undefined || last === '' ? null : new Decimal(String(last)),
      hash: raw.hash,
    };
  }

  /** `GET /tick-size`: the token's minimum tick. */
  async getTickSize(args: { tokenId: string }): Promise<Decimal> {
    return (await this.getJson(`/tick-size?token_id=${encodeURIComponent(args.tokenId)}`, tickSizeSchema)).minimum_tick_size;
  }

  /** `GET /neg-risk`: whether the token trades on the neg-risk exchange. */
  async getNegRisk(args: { tokenId: string }): Promise<boolean> {
    return (await this.getJson(`/neg-risk?token_id=${encodeURIComponent(args.tokenId)}`, negRiskSchema)).neg_risk;
  }

  /** `GET /fee-rate`: the token's base fee in bps. */
  async getFeeRateBps(args: { tokenId: string }): Promise<Decimal> {
    return (await this.getJson(`/fee-rate?token_id=${encodeURIComponent(args.tokenId)}`, feeRateSchema)).base_fee;
  }

  /** `GET /clob-markets/{conditionId}`: tokens, tick size, neg-risk and fee parameters of a market. */
  async getClobMarket(args: { conditionId: string }): Promise<PolymarketClobMarket> {
    const raw = await this.getJson(`/clob-markets/${encodeURIComponent(args.conditionId)}`, clobMarketSchema);
    const rate = raw.fd?.r;
    return {
      conditionId: raw.c ?? args.conditionId,
      tokens: raw.t.filter((t): t is { t: string; o: string } => t !== null).map((t) => ({ tokenId: t.t, outcome: t.o })),
      tickSize: raw.mts,
      negRisk: raw.nr ?? false,
      minOrderSize: raw.mos ?? null,
      fee: rate && !rate.isZero() ? { rate, exponent: raw.fd?.e ?? new Decimal(0) } : null,
      acceptingOrders: raw.ao ?? null,
    };
  }

  /** `GET /markets/{conditionId}`: one market of the listing (same shape as a listing row). */
  async getMarket(args: { conditionId: string }): Promise<PolymarketListedMarket> {
    return parseListedMarket(await this.getJson(`/markets/${encodeURIComponent(args.conditionId)}`, listedMarketSchema));
  }

  /**
   * One page of `GET /markets` (or `/sampling-markets` with `sampling: true`). Markets that fail to
   * parse are skipped (counted in `skipped`), so one odd row never stops a catalog sync.
   */
  async getMarketsPage(args: { cursor?: string; sampling?: boolean } = {}): Promise<PolymarketMarketsPage & { skipped: number }> {
    const path = args.sampling ? '/sampling-markets' : '/markets';
    const raw = await this.getJson(`${path}?next_cursor=${encodeURIComponent(args.cursor ?? MARKETS_FIRST_CURSOR)}`, marketsPageSchema);
    const markets: PolymarketListedMarket[] = [];
    let skipped = 0;
    for (const row of raw.data ?? []) {
      const parsed = listedMarketSchema.safeParse(row);
      if (parsed.success) markets.push(parseListedMarket(parsed.data));
      else skipped += 1;
    }
    return { markets, nextCursor: raw.next_cursor || MARKETS_END_CURSOR, skipped };
  }

  /** Every market of the listing, page by page, until the end cursor (at most `maxPages`). */
  async *iterateMarkets(args: { sampling?: boolean; maxPages?: number } = {}): AsyncGenerator<PolymarketListedMarket> {
    let cursor = MARKETS_FIRST_CURSOR;
    for (let page = 0; page < (args.maxPages ?? 1000); page++) {
      const res = await this.getMarketsPage({ cursor, sampling: args.sampling });
      yield* res.markets;
      if (res.nextCursor === MARKETS_END_CURSOR || res.nextCursor === cursor) return;
      cursor = res.nextCursor;
    }
  }

  private async getJson<S extends z.ZodType>(pathAndQuery: string, schema: S): Promise<z.output<S>> {
    const pathOnly = pathAndQuery.split('?')[0] ?? pathAndQuery;
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${pathAndQuery}`, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw new VenueError({
        kind: 'retryable',
        code: timedOut ? 'TIMEOUT' : 'NETWORK',
        venue: 'polymarket',
        message: timedOut
          ? `Polymarket did not answer ${pathOnly} within ${this.timeoutMs} ms`
          : `Polymarket is unreachable (${pathOnly}): ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      });
    }
    if (!res.ok) {
      const msg = venueErrorMessage(res.status, text);
      const retryable = res.status === 429 || res.status >= 500;
      throw new VenueError({
        kind: retryable ? 'retryable' : 'rejected',
        code: res.status === 429 ? 'RATE_LIMITED' : res.status === 404 ? 'NOT_FOUND' : `HTTP_${res.status}`,
        venue: 'polymarket',
        message: `Polymarket ${pathOnly}: ${msg}`,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new VenueError({ kind: 'rejected', code: 'BAD_RESPONSE', venue: 'polymarket', message: `Polymarket ${pathOnly}: response is not JSON`, cause });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new VenueError({
        kind: 'rejected',
        code: 'BAD_RESPONSE',
        venue: 'polymarket',
        message: `Polymarket ${pathOnly}: unexpected response (${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''})`,
      });
    }
    return parsed.data;
  }
}
