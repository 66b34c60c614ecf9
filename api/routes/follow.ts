/**
 * Counter-trading and copy-trading routes (bearer API token, issue 6):
 *
 *   POST   /api/v1/counter-trades | /api/v1/copy-trades        start following a wallet
 *   GET    /api/v1/counter-trades | /api/v1/copy-trades        yours (?includeStopped=true for stopped ones too)
 *   GET    /api/v1/counter-trades/:id | /api/v1/copy-trades/:id  one, with the ids of the orders it placed
 *   PATCH  …/:id                                                change settings; enabled false/true pauses/resumes
 *   DELETE …/:id                                                stop for good (kept with its order history)
 *
 * JSON uses the seed's names (targetWalletAddress, strategy, sizeMultiplier, executionDelaySec,
 * maxTradeSize, dailyStopLoss, categories); money and multipliers are decimal strings. Another
 * user's follow is a 404, exactly like a missing one.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { FollowKind, FollowView } from '../../core/following/types.ts';
import type { Services } from '../../core/services.ts';
import { TradingError } from '../../core/trading/types.ts';
import { currentUser } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { decimalString, errors, noQuery, uuidString } from '../schemas.ts';
import { d, dn } from '../serialize.ts';
import type { ZodTypeProvider } from '../zod.ts';

export interface FollowRoutesOptions {
  services: Services;
}

const security = [{ apiToken: [] }];
const WALLET_RE = /^0x[0-9a-fA-F]{40}$/;

function shown(input: unknown): string {
  const s = typeof input === 'string' ? JSON.stringify(input) : String(input);
  return s.length > 50 ? `${s.slice(0, 47)}...` : s;
}

const wallet = z
  .string({ error: (iss) => (iss.input === undefined ? 'targetWalletAddress is required (0x followed by 40 hex digits)' : 'targetWalletAddress must be a string such as "0x56687bf447db6ffa42ffe2204a05edaa20f55839"') })
  .regex(WALLET_RE, { error: (iss) => `targetWalletAddress must be 0x followed by 40 hex digits, a Polymarket wallet address (got ${shown(iss.input)})` })
  .meta({ description: 'The Polymarket wallet (proxy wallet) to follow.', examples: ['0x56687bf447db6ffa42ffe2204a05edaa20f55839'] });

const multiplier = decimalString('sizeMultiplier', '1.5', "Multiplier applied to the target's trade size (shares); at most 999.99, 2 decimal places.")
  .refine((v) => v.decimalPlaces() <= 2, { message: 'sizeMultiplier has at most 2 decimal places, e.g. "0.25"', abort: true })
  .refine((v) => v.lte('999.99'), { message: 'sizeMultiplier is at most "999.99"', abort: true });

const delay = z
  .number({ error: (iss) => `executionDelaySec must be a whole number of seconds from 0 to 3600 (got ${shown(iss.input)})` })
  .int({ error: (iss) => `executionDelaySec must be a whole number of seconds from 0 to 3600 (got ${shown(iss.input)})` })
  .min(0, 'executionDelaySec must be 0 or more')
  .max(3600, 'executionDelaySec is at most 3600 (one hour)')
  .meta({ description: 'Seconds to wait after the target trades before placing our order (re-quoted then). Default 0.' });

const usdCap = (name: string, example: string, what: string) => decimalString(name, example, what);

const categories = z
  .array(z.string({ error: 'categories must be a list of category names (strings)' }).trim().min(1, 'a category must not be empty').max(50, 'a category is at most 50 characters'), {
    error: 'categories must be a list such as ["politics", "crypto"]',
  })
  .max(20, 'categories has at most 20 entries')
  .meta({ description: 'Only markets in these categories (see GET /api/v1/markets); empty or omitted = all.' });

const strategy = z.string({ error: 'strategy must be a string: "inverse" for counter-trades' }).meta({ description: 'Counter-trades: "inverse" (the default and only one: take the opposite side). Copy-trades: omit it.' });

export const followBody = z
  .strictObject({
    targetWalletAddress: wallet,
    strategy: strategy.optional(),
    sizeMultiplier: multiplier,
    executionDelaySec: delay.optional(),
    maxTradeSize: usdCap('maxTradeSize', '50', 'Per-trade cap in USD.').optional(),
    dailyStopLoss: usdCap('dailyStopLoss', '100', "USD: when today's PnL of this follow reaches minus this, it pauses until the daily reset.").optional(),
    categories: categories.optional(),
  })
  .meta({ description: "A follow of a wallet: every trade of the target produces at most one order of ours, sized target size × sizeMultiplier, capped, delayed and filtered as given. Decimal values are strings." });

const nullableUsd = (name: string, example: string, what: string) => usdCap(name, example, what).nullable().optional();

export const followPatchBody = z
  .strictObject({
    sizeMultiplier: multiplier.optional(),
    executionDelaySec: delay.optional(),
    maxTradeSize: nullableUsd('maxTradeSize', '50', 'Per-trade cap in USD; null removes it.'),
    dailyStopLoss: nullableUsd('dailyStopLoss', '100', 'Daily stop-loss in USD; null removes it.'),
    categories: categories.optional(),
    enabled: z.boolean({ error: (iss) => `enabled must be true (resume) or false (pause) (got ${shown(iss.input)})` }).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'send at least one of sizeMultiplier, executionDelaySec, maxTradeSize, dailyStopLoss, categories, enabled (targetWalletAddress cannot change: start a new follow)',
  })
  .meta({ description: 'Changes a follow. Omitted fields stay as they are; null removes a cap; enabled false pauses, true resumes.' });

const listQuery = z.strictObject({
  includeStopped: z.enum(['true', 'false'], { error: (iss) => `includeStopped must be "true" or "false" (got ${shown(iss.input)})` }).optional(),
});

const dec = z.string().meta({ pattern: '^-?\\d+(\\.\\d+)?$', description: 'Decimal as a string.' });
const date = z.string().meta({ format: 'date-time' });

export const followJson = z.object({
  id: z.string(),
  kind: z.enum(['counter', 'copy']),
  targetWalletAddress: z.string(),
  strategy: z.string(),
  sizeMultiplier: dec,
  executionDelaySec: z.number().int(),
  maxTradeSize: dec.nullable(),
  dailyStopLoss: dec.nullable(),
  categories: z.array(z.string()),
  state: z.enum(['active', 'paused', 'stopped-loss', 'stopped']).meta({ description: 'active; paused (by you); stopped-loss (paused by the daily stop-loss until the reset); stopped (for good).' }),
  enabled: z.boolean(),
  pausedUntil: date.nullable(),
  pauseReason: z.string().nullable(),
  dailyPnl: dec,
  dailyTradeCount: z.number().int(),
  dailyResetAt: date.nullable(),
  stoppedAt: date.nullable(),
  orderIds: z.array(z.string()).meta({ description: 'Orders this follow placed (GET by id only; empty in lists).' }),
  createdAt: date,
  updatedAt: date,
});

export function followToJson(f: FollowView): z.input<typeof followJson> {
  return {
    id: f.id,
    kind: f.kind,
    targetWalletAddress: f.targetWalletAddress,
    strategy: f.strategy,
    sizeMultiplier: d(f.sizeMultiplier),
    executionDelaySec: f.executionDelaySec,
    maxTradeSize: dn(f.maxTradeSize),
    dailyStopLoss: dn(f.dailyStopLoss),
    categories: [...f.categories],
    state: f.state,
    enabled: f.enabled,
    pausedUntil: f.pausedUntil?.toISOString() ?? null,
    pauseReason: f.pauseReason,
    dailyPnl: d(f.dailyPnl),
    dailyTradeCount: f.dailyTradeCount,
    dailyResetAt: f.dailyResetAt?.toISOString() ?? null,
    stoppedAt: f.stoppedAt?.toISOString() ?? null,
    orderIds: [...f.orderIds],
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
  };
}

const PATHS: Record<FollowKind, { path: string; noun: string }> = {
  counter: { path: '/counter-trades', noun: 'counter-trade' },
  copy: { path: '/copy-trades', noun: 'copy-trade' },
};

export const followRoutes: FastifyPluginAsync<FollowRoutesOptions> = async (app, { services }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const follow = () => {
    if (!services.follow) throw new HttpError(503, 'unavailable', 'Copy- and counter-trading are not available on this server.');
    return services.follow;
  };
  for (const kind of ['counter', 'copy'] as const) {
    const { path, noun } = PATHS[kind];
    const params = z.strictObject({ id: uuidString(`${noun} id`) });
    const reply1 = z.object({ [kind === 'counter' ? 'counterTrade' : 'copyTrade']: followJson });
    const key = kind === 'counter' ? 'counterTrade' : 'copyTrade';
    const notFound = async <T>(p: Promise<T>): Promise<T> => {
      try {
        return await p;
      } catch (err) {
        if (err instanceof TradingError && err.code === 'order_not_found') throw new HttpError(404, `${noun.replace('-', '_')}_not_found`, err.message.replace('/follows', `GET /api/v1${path}`));
        throw err;
      }
    };
    const summary = kind === 'counter' ? 'take the opposite side of every trade of a wallet' : 'mirror every trade of a wallet';

    r.post(
      path,
      {
        schema: {
          tags: ['trading'],
          summary: `Start a ${noun}: ${summary}`,
          description:
            (kind === 'counter'
              ? 'Inverse: when the target buys an outcome we buy the opposite outcome of the same market; when it sells, we sell the opposite shares this counter-trade bought (never more). '
              : 'When the target buys an outcome we buy the same outcome; when it sells, we sell what this copy-trade bought (never more). ') +
            'Size = target shares × sizeMultiplier, capped by maxTradeSize (USD) and your per-order limit; below the venue minimum the trade is skipped and you are told why. ' +
            `Orders carry source "${kind === 'counter' ? 'counter-trade' : 'copy-trade'}" and go through the SmartRouter. Trades the target made before this call are not followed.`,
        security,
        querystring: noQuery,
        body: followBody,
        response: { 201: reply1, ...errors(400, 401, 413, 415, 429) },
      },
    },
      async (req, reply) => {
        const user = currentUser(req);
        const b = req.body;
        const view = await follow().create({
          userId: user.id,
          kind,
          targetWalletAddress: b.targetWalletAddress,
          ...(b.strategy !== undefined ? { strategy: b.strategy } : {}),
          sizeMultiplier: b.sizeMultiplier,
          ...(b.executionDelaySec !== undefined ? { executionDelaySec: b.executionDelaySec } : {}),
          ...(b.maxTradeSize !== undefined ? { maxTradeSize: b.maxTradeSize } : {}),
          ...(b.dailyStopLoss !== undefined ? { dailyStopLoss: b.dailyStopLoss } : {}),
          ...(b.categories !== undefined ? { categories: b.categories } : {}),
        });
        return reply.code(201).send({ [key]: followToJson(view) });
      },
    );

    r.get(
      path,
      {
        schema: {
          tags: ['trading'],
          summary: `Your ${noun}s, newest first, with today's PnL and trade count`,
          security,
          querystring: listQuery,
          response: { 200: z.object({ [`${key}s`]: z.array(followJson) }), ...errors(400, 401, 429) },
        },
      },
      async (req) => {
        const user = currentUser(req);
        const list = await follow().list({ userId: user.id, kind, includeStopped: req.query.includeStopped === 'true' });
        return { [`${key}s`]: list.map(followToJson) };
      },
    );

    r.get(
      `${path}/:id`,
      {
        schema: { tags: ['trading'], summary: `One of your ${noun}s, with the ids of the orders it placed`, security, querystring: noQuery, params, response: { 200: reply1, ...errors(400, 401, 404, 429) } },
      },
      async (req) => {
        const user = currentUser(req);
        return { [key]: followToJson(await notFound(follow().get({ userId: user.id, kind, id: req.params.id }))) };
      },
    );

    r.patch(
      `${path}/:id`,
      {
        schema: {
          tags: ['trading'],
          summary: `Change, pause or resume one of your ${noun}s`,
          description: 'A stopped one cannot change (409). Pausing or resuming does not lift a daily stop-loss pause: that lasts until the daily reset.',
          security,
          querystring: noQuery,
          params,
          body: followPatchBody,
          response: { 200: reply1, ...errors(400, 401, 404, 409, 413, 415, 429) },
        },
      },
      async (req) => {
        const user = currentUser(req);
        const b = req.body;
        const view = await notFound(
          follow().update({
            userId: user.id,
            kind,
            id: req.params.id,
            ...(b.sizeMultiplier !== undefined ? { sizeMultiplier: b.sizeMultiplier } : {}),
            ...(b.executionDelaySec !== undefined ? { executionDelaySec: b.executionDelaySec } : {}),
            ...(b.maxTradeSize !== undefined ? { maxTradeSize: b.maxTradeSize } : {}),
            ...(b.dailyStopLoss !== undefined ? { dailyStopLoss: b.dailyStopLoss } : {}),
            ...(b.categories !== undefined ? { categories: b.categories } : {}),
            ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
          }),
        );
        return { [key]: followToJson(view) };
      },
    );

    r.delete(
      `${path}/:id`,
      {
        schema: {
          tags: ['trading'],
          summary: `Stop one of your ${noun}s for good`,
          description: 'Nothing more is placed for it (delayed trades not yet sent are dropped); it stays listed with ?includeStopped=true, with its orders. Open positions are not sold. Stopping twice is 409.',
          security,
          querystring: noQuery,
          params,
          response: { 200: reply1, ...errors(400, 401, 404, 409, 429) },
        },
      },
      async (req) => {
        const user = currentUser(req);
        return { [key]: followToJson(await notFound(follow().stop({ userId: user.id, kind, id: req.params.id }))) };
      },
    );
  }
};
