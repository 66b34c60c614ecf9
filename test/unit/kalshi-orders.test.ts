import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { KALSHI_ERROR_TABLE, kalshiHttpError, type KalshiErrorKey } from '../../core/exchanges/kalshi/errors.ts';
import { contractsForAmount, kalshiTimeInForce, parseVenueClientId, venueClientId, yesBookOrder } from '../../core/exchanges/kalshi/orders.ts';
import { kalshiAuthHeaders, loadKalshiPrivateKey } from '../../core/exchanges/kalshi/signing.ts';
import { VenueError } from '../../core/exchanges/types.ts';

const d = (v: string) => new Decimal(v);

describe('outcome/action → YES book', () => {
  it.each([
    ['yes', 'buy', '0.56', 'bid', '0.56'],
    ['yes', 'sell', '0.56', 'ask', '0.56'],
    ['no', 'buy', '0.56', 'ask', '0.44'],
    ['no', 'sell', '0.56', 'bid', '0.44'],
  ] as const)('%s %s at %s → %s at %s', (outcome, action, price, side, yesPrice) => {
    const o = yesBookOrder({ outcome, action, price: d(price) });
    expect(o.side).toBe(side);
    expect(o.price.toFixed(2)).toBe(yesPrice);
  });

  it('carries the outcome in the client id and strips it back', () => {
    expect(venueClientId('yn-abc', 'no')).toBe('yn-abc-n');
    expect(parseVenueClientId('yn-abc-n')).toEqual({ clientOrderId: 'yn-abc', outcome: 'no' });
    expect(parseVenueClientId('yn-abc-y')).toEqual({ clientOrderId: 'yn-abc', outcome: 'yes' });
    expect(parseVenueClientId('manual')).toEqual({ clientOrderId: 'manual', outcome: 'yes' });
  });
});

describe('time in force', () => {
  const now = Date.parse('2026-11-29T10:00:00Z');
  it('maps GTC, GTD, FOK, FAK and market orders', () => {
    expect(kalshiTimeInForce({ type: 'limit', timeInForce: 'GTC', nowMs: now })).toEqual({ time_in_force: 'good_till_canceled' });
    expect(kalshiTimeInForce({ type: 'limit', timeInForce: 'FOK', nowMs: now })).toEqual({ time_in_force: 'fill_or_kill' });
    expect(kalshiTimeInForce({ type: 'limit', timeInForce: 'FAK', nowMs: now })).toEqual({ time_in_force: 'immediate_or_cancel' });
    expect(kalshiTimeInForce({ type: 'market', timeInForce: 'GTC', nowMs: now })).toEqual({ time_in_force: 'immediate_or_cancel' });
    expect(kalshiTimeInForce({ type: 'limit', timeInForce: 'GTD', expiresAt: new Date(now + 60_500), nowMs: now })).toEqual({
      time_in_force: 'good_till_canceled',
      expiration_ts: Math.floor((now + 60_500) / 1000),
    });
  });
  it('refuses a GTD order without a future expiry', () => {
    expect(() => kalshiTimeInForce({ type: 'limit', timeInForce: 'GTD', nowMs: now })).toThrow(/expiry/);
    expect(() => kalshiTimeInForce({ type: 'limit', timeInForce: 'GTD', expiresAt: new Date(now - 1000), nowMs: now })).toThrow(/past/);
  });
});

describe('market buy sizing', () => {
  const asks = [
    { price: d('0.40'), size: d('3') },
    { price: d('0.50'), size: d('10') },
    { price: d('0.70'), size: d('10') },
  ];
  it('never costs more than the amount at the book it walked', () => {
    const count = contractsForAmount({ asks, amount: d('5'), limit: d('0.60'), step: d('1') });
    // 3 × 0.40 = 1.20, then 7 × 0.50 = 3.50 → 4.70; an 8th at 0.50 would be 5.20
    expect(count.toFixed()).toBe('10');
  });
  it('stops at the price limit and the liquidity', () => {
    expect(contractsForAmount({ asks, amount: d('100'), limit: d('0.55'), step: d('1') }).toFixed()).toBe('13');
    expect(contractsForAmount({ asks, amount: d('0.30'), limit: d('0.55'), step: d('1') }).toFixed()).toBe('0');
    expect(contractsForAmount({ asks, amount: d('0.30'), limit: d('0.55'), step: d('0.01') }).toFixed()).toBe('0.75');
  });
});

