/** Kalshi keys as people paste them (core/accounts/pem.ts) and live routing over linked venues (core/accounts/linked-venues.ts). */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { explainLinkedOnly, linkedListings } from '../../core/accounts/linked-venues.ts';
import { normaliseRsaPem } from '../../core/accounts/pem.ts';
import { AccountError } from '../../core/accounts/types.ts';
import type { ListingRef } from '../../core/exchanges/types.ts';
import { Decimal } from '../../core/money.ts';
import { TradingError } from '../../core/trading/types.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PKCS1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PKCS8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const bodyOf = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');

function accountError(fn: () => unknown): AccountError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AccountError) return err;
    throw err;
  }
  throw new Error('expected an AccountError');
}

describe('normaliseRsaPem', () => {
  it('keeps PKCS#1 and PKCS#8 keys, and repairs pastes that lost their line breaks or carry literal \\n', () => {
    expect(normaliseRsaPem(PKCS1)).toBe(PKCS1);
    expect(normaliseRsaPem(PKCS8)).toBe(PKCS8);
    expect(normaliseRsaPem(PKCS1.replace(/\n/g, ' '))).toBe(PKCS1);
    expect(normaliseRsaPem(PKCS1.replace(/\n/g, ''))).toBe(PKCS1);
    expect(normaliseRsaPem(PKCS1.replace(/\n/g, '\\n'))).toBe(PKCS1);
    expect(normaliseRsaPem(`  here it is:\n${PKCS8}\nthanks`)).toBe(PKCS8);
  });

  it('refuses what Kalshi cannot use, with a reason and never the key', () => {
    const cases: [string, RegExp][] = [
      [bodyOf(PKCS1), /must be the RSA private key in PEM form/],
      ['', /must be the RSA private key in PEM form/],
      [PKCS1.replace(/^(.{100})[A-Za-z0-9]/s, '$1!'), /not valid PEM: its body must be base64/],
      [PKCS1.replace(/\n[^\n]+\n/, '\nAAAA\n'), /not a readable RSA private key/],
      [rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), /"PUBLIC KEY"; Kalshi needs an RSA private key/],
      [generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /is a ec key; Kalshi API keys are RSA/],
      [rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString(), /encrypted with a passphrase/],
      [generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), /1024-bit RSA key/],
    ];
    for (const [input, reason] of cases) {
      const err = accountError(() => normaliseRsaPem(input));
      expect(err.code).toBe('invalid_input');
      expect(err.message).toMatch(reason);
      if (input.length > 60) expect(err.message).not.toContain(bodyOf(input).slice(10, 40));
    }
  });
});

const listing = (venue: 'polymarket' | 'kalshi'): ListingRef => ({
  listingId: `m:${venue}`,
  marketId: 'm',
  venue,
  venueMarketId: venue === 'kalshi' ? 'KX-M' : '0xabc',
  tickSize: new Decimal('0.01'),
  minSize: new Decimal(1),
  negRisk: false,
});
const both = [listing('kalshi'), listing('polymarket')];

describe('linkedListings', () => {
  it('paper (null): everything; live: only linked venues', () => {
    expect(linkedListings({ listings: both, linked: null })).toBe(both);
    expect(linkedListings({ listings: both, linked: new Set(['kalshi']) }).map((l) => l.venue)).toEqual(['kalshi']);
    expect(linkedListings({ listings: both, linked: new Set(['kalshi', 'polymarket']) })).toHaveLength(2);
    expect(linkedListings({ listings: both, linked: new Set(['polymarket']), forceVenue: 'polymarket' }).map((l) => l.venue)).toEqual(['polymarket']);
  });

  it('a forced unlinked venue, a market only on unlinked venues, or nothing linked: a rejection that says how to link', () => {
    const forced = (() => {
      try {
        linkedListings({ listings: both, linked: new Set(['kalshi']), forceVenue: 'polymarket' });
      } catch (e) {
        return e as TradingError;
      }
    })()!;
    expect(forced).toBeInstanceOf(TradingError);
    expect(forced.code).toBe('rejected');
    expect(forced.message).toMatch(/not linked a Polymarket account.*POST \/api\/v1\/account\/polymarket/);
    expect(() => linkedListings({ listings: [listing('polymarket')], linked: new Set(['kalshi']) })).toThrow(/This market trades on Polymarket, where you have no linked account/);
    expect(() => linkedListings({ listings: both, linked: new Set() })).toThrow(/You have not linked a venue account yet.*polymarket.*kalshi/);
  });

  it('explains a single linked venue among several listings', () => {
    const route = { venue: 'kalshi' as const, reason: 'kalshi: the only venue that lists this market.', forced: false, quotes: [{}] };
    expect(explainLinkedOnly(route, { listed: both, usable: [both[0]!] }).reason).toBe('kalshi: the only venue you have linked that lists this market (not linked: Polymarket).');
    expect(explainLinkedOnly(route, { listed: [both[0]!], usable: [both[0]!] })).toBe(route);
    expect(explainLinkedOnly({ ...route, forced: true }, { listed: both, usable: [both[0]!] }).reason).toBe(route.reason);
  });
});
