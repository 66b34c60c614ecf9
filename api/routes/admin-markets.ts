/**
 * Admin market registration (bearer ADMIN_TOKEN, registered inside /admin):
 * - POST /admin/markets: one market over 1–2 venue listings (audited) → 201 { market }.
 * - GET /admin/markets/suggestions: Polymarket ↔ Kalshi pairs not registered yet, scored, for review.
 * Errors: bad input 400, a listing the venue does not know or that does not match 422, already
 * listed 409 (naming the market), venue unreachable 503 (Retry-After), venue answered oddly 502.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { MarketRegistrationError, type MarketAdminApi, type RegistrationErrorCode } from '../../core/markets/market-registration.ts';
import type { DirectoryMarket } from '../../core/markets/directory.ts';
import { HttpError } from '../errors.ts';
import { errors } from '../schemas.ts';
import type { ZodTypeProvider } from '../zod.ts';
import { ADMIN_ACTOR } from './admin.ts';

export interface AdminMarketsRoutesOptions {
  markets: MarketAdminApi;
}

const security = [{ adminToken: [] }];

const str = (name: string, max: number) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .trim()
    .min(1, `${name} must not be empty`)
    .max(max, `${name} is at most ${max} characters`);

const polymarketListing = z.strictObject({
  venue: z.literal('polymarket'),
  conditionId: str('conditionId', 66),
  yesTokenId: str('yesTokenId', 78),
  noTokenId: str('noTokenId', 78),
});
const kalshiListing = z.strictObject({ venue: z.literal('kalshi'), ticker: str('ticker', 100) });
const listing = z.unknown().transform((v, ctx) => {
  const venue = (v as { venue?: unknown } | null)?.venue;
  if (typeof v !== 'object' || v === null) {
    ctx.addIssue({ code: 'custom', message: 'each listing must be an object like { "venue": "kalshi", "ticker": "…" }' });
    return z.NEVER;
  }
  const schema = venue === 'polymarket' ? polymarketListing : venue === 'kalshi' ? kalshiListing : null;
  if (!schema) {
    ctx.addIssue({ code: 'custom', message: `venue must be "polymarket" or "kalshi"${venue === undefined ? ' (venue is required)' : `, not ${JSON.stringify(venue)}`}` });
    return z.NEVER;
  }
  const parsed = schema.safeParse(v);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (tick size, minimum size and neg-risk are read from the venue)`
          : issue.message;
      ctx.addIssue({ code: 'custom', message, path: issue.path });
    }
    return z.NEVER;
  }
  return parsed.data;
});

export const registerMarketBody = z.strictObject({
  title: str('title', 200),
  category: str('category', 50),
  closesAt: z.iso
    .datetime({ offset: true, error: 'closesAt must be an ISO 8601 date-time like 2026-12-31T23:59:59Z' })
    .transform((s) => new Date(s))
    .optional(),
  listings: z
    .array(listing, { error: (i) => (i.input === undefined ? 'listings is required' : 'listings must be an array') })
    .min(1, 'listings must have at least 1 entry')
    .max(2, 'listings must have at most 2 entries (one per venue)'),
});

const suggestionsQuery = z.strictObject({
  limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(100, 'limit is at most 100').default(20),
  offset: z.coerce.number({ error: 'offset must be a number' }).int('offset must be a whole number').min(0, 'offset must be at least 0').default(0),
});

const listingJson = z.object({
  id: z.string(),
  venue: z.enum(['polymarket', 'kalshi']),
  venueMarketId: z.string(),
  yesTokenId: z.string().nullable(),
  noTokenId: z.string().nullable(),
  tickSize: z.string(),
  minSize: z.string(),
  negRisk: z.boolean(),
});
const marketJson = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  category: z.string(),
  status: z.string(),
  closesAt: z.string().nullable(),
  listings: z.array(listingJson),
});
const candidateJson = z.object({ venueMarketId: z.string(), title: z.string(), closesAt: z.string().nullable() });
const suggestionJson = z.object({ score: z.number(), polymarket: candidateJson, kalshi: candidateJson, reasons: z.array(z.string()) });

/** HTTP status of each registration failure. */
const STATUS: Record<RegistrationErrorCode, number> = {
  invalid_input: 400,
  already_listed: 409,
  not_on_venue: 422,
  venue_mismatch: 422,
  venue_unavailable: 503,
  venue_error: 502,
};

function marketToJson(m: DirectoryMarket): z.input<typeof marketJson> {
  return {
    id: m.id,
    slug: m.slug,
    title: m.title,
    category: m.category,
    status: m.status,
    closesAt: m.closesAt?.toISOString() ?? null,
    listings: m.listings.map((l) => ({
      id: l.listingId,
      venue: l.venue,
      venueMarketId: l.venueMarketId,
      yesTokenId: l.yesTokenId ?? null,
      noTokenId: l.noTokenId ?? null,
      tickSize: l.tickSize.toFixed(),
      minSize: l.minSize.toFixed(),
      negRisk: l.negRisk,
    })),
  };
}

export const adminMarketsRoutes: FastifyPluginAsync<AdminMarketsRoutesOptions> = async (app, { markets }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/markets',
    {
      schema: {
        tags: ['admin'],
        summary: 'Register a market listed on one or both venues (venue rules are read from the venue)',
        security,
        body: registerMarketBody,
        response: { 201: z.object({ market: marketJson }), ...errors(400, 401, 409, 413, 415, 422, 429, 502, 503) },
      },
    },
    async (req, reply) => {
      try {
        const market = await markets.register(req.body, ADMIN_ACTOR);
        return reply.code(201).send({ market: marketToJson(market) });
      } catch (err) {
        if (err instanceof MarketRegistrationError) {
          const status = STATUS[err.code];
          throw new HttpError(status, err.code, err.message, status === 503 ? { 'retry-after': '30' } : {});
        }
        throw err;
      }
    },
  );

  r.get(
    '/markets/suggestions',
    {
      schema: {
        tags: ['admin'],
        summary: 'Polymarket ↔ Kalshi pairs that look like the same event and are not registered yet (best first)',
        security,
        querystring: suggestionsQuery,
        response: { 200: z.object({ suggestions: z.array(suggestionJson), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }), ...errors(400, 401, 429) },
      },
    },
    async (req) => {
      const { suggestions, total } = await markets.suggestions({ limit: req.query.limit, offset: req.query.offset });
      const cand = (c: { venueMarketId: string; title: string; closesAt: Date | null }) => ({ venueMarketId: c.venueMarketId, title: c.title, closesAt: c.closesAt?.toISOString() ?? null });
      return {
        suggestions: suggestions.map((s) => ({ score: s.score, polymarket: cand(s.polymarket), kalshi: cand(s.kalshi), reasons: s.reasons })),
        total,
        limit: req.query.limit,
        offset: req.query.offset,
      };
    },
  );
};