describe('error table', () => {
  const venueCodes = (Object.keys(KALSHI_ERROR_TABLE) as KalshiErrorKey[]).filter(
    (k) => !k.startsWith('http_') && !['connect_failed', 'timeout', 'connection_dropped', 'bad_response', 'not_linked', 'bad_credentials'].includes(k),
  );
  it.each(venueCodes)('%s maps to its row, with a readable message, in both body shapes', (code) => {
    const row = KALSHI_ERROR_TABLE[code];
    for (const body of [{ code, message: 'venue says no', details: '' }, { error: { code, message: 'venue says no', details: '' } }]) {
      const placing = kalshiHttpError({ status: 400, body, mutating: true });
      expect(placing).toBeInstanceOf(VenueError);
      expect(placing.code).toBe(row.code);
      expect(placing.kind).toBe(row.kind === 'after_send' ? 'unknown_outcome' : row.kind);
      expect(placing.message).toContain(row.reason);
      expect(placing.message).toContain('venue says no');
      const reading = kalshiHttpError({ status: 400, body, mutating: false });
      expect(reading.kind).toBe(row.kind === 'after_send' ? 'retryable' : row.kind);
    }
  });
  it.each([
    [400, 'rejected', 'INVALID_ORDER'],
    [401, 'rejected', 'AUTH'],
    [403, 'rejected', 'AUTH'],
    [404, 'rejected', 'NOT_FOUND'],
    [409, 'rejected', 'DUPLICATE'],
    [422, 'rejected', 'INVALID_ORDER'],
    [429, 'retryable', 'RATE_LIMITED'],
    [500, 'unknown_outcome', 'VENUE_ERROR'],
    [502, 'unknown_outcome', 'VENUE_ERROR'],
  ] as const)('HTTP %i with an unknown code → %s %s when placing', (status, kind, code) => {
    const err = kalshiHttpError({ status, body: { code: 'something_new', message: 'x' }, mutating: true });
    expect([err.kind, err.code]).toEqual([kind, code]);
  });
  it('a 5xx on a read is retryable; a non-JSON body still maps by status', () => {
    expect(kalshiHttpError({ status: 503, body: null, mutating: false }).kind).toBe('retryable');
    expect(kalshiHttpError({ status: 401, body: null, mutating: true }).code).toBe('AUTH');
  });
  it('never repeats anything that looks like key material from a venue message', () => {
    const err = kalshiHttpError({ status: 401, body: { code: 'unauthorized', message: '-----BEGIN RSA PRIVATE KEY----- MIIE…' }, mutating: false });
    expect(err.message).not.toMatch(/PRIVATE KEY|MIIE/);
  });
});

describe('signing', () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it('signs ts+METHOD+pathname with RSA-PSS salt 32, verifiable as Kalshi verifies it', () => {
    for (const pem of [pkcs1, pkcs8, pkcs1.replace(/\n/g, '\\n')]) {
      const key = loadKalshiPrivateKey(pem);
      const h = kalshiAuthHeaders({ keyId: 'k1', key, method: 'POST', pathname: '/trade-api/v2/portfolio/events/orders', nowMs: 1795942800123 });
      expect(h['KALSHI-ACCESS-TIMESTAMP']).toBe('1795942800123');
      const ok = crypto.verify(
        'sha256',
        Buffer.from('1795942800123POST/trade-api/v2/portfolio/events/orders'),
        { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        Buffer.from(h['KALSHI-ACCESS-SIGNATURE']!, 'base64'),
      );
      expect(ok).toBe(true);
    }
  });

  it('a malformed or non-RSA key is a readable error that never echoes the key', () => {
    const broken = pkcs1.slice(0, 200) + pkcs1.slice(260);
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const [pem, why] of [
      [broken, /damaged/],
      ['not a key at all', /not a PEM/],
      ['', /empty/],
      [ec, /Kalshi keys are RSA/],
    ] as const) {
      let err: unknown;
      try {
        loadKalshiPrivateKey(pem);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VenueError);
      const msg = (err as VenueError).message;
      expect(msg).toMatch(why);
      expect((err as VenueError).code).toBe('BAD_CREDENTIALS');
      expect(msg).not.toContain(pkcs1.split('\n')[2]!);
      expect(JSON.stringify(err)).not.toContain('MII');
      expect((err as VenueError).cause).toBeUndefined();
    }
  });
});
