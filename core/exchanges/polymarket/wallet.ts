/**
 * Polymarket sub-wallets and their CLOB API credentials.
 *
 *   const wallet = generateSubWallet();                       // { privateKey, address } — store the key encrypted
 *   const apiCreds = await createOrDeriveApiCreds({ privateKey: wallet.privateKey, clobUrl, chainId: 137 });
 *
 * `createOrDeriveApiCreds` does what the official client's `createOrDeriveApiKey` does (L1 headers from
 * the official `createL1Headers`: an EIP-712 ClobAuth signature by the wallet; `POST /auth/api-key`, and
 * when the venue answers 400 "Could not create api key" because the wallet already has one,
 * `GET /auth/derive-api-key`), but over our own fetch with a timeout: the official client sends it
 * through an untimed global axios and replaces every failure with an empty key, which would hide
 * "Polymarket unreachable" (retry later) behind "no credentials". Secrets never appear in errors.
 */
import { createL1Headers } from '@polymarket/clob-client-v2';
import { z } from 'zod';
import { createWalletClient, custom } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { ClobApiCreds } from '../credentials.ts';
import { httpError, polymarketError, transportError } from './errors.ts';
import { venueErrorMessage } from './public-api.ts';

/** A fresh EOA: 0x-prefixed private key and its checksummed address. */
export function generateSubWallet(): { privateKey: `0x${string}`; address: `0x${string}` } {
  const privateKey = generatePrivateKey();
  return { privateKey, address: privateKeyToAccount(privateKey).address };
}

/** The checksummed address of a private key (for imported keys). Throws on a malformed key. */
export function addressOf(privateKey: `0x${string}`): `0x${string}` {
  return privateKeyToAccount(privateKey).address;
}

/* POST /auth/api-key, GET /auth/derive-api-key → {"apiKey":"a1b2c3d4-...","secret":"c2VjcmV0...=","passphrase":"9f8e..."} */
const apiKeySchema = z.object({ apiKey: z.string().min(1), secret: z.string().min(1), passphrase: z.string().min(1) });

export interface CreateOrDeriveArgs {
  privateKey: `0x${string}`;
  clobUrl: string;
  chainId: 137 | 80002;
  /** Default 10 s. */
  timeoutMs?: number;
  /** L1 nonce (default 0, as the venue's UI uses). */
  nonce?: number;
  fetch?: typeof fetch;
}

/** Creates the wallet's CLOB API key, or derives the existing one. Throws VenueError. */
export async function createOrDeriveApiCreds(args: CreateOrDeriveArgs): Promise<ClobApiCreds> {
  const account = privateKeyToAccount(args.privateKey);
  const signer = createWalletClient({ account, transport: custom({ request: async () => Promise.reject(new Error('no RPC for L1 signing')) }) });
  const base = args.clobUrl.replace(/\/+$/, '');
  const timeoutMs = args.timeoutMs ?? 10_000;
  const doFetch = args.fetch ?? fetch;

  const call = async (method: 'POST' | 'GET', path: string): Promise<{ status: number; text: string }> => {
    const l1 = await createL1Headers(signer as never, args.chainId, args.nonce ?? 0);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [k, v] of Object.entries(l1)) headers[k] = String(v);
    try {
      const res = await doFetch(`${base}${path}`, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
      return { status: res.status, text: await res.text() };
    } catch (cause) {
      // Creating a key twice is harmless (the second answer is 400 → derive), so every network failure is retryable.
      throw transportError({ cause, phase: 'read', timeoutMs });
    }
  };
  const parse = (text: string): ClobApiCreds => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw polymarketError('BAD_RESPONSE', 'api key answer is not JSON');
    }
    const parsed = apiKeySchema.safeParse(json);
    if (!parsed.success) throw polymarketError('BAD_RESPONSE', 'api key answer without credentials');
    return { key: parsed.data.apiKey, secret: parsed.data.secret, passphrase: parsed.data.passphrase };
  };

  const created = await call('POST', '/auth/api-key');
  if (created.status >= 200 && created.status < 300) return parse(created.text);
  const createMsg = venueErrorMessage(created.status, created.text);
  if (created.status !== 400) throw httpError({ status: created.status, message: createMsg, phase: 'read' });
  const derived = await call('GET', '/auth/derive-api-key');
  if (derived.status >= 200 && derived.status < 300) return parse(derived.text);
  throw httpError({ status: derived.status, message: venueErrorMessage(derived.status, derived.text), phase: 'read' });
}
