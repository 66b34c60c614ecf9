/**
 * /api/v1/account against the whole process in TRADING_MODE=live, with the real adapters' helpers
 * talking to the fake venues: Polymarket L1 api-key creation/derivation on the fake CLOB, Kalshi key
 * verification with a signed balance call on the fake Kalshi. Good key → 201, bad key → 4xx with the
 * venue's reason, unreachable venue → 503, malformed PEM → 400; GET never shows secrets.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultCredentialSource } from '../../core/credentials/credential-source.ts';
import { createKeyRing } from '../../core/credentials/master-key.ts';
import { CredentialVault } from '../../core/credentials/vault.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';
import { FakeClob } from '../fakes/polymarket/server.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const KEY = randomBytes(32).toString('hex');

let clob: FakeClob;
let kalshi: FakeKalshi;
let stack: TestStack;

beforeAll(async () => {
  clob = new FakeClob({ chainId: 137 });
  await clob.start();
  kalshi = await FakeKalshi.start();
  stack = await startTestStack(
    {
      TRADING_MODE: 'live',
      CREDENTIALS_KEY: KEY,
      POLYMARKET_CLOB_URL: clob.url,
      KALSHI_API_URL: kalshi.url,
      VENUE_TIMEOUT_MS: '1500',
      MARKET_DATA: 'synthetic',
    },
    { workers: false },
  );
});
afterAll(async () => {
  await stack?.stop();
  await clob?.stop();
  await kalshi?.stop();
});

async function newUser(name: string): Promise<{ id: string; token: string }> {
  const { user, apiToken } = await stack.core.users.createUser({ name });
  return { id: user.id, token: apiToken };
}

async function call(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${stack.address}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, text };
}

const source = () => new VaultCredentialSource(new CredentialVault({ prisma: stack.db.prisma, keys: createKeyRing({ key: KEY }) }));

describe('POST /api/v1/account/polymarket', () => {
  it('creates the sub-wallet once, derives its CLOB credentials through L1 on the venue, and returns the same address on repeat', async () => {
    const u = await newUser('poly');
    const first = await call(u.token, 'POST', '/account/polymarket');
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/) });
    const again = await Promise.all([1, 2, 3].map(() => call(u.token, 'POST', '/account/polymarket')));
    expect(again.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(again.map((r) => r.json.address))).toEqual(new Set([first.json.address]));
    // The stored creds are the ones the venue issued to that wallet (L1-authenticated create).
    const creds = await source().polymarket(u.id);
    expect(creds!.address).toBe(first.json.address);
    expect(creds!.signatureType).toBe(0);
    const issued = clob.apiKeys.get(creds!.apiCreds!.key);
    expect(issued?.address.toLowerCase()).toBe(first.json.address.toLowerCase());
    expect(issued?.secret).toBe(creds!.apiCreds!.secret);
    expect(await stack.db.prisma.venueCredential.count({ where: { userId: u.id } })).toBe(2);
  });

  it('an existing venue key is derived (create answers 400) and an import of the same key is idempotent', async () => {
    const u = await newUser('import');
    const privateKey = `0x${randomBytes(32).toString('hex')}`;
    // The wallet already has an API key at the venue (e.g. made in Polymarket's UI).
    const { createOrDeriveApiCreds } = await import('../../core/exchanges/polymarket/wallet.ts');
    const existing = await createOrDeriveApiCreds({ privateKey: privateKey as `0x${string}`, clobUrl: clob.url, chainId: 137 });
    const res = await call(u.token, 'POST', '/account/polymarket', { privateKey });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain(privateKey.slice(2, 20));
    expect((await source().polymarket(u.id))!.apiCreds).toEqual(existing);
    expect(clob.count('GET', '/auth/derive-api-key')).toBeGreaterThan(0);
    const same = await call(u.token, 'POST', '/account/polymarket', { privateKey });
    expect(same.json.address).toBe(res.json.address);
    // Another key while one is linked: refused, nothing replaced.
    const other = await call(u.token, 'POST', '/account/polymarket', { privateKey: `0x${randomBytes(32).toString('hex')}` });
    expect(other.status).toBe(409);
    expect(other.json.error.message).toMatch(/already have a Polymarket wallet/);
    expect((await source().polymarket(u.id))!.address).toBe(res.json.address);
  });

  it('venue unreachable → 503 (wallet kept, no CLOB creds); the next call finishes with the same address', async () => {
    const u = await newUser('poly-down');
    clob.fault({ kind: 'status', status: 503, body: { error: 'Trading is currently disabled' }, method: 'POST', path: '/auth/api-key' });
    const down = await call(u.token, 'POST', '/account/polymarket');
    expect(down.status).toBe(503);
    expect(down.json.error.code).toBe('venue_unavailable');
    expect(down.json.error.message).toMatch(/Polymarket could not be reached.*Your wallet 0x[0-9a-fA-F]{40} is kept; link again/);
    const view = await call(u.token, 'GET', '/account');
    expect(view.json.venues[0]).toMatchObject({ venue: 'polymarket', linked: false, status: 'incomplete' });
    const ok = await call(u.token, 'POST', '/account/polymarket');
    expect(ok.status).toBe(201);
    expect(down.json.error.message).toContain(ok.json.address);
  });

  it('settings: signature type needs a funder address; bad input is a 400 that does not echo a key', async () => {
    const u = await newUser('settings');
    const bad = await call(u.token, 'POST', '/account/polymarket', { signatureType: 2 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/funderAddress is required/);
    const funder = `0x${'ab'.repeat(20)}`;
    const ok = await call(u.token, 'POST', '/account/polymarket', { signatureType: 2, funderAddress: funder });
    expect(ok.status).toBe(201);
    const creds = await source().polymarket(u.id);
    expect(creds).toMatchObject({ signatureType: 2, funderAddress: expect.stringMatching(/^0x[aA][bB]/) });
    const secret = randomBytes(31).toString('hex');
    const wrongKey = await call(u.token, 'POST', '/account/polymarket', { privateKey: secret });
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.text).not.toContain(secret);
  });
});

describe('POST /api/v1/account/kalshi', () => {
  it('a good key (PKCS#1 as Kalshi issues it) → 201 after a signed balance call; PKCS#8 works too', async () => {
    const u = await newUser('kalshi');
    const key = kalshi.registerKey({ balance: '125.5' });
    const res = await call(u.token, 'POST', '/account/kalshi', { keyId: key.keyId, privateKey: key.privateKeyPem });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ keyId: key.keyId, balance: '125.5' });
    expect(kalshi.requests.some((r) => r.path === '/portfolio/balance' && r.keyId === key.keyId && r.status === 200)).toBe(true);
    expect(await source().kalshi(u.id)).toMatchObject({ keyId: key.keyId });

    const u8 = await newUser('kalshi8');
    const key8 = kalshi.registerKey({ balance: '3', format: 'pkcs8' });
    expect(key8.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect((await call(u8.token, 'POST', '/account/kalshi', { keyId: key8.keyId, privateKey: key8.privateKeyPem })).status).toBe(201);
  });

  it('a key the venue refuses → 422 with its reason, nothing stored', async () => {
    const u = await newUser('kalshi-bad');
    const known = kalshi.registerKey({ balance: '1' });
    const otherPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const wrongKey = await call(u.token, 'POST', '/account/kalshi', { keyId: known.keyId, privateKey: otherPem });
    expect(wrongKey.status).toBe(422);
    expect(wrongKey.json.error.code).toBe('rejected');
    expect(wrongKey.json.error.message).toMatch(/^Kalshi did not accept this API key: .*signature/);
    const unknown = await call(u.token, 'POST', '/account/kalshi', { keyId: '0b7e6a52-1111-4222-8333-944445555666', privateKey: otherPem });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.message).toMatch(/Kalshi did not accept this API key: Kalshi does not know this API key id/);
    const revoked = kalshi.registerKey({ balance: '1' });
    kalshi.revokeKey(revoked.keyId);
    const rev = await call(u.token, 'POST', '/account/kalshi', { keyId: revoked.keyId, privateKey: revoked.privateKeyPem });
    expect(rev.status).toBe(422);
    expect(rev.json.error.message).toMatch(/revoked/);
    for (const r of [wrongKey, unknown, rev]) expect(r.text).not.toMatch(/PRIVATE KEY|MII/);
    expect(await stack.db.prisma.venueCredential.count({ where: { userId: u.id } })).toBe(0);
  });

  it('venue unreachable or failing → 503 with Retry-After, nothing stored', async () => {
    const u = await newUser('kalshi-down');
    const key = kalshi.registerKey({ balance: '1' });
    for (const kind of ['503', 'drop-before', '429'] as const) {
      kalshi.fault({ path: '/portfolio/balance', kind });
      const res = await fetch(`${stack.address}/api/v1/account/kalshi`, {
        method: 'POST',
        headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ keyId: key.keyId, privateKey: key.privateKeyPem }),
      });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, kind).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(body.error.code).toBe('venue_unavailable');
      expect(body.error.message).toMatch(/Kalshi could not be reached to check this API key.*Nothing was stored/);
    }
    expect(await stack.db.prisma.venueCredential.count({ where: { userId: u.id } })).toBe(0);
  });

  it('malformed PEMs and fields → 400 with a specific message that never echoes the key', async () => {
    const u = await newUser('kalshi-pem');
    const key = kalshi.registerKey();
    const body = key.privateKeyPem.split('\n').slice(1, -2).join('');
    const cases: [unknown, RegExp][] = [
      [{ keyId: key.keyId, privateKey: body }, /privateKey must be the RSA private key in PEM form/],
      [{ keyId: key.keyId, privateKey: key.privateKeyPem.replace(/[A-Za-z]{10}/, '!!!!!!!!!!') }, /privateKey is not valid PEM|not a readable RSA private key/],
      [{ keyId: key.keyId, privateKey: key.privateKeyPem.replace(/\n[^\n]+\n/, '\nAAAA\n') }, /not a readable RSA private key/],
      [{ keyId: key.keyId, privateKey: '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----' }, /"EC PRIVATE KEY"; Kalshi needs an RSA private key/],
      [{ keyId: key.keyId, privateKey: 12345 }, /privateKey must be a string/],
      [{ keyId: key.keyId }, /privateKey is required/],
      [{ privateKey: key.privateKeyPem }, /keyId is required/],
      [{ keyId: 'bad key id!', privateKey: key.privateKeyPem }, /keyId must be the API key id/],
      [{ keyId: key.keyId, privateKey: key.privateKeyPem, extra: 1 }, /unknown body field "extra"/],
    ];
    for (const [payload, message] of cases) {
      const res = await call(u.token, 'POST', '/account/kalshi', payload);
      expect(res.status, JSON.stringify(res.json)).toBe(400);
      expect(res.json.error.message).toMatch(message);
      expect(res.text).not.toContain(body.slice(0, 40));
      expect(res.text).not.toContain(body.slice(100, 140));
    }
    expect(await stack.db.prisma.venueCredential.count({ where: { userId: u.id } })).toBe(0);
  });
});

describe('GET /api/v1/account and DELETE /api/v1/account/{venue}', () => {
  it('shows what is linked with the venues\' balances, never a secret; a failing balance shows as unavailable, not a 5xx', async () => {
    const u = await newUser('viewer');
    const none = await call(u.token, 'GET', '/account');
    expect(none.status).toBe(200);
    expect(none.json).toEqual({
      mode: 'live',
      venues: [
        { venue: 'polymarket', linked: false, status: 'not_linked', publicId: null, linkedAt: null, balance: null },
        { venue: 'kalshi', linked: false, status: 'not_linked', publicId: null, linkedAt: null, balance: null },
      ],
    });
    const poly = await call(u.token, 'POST', '/account/polymarket');
    clob.fund({ address: poly.json.address, usdc: '42.5' });
    const key = kalshi.registerKey({ balance: '7.25' });
    await call(u.token, 'POST', '/account/kalshi', { keyId: key.keyId, privateKey: key.privateKeyPem });
    const view = await call(u.token, 'GET', '/account');
    expect(view.status).toBe(200);
    expect(view.json.venues).toEqual([
      expect.objectContaining({ venue: 'polymarket', linked: true, status: 'ready', publicId: poly.json.address, address: poly.json.address, signatureType: 0, origin: 'generated', balance: '42.5' }),
      expect.objectContaining({ venue: 'kalshi', linked: true, status: 'ready', publicId: key.keyId, balance: '7.25' }),
    ]);
    const creds = await source().polymarket(u.id);
    for (const secret of [creds!.privateKey, creds!.privateKey.slice(2), creds!.apiCreds!.secret, creds!.apiCreds!.passphrase, creds!.apiCreds!.key, key.privateKeyPem.split('\n')[1]!]) {
      expect(view.text).not.toContain(secret);
    }

    kalshi.fault({ path: '/portfolio/balance', kind: '500', times: 3 });
    const degraded = await call(u.token, 'GET', '/account');
    expect(degraded.status).toBe(200);
    expect(degraded.json.venues[1]).toMatchObject({ venue: 'kalshi', linked: true, balance: null, balanceUnavailable: expect.stringMatching(/kalshi did not return a balance/) });
    expect(degraded.json.venues[0].balance).toBe('42.5');
    kalshi.clearFaults();
  });

  it('unlinks Kalshi; Polymarket only with the wallet address as confirmation', async () => {
    const u = await newUser('unlink');
    const key = kalshi.registerKey({ balance: '1' });
    await call(u.token, 'POST', '/account/kalshi', { keyId: key.keyId, privateKey: key.privateKeyPem });
    expect((await call(u.token, 'DELETE', '/account/kalshi')).json).toEqual({ removed: true });
    expect((await call(u.token, 'DELETE', '/account/kalshi')).json).toEqual({ removed: false });
    const poly = await call(u.token, 'POST', '/account/polymarket');
    const refused = await call(u.token, 'DELETE', '/account/polymarket');
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/deletes the key of your wallet .*confirm=0x/);
    expect((await call(u.token, 'DELETE', `/account/polymarket?confirm=${poly.json.address.toLowerCase()}`)).json).toEqual({ removed: true });
    expect(await stack.db.prisma.venueCredential.count({ where: { userId: u.id } })).toBe(0);
    expect((await call(u.token, 'DELETE', '/account/nowhere')).status).toBe(400);
  });

  it('needs a token', async () => {
    const res = await fetch(`${stack.address}/api/v1/account`);
    expect(res.status).toBe(401);
  });
});
