/**
 * The fake CLOB's verification of what the venue verifies: L1 headers (EIP-712 ClobAuth signed by the
 * wallet), L2 headers (HMAC-SHA256 over ts+METHOD+path+body with the api secret) and the EIP-712 V2
 * order signature (domain "Polymarket CTF Exchange" v2, exchange or neg-risk exchange contract).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { getAddress, hashTypedData, recoverTypedDataAddress, type Hex } from 'viem';

export const EXCHANGE_V2 = '0xE111180000d2663C0091e4f400237545B87B996B' as const;
export const NEG_RISK_EXCHANGE_V2 = '0xe2222d279d744050d28e00520010520000310F59' as const;
export const CLOB_AUTH_MESSAGE = 'This message attests that I control the given wallet';

export const ORDER_TYPES = {
  Order: [
    { name: 'salt', type: 'uint256' },
    { name: 'maker', type: 'address' },
    { name: 'signer', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'makerAmount', type: 'uint256' },
    { name: 'takerAmount', type: 'uint256' },
    { name: 'side', type: 'uint8' },
    { name: 'signatureType', type: 'uint8' },
    { name: 'timestamp', type: 'uint256' },
    { name: 'metadata', type: 'bytes32' },
    { name: 'builder', type: 'bytes32' },
  ],
} as const;

export interface ApiKeyRecord {
  apiKey: string;
  secret: string;
  passphrase: string;
  address: string;
}

export type Headers = Record<string, string | string[] | undefined>;
const h = (headers: Headers, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** Verifies L1 headers; returns the wallet address and nonce, or null. */
export async function verifyL1(args: { headers: Headers; chainId: number; nowSec: number }): Promise<{ address: string; nonce: string } | null> {
  const address = h(args.headers, 'POLY_ADDRESS');
  const signature = h(args.headers, 'POLY_SIGNATURE');
  const timestamp = h(args.headers, 'POLY_TIMESTAMP');
  const nonce = h(args.headers, 'POLY_NONCE') ?? '0';
  if (!address || !signature || !timestamp || !/^\d+$/.test(nonce)) return null;
  if (Math.abs(args.nowSec - Number(timestamp)) > 300) return null;
  try {
    const recovered = await recoverTypedDataAddress({
      domain: { name: 'ClobAuthDomain', version: '1', chainId: args.chainId },
      types: {
        ClobAuth: [
          { name: 'address', type: 'address' },
          { name: 'timestamp', type: 'string' },
          { name: 'nonce', type: 'uint256' },
          { name: 'message', type: 'string' },
        ],
      },
      primaryType: 'ClobAuth',
      message: { address: getAddress(address), timestamp, nonce: BigInt(nonce), message: CLOB_AUTH_MESSAGE },
      signature: signature as Hex,
    });
    return recovered.toLowerCase() === address.toLowerCase() ? { address: recovered, nonce } : null;
  } catch {
    return null;
  }
}

/** Fresh L2 credentials for an address, shaped as the venue hands them out. */
export function newApiKey(address: string): ApiKeyRecord {
  return { apiKey: randomUUID(), secret: randomBytes(32).toString('base64url') + '=', passphrase: randomBytes(32).toString('hex'), address: getAddress(address) };
}

/** The venue's HMAC: base64url-decoded secret, HMAC-SHA256, url-safe base64 with padding kept. */
export function hmacSignature(secret: string, message: string): string {
  const key = Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return createHmac('sha256', key).update(message).digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Verifies L2 headers against the stored keys; returns the key record or null. */
export function verifyL2(args: { headers: Headers; method: string; path: string; body: string; keys: Map<string, ApiKeyRecord>; nowSec: number }): ApiKeyRecord | null {
  const apiKey = h(args.headers, 'POLY_API_KEY');
  const sig = h(args.headers, 'POLY_SIGNATURE');
  const ts = h(args.headers, 'POLY_TIMESTAMP');
  const pass = h(args.headers, 'POLY_PASSPHRASE');
  const address = h(args.headers, 'POLY_ADDRESS');
  if (!apiKey || !sig || !ts || !pass || !address) return null;
  const rec = args.keys.get(apiKey);
  if (!rec || rec.passphrase !== pass || rec.address.toLowerCase() !== address.toLowerCase()) return null;
  if (Math.abs(args.nowSec - Number(ts)) > 300) return null;
  const expected = hmacSignature(rec.secret, `${ts}${args.method}${args.path}${args.body}`);
  const a = Buffer.from(expected);
  const b = Buffer.from(sig);
  return a.length === b.length && timingSafeEqual(a, b) ? rec : null;
}

/** The V2 order as it travels in `POST /order` (`order` field). */
export interface WireOrderV2 {
  salt: number | string;
  maker: string;
  signer: string;
  tokenId: string;
  makerAmount: string;
  takerAmount: string;
  side: 'BUY' | 'SELL';
  signatureType: number;
  timestamp: string;
  expiration?: string;
  metadata: string;
  builder: string;
  signature: string;
}

function typedData(order: WireOrderV2, chainId: number, negRisk: boolean) {
  return {
    domain: { name: 'Polymarket CTF Exchange', version: '2', chainId, verifyingContract: negRisk ? NEG_RISK_EXCHANGE_V2 : EXCHANGE_V2 },
    types: ORDER_TYPES,
    primaryType: 'Order' as const,
    message: {
      salt: BigInt(order.salt),
      maker: getAddress(order.maker),
      signer: getAddress(order.signer),
      tokenId: BigInt(order.tokenId),
      makerAmount: BigInt(order.makerAmount),
      takerAmount: BigInt(order.takerAmount),
      side: order.side === 'BUY' ? 0 : 1,
      signatureType: order.signatureType,
      timestamp: BigInt(order.timestamp),
      metadata: order.metadata as Hex,
      builder: order.builder as Hex,
    },
  };
}

/** The order's EIP-712 hash (the venue's order id) and the address that signed it (null if unrecoverable). */
export async function verifyOrderSignature(order: WireOrderV2, chainId: number, negRisk: boolean): Promise<{ hash: Hex; signer: string | null }> {
  const td = typedData(order, chainId, negRisk);
  const hash = hashTypedData(td);
  try {
    const signer = await recoverTypedDataAddress({ ...td, signature: order.signature as Hex });
    return { hash, signer };
  } catch {
    return { hash, signer: null };
  }
}
