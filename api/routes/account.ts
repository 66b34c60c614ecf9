/**
 * Linked venue accounts (bearer API token): create or return the Polymarket sub-wallet (its CLOB
 * credentials derived through L1 auth), link a Kalshi API key (verified with a balance call), show
 * what is linked with balances, unlink. No response ever contains a secret, and no validation
 * message echoes what was sent for a key.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { AccountError, type AccountErrorCode, type AccountsApi, type AccountView } from '../../core/accounts/types.ts';
import type { Services } from '../../core/services.ts';
import { currentUser } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { errors, noQuery, oneOf, VENUE_NAMES } from '../schemas.ts';
import type { ZodTypeProvider } from '../zod.ts';

/** Options of the account routes plugin. */
export interface AccountRoutesOptions {
  services: Services & { accounts?: AccountsApi };
}

const security = [{ apiToken: [] }];

/** HTTP status of each AccountError code: bad input 400, refused by the venue 422, venue down 503. */
export const ACCOUNT_ERROR_STATUS = {
  invalid_input: 400,
  rejected: 422,
  not_linked: 404,
  conflict: 409,
  venue_unavailable: 503,
  disabled: 503,
} as const satisfies Record<AccountErrorCode, number>;

function toHttp(err: unknown): unknown {
  if (!(err instanceof AccountError)) return err;
  const status = ACCOUNT_ERROR_STATUS[err.code];
  return new HttpError(status, err.code, err.message, status === 503 && err.code === 'venue_unavailable' ? { 'retry-after': '5' } : {});
}

/** A secret field: its messages never contain the value. */
function secretField(name: string, max: number, what: string) {
  return z
    .string({ error: (iss) => (iss.input === undefined ? `${name} is required (${what})` : `${name} must be a string (${what})`) })
    .min(1, `${name} must not be empty (${what})`)
    .max(max, `${name} is too long for ${what}`);
}

const polymarketBody = z
  .strictObject({
    signatureType: z
      .union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)], { error: 'signatureType must be 0 (EOA), 1 (POLY_PROXY), 2 (POLY_GNOSIS_SAFE) or 3 (POLY_1271)' })
      .optional()
      .meta({ description: 'How orders are signed: 0 EOA (default), 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271.' }),
    funderAddress: z
      .string({ error: 'funderAddress must be a 0x-prefixed address string' })
      .regex(/^0x[0-9a-fA-F]{40}$/, 'funderAddress must be a 0x-prefixed 20-byte address')
      .optional()
      .meta({ description: 'The deposit / proxy wallet holding the funds; required when signatureType is not 0.' }),
    privateKey: secretField('privateKey', 200, 'a wallet private key of 64 hex characters')
      .optional()
      .meta({ description: 'Import this existing key instead of generating a sub-wallet (optional). Stored encrypted, never shown again.' }),
  })
  .optional()
  .transform((v) => v ?? {});

const kalshiBody = z.strictObject({
  keyId: z
    .string({ error: (iss) => (iss.input === undefined ? 'keyId is required (the API key id Kalshi shows)' : 'keyId must be a string') })
    .trim()
    .min(1, 'keyId must not be empty')
    .max(128, 'keyId is at most 128 characters')
    .meta({ description: 'The API key id from Kalshi (Account → API keys).' }),
  privateKey: secretField('privateKey', 8000, 'the RSA private key PEM Kalshi gave you').meta({
    description: 'The RSA private key, PEM (PKCS#1 "BEGIN RSA PRIVATE KEY" as Kalshi issues it, or PKCS#8). Stored encrypted, never shown again.',
  }),
});

const venueParams = z.strictObject({ venue: oneOf('venue', VENUE_NAMES) });
const unlinkQuery = z.strictObject({
  confirm: z.string().max(100, 'confirm is at most 100 characters').optional().meta({ description: 'Polymarket: the wallet address, to confirm deleting its key.' }),
});

const venueJson = z.object({
  venue: z.enum(VENUE_NAMES),
  linked: z.boolean(),
  status: z.enum(['not_linked', 'ready', 'incomplete']).meta({ description: '`incomplete`: the wallet exists, its CLOB credentials are not derived yet; POST again.' }),
  publicId: z.string().nullable().meta({ description: 'Polymarket: the sub-wallet (signer) address; Kalshi: the API key id.' }),
  address: z.string().optional().meta({ description: 'Polymarket: the deposit address (funder wallet).' }),
  signatureType: z.number().int().optional(),
  origin: z.enum(['generated', 'imported']).optional(),
  linkedAt: z.string().nullable().meta({ format: 'date-time' }),
  balance: z.string().nullable().meta({ description: 'Available USD on the venue, as a decimal string; null when not linked or unavailable.' }),
  balanceUnavailable: z.string().optional(),
});
const accountJson = z.object({ mode: z.enum(['paper', 'live']), venues: z.array(venueJson) });

function accountToJson(view: AccountView): z.input<typeof accountJson> {
  return {
    mode: view.mode,
    venues: view.venues.map((v) => ({
      venue: v.venue,
      linked: v.linked,
      status: v.status,
      publicId: v.publicId,
      ...(v.venue === 'polymarket' && v.publicId ? { address: v.funderAddress ?? v.publicId, signatureType: v.signatureType, origin: v.origin } : {}),
      linkedAt: v.linkedAt?.toISOString() ?? null,
      balance: v.balance?.toFixed() ?? null,
      ...(v.balanceUnavailable ? { balanceUnavailable: v.balanceUnavailable } : {}),
    })),
  };
}

export const accountRoutes: FastifyPluginAsync<AccountRoutesOptions> = async (app, { services }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const accounts = (): AccountsApi => {
    if (!services.accounts) {
      throw new HttpError(503, 'accounts_disabled', 'Linking venue accounts is not enabled on this server (it needs CREDENTIALS_KEY to encrypt your keys).');
    }
    return services.accounts;
  };

  r.post(
    '/account/polymarket',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create (or return) your Polymarket sub-wallet and derive its CLOB API credentials',
        description:
          'The first call generates an EOA for you (its key is stored encrypted) and creates or derives its CLOB credentials through L1 auth; ' +
          'later calls return the same address. Deposit USDC to `address`. Optionally import an existing key, or set the signature type and funder address.',
        security,
        querystring: noQuery,
        body: polymarketBody,
        response: { 201: z.object({ address: z.string() }), ...errors(400, 401, 409, 422, 429, 503) },
      },
    },
    async (req, reply) => {
      const user = currentUser(req);
      try {
        const res = await accounts().linkPolymarket({ userId: user.id, ...req.body });
        return reply.code(201).send({ address: res.address });
      } catch (err) {
        throw toHttp(err);
      }
    },
  );

  r.post(
    '/account/kalshi',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Link a Kalshi API key (verified with a balance call before it is stored)',
        security,
        querystring: noQuery,
        body: kalshiBody,
        response: { 201: z.object({ keyId: z.string(), balance: z.string().nullable() }), ...errors(400, 401, 422, 429, 503) },
      },
    },
    async (req, reply) => {
      const user = currentUser(req);
      try {
        const res = await accounts().linkKalshi({ userId: user.id, keyId: req.body.keyId, privateKey: req.body.privateKey });
        return reply.code(201).send({ keyId: res.keyId, balance: res.balance?.toFixed() ?? null });
      } catch (err) {
        throw toHttp(err);
      }
    },
  );

  r.get(
    '/account',
    {
      schema: {
        tags: ['accounts'],
        summary: 'What you have linked on each venue, with balances (never secrets)',
        security,
        querystring: noQuery,
        response: { 200: accountJson, ...errors(401, 429, 503) },
      },
    },
    async (req) => accountToJson(await accounts().getAccount(currentUser(req).id)),
  );

  r.delete(
    '/account/:venue',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Unlink a venue (Polymarket: confirm with your wallet address; its key is deleted)',
        security,
        params: venueParams,
        querystring: unlinkQuery,
        response: { 200: z.object({ removed: z.boolean() }), ...errors(400, 401, 409, 429, 503) },
      },
    },
    async (req) => {
      try {
        return await accounts().unlink({ userId: currentUser(req).id, venue: req.params.venue, confirm: req.query.confirm });
      } catch (err) {
        throw toHttp(err);
      }
    },
  );
};
