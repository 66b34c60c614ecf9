/**
 * No secret anywhere: the whole process in TRADING_MODE=live with ALL log output captured (pino at
 * trace, into memory), plus every HTTP and chat response, while users link accounts (generated and
 * imported Polymarket wallets, Kalshi keys), fail to link (wrong key, malformed PEM, venue down),
 * trade (market and limit orders, cancel, a rejected order, balances), and paste a key in a group.
 * No private key (with or without 0x), CLOB secret, passphrase or API key, PEM body, or master key
 * may appear in any of it.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../bots/commands/dispatcher.ts';
import type { ChatContext } from '../../bots/commands/replies.ts';
import { VaultCredentialSource } from '../../core/credentials/credential-source.ts';
import { createKeyRing } from '../../core/credentials/master-key.ts';
import { CredentialVault } from '../../core/credentials/vault.ts';
import type { Yesno } from '../../main.ts';
import type { FakeKalshi } from '../fakes/kalshi/server.ts';
import type { FakeClob } from '../fakes/polymarket/server.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { LIVE_MARKET, startLiveStack, type LiveStack } from './live-harness.ts';

const MARKET = LIVE_MARKET.id;

const logLines: string[] = [];
const responses: string[] = [];
const secrets: { what: string; value: string }[] = [];

let h: LiveStack;
let clob: FakeClob;
let kalshi: FakeKalshi;
let db: TestDatabase;
let app: Yesno;
let MASTER: string;

/** A secret and its tell-tale pieces (the start of every PEM body line, key hex without 0x). */
function secret(what: string, value: string): void {
  if (value.includes('-----BEGIN')) {
    const body = value.split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const [i, line] of body.entries()) if (line.length >= 24) secrets.push({ what: `${what} line ${i}`, value: line.slice(0, 24) });
    secrets.push({ what: `${what} body`, value: body.join('').slice(40, 80) });
    return;
  }
  secrets.push({ what, value });
  if (/^0x[0-9a-fA-F]{64}$/.test(value)) secrets.push({ what: `${what} (no 0x)`, value: value.slice(2).toLowerCase() }, { what: `${what} (upper)`, value: value.slice(2).toUpperCase() });
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  h = await startLiveStack({ logSink: sink, workers: true });
  ({ clob, kalshi, db, app } = h);
  MASTER = h.masterKey;
  secret('CREDENTIALS_KEY', MASTER);
});
afterAll(async () => {
  await h?.stop();
});

async function http(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${app.address}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  responses.push(`${method} ${path} → ${res.status} ${text}`);
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const vaultSource = () => new VaultCredentialSource(new CredentialVault({ prisma: db.prisma, keys: createKeyRing({ key: MASTER }) }));

async function rememberPolymarket(userId: string): Promise<void> {
  const c = (await vaultSource().polymarket(userId))!;
  secret('polymarket private key', c.privateKey);
  secret('CLOB secret', c.apiCreds!.secret);
  secret('CLOB passphrase', c.apiCreds!.passphrase);
  secret('CLOB api key', c.apiCreds!.key);
}

describe('secrets never leave the vault', () => {
  it('linking, failed linking, trading over HTTP and chat: no secret in logs, API or chat replies', async () => {
    const { user: ann, apiToken: annToken } = await app.core.users.createUser({ name: 'ann' });
    const { user: bob, apiToken: bobToken } = await app.core.users.createUser({ name: 'bob' });

    // --- Linking: a generated Polymarket wallet, an imported one, Kalshi keys (PKCS#1 and PKCS#8).
    const annWallet = await http(annToken, 'POST', '/account/polymarket');
    expect(annWallet.status).toBe(201);
    await rememberPolymarket(ann.id);
    clob.fund({ address: annWallet.json.address, usdc: '100' });
    const imported = `0x${randomBytes(32).toString('hex')}`;
    secret('imported private key', imported);
    expect((await http(bobToken, 'POST', '/account/polymarket', { privateKey: imported })).status).toBe(201);
    await rememberPolymarket(bob.id);
    const annKey = kalshi.registerKey({ balance: '100' });
    secret('kalshi PEM (ann)', annKey.privateKeyPem);
    expect((await http(annToken, 'POST', '/account/kalshi', { keyId: annKey.keyId, privateKey: annKey.privateKeyPem })).status).toBe(201);
    const bobKey = kalshi.registerKey({ balance: '50', format: 'pkcs8' });
    secret('kalshi PEM (bob)', bobKey.privateKeyPem);
    expect((await http(bobToken, 'POST', '/account/kalshi', { keyId: bobKey.keyId, privateKey: bobKey.privateKeyPem })).status).toBe(201);

    // --- Failed linking: wrong private key for the key id, malformed PEM, venue down, bad import key.
    const strangerPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    secret('kalshi PEM (wrong)', strangerPem);
    expect((await http(bobToken, 'POST', '/account/kalshi', { keyId: annKey.keyId, privateKey: strangerPem })).status).toBe(422);
    const broken = strangerPem.replace(/\n[^\n]+\n/, '\nAAAA\n');
    expect((await http(bobToken, 'POST', '/account/kalshi', { keyId: annKey.keyId, privateKey: broken })).status).toBe(400);
    kalshi.fault({ path: '/portfolio/balance', kind: 'drop-before' });
    expect((await http(bobToken, 'POST', '/account/kalshi', { keyId: bobKey.keyId, privateKey: strangerPem })).status).toBe(503);
    const badImport = randomBytes(31).toString('hex') + 'abc';
    secret('malformed import key', badImport);
    const { user: cat, apiToken: catToken } = await app.core.users.createUser({ name: 'cat' });
    expect((await http(catToken, 'POST', '/account/polymarket', { privateKey: badImport })).status).toBe(400);
    clob.fault({ kind: 'status', status: 500, body: { error: 'internal' }, method: 'POST', path: '/auth/api-key' });
    expect((await http(catToken, 'POST', '/account/polymarket')).status).toBe(503);
    await http(catToken, 'POST', '/account/polymarket');
    await rememberPolymarket(cat.id);

    // --- Trading over HTTP: market buy (routed), a forced Kalshi limit order, cancel, a rejected order, views.
    const buy = await http(annToken, 'POST', '/trading/order', { marketId: MARKET, side: 'yes', action: 'buy', type: 'market', amount: '5' });
    expect(buy.status, JSON.stringify(buy.json)).toBe(201);
    expect(buy.json.order.exchange).toBe('polymarket');
    const limit = await http(annToken, 'POST', '/trading/order', { marketId: MARKET, side: 'yes', action: 'buy', type: 'limit', quantity: '3', price: '0.30', exchange: 'kalshi' });
    expect(limit.status).toBe(201);
    await http(annToken, 'POST', `/trading/order/${limit.json.order.id}/cancel`);
    kalshi.revokeKey(bobKey.keyId);
    const rejected = await http(bobToken, 'POST', '/trading/order', { marketId: MARKET, side: 'yes', action: 'buy', type: 'market', amount: '5', exchange: 'kalshi' });
    expect(JSON.stringify(rejected.json)).toMatch(/revoked|failed/);
    for (const path of ['/account', '/balance', '/positions', '/trading/orders']) await http(annToken, 'GET', path);
    await http(bobToken, 'GET', '/account');

    // --- Chat: a DM user with linked venues trades and asks for balances; a key pasted in a group is refused.
    const handler = createCommandHandler({ services: app.core });
    const dm: ChatContext = { platform: 'console', userExternalId: 'dan', userName: 'dan', chatId: 'console', isGroup: false };
    const dan = await app.core.users.ensureChatUser({ platform: 'console', externalId: 'dan', name: 'dan' });
    const danKey = kalshi.registerKey({ balance: '80' });
    secret('kalshi PEM (dan)', danKey.privateKeyPem);
    const chat = async (ctx: ChatContext, text: string) => {
      const replies = await handler.handleText(ctx, text);
      responses.push(`chat ${text.slice(0, 20)} → ${JSON.stringify(replies)}`);
      return replies;
    };
    // Linking from a private chat: a wrong key first (refused), then the right one.
    const wrongChat = await chat(dm, `/wallet kalshi ${danKey.keyId}\n${strangerPem}`);
    expect(wrongChat[0]?.text).toMatch(/Kalshi did not accept this API key/);
    const linkedChat = await chat(dm, `/wallet kalshi ${danKey.keyId}\n${danKey.privateKeyPem}`);
    expect(linkedChat[0]?.text).toMatch(/Kalshi API key .* linked/);
    expect(linkedChat[0]?.deleteOriginal).toBe(true);
    await chat(dm, `/wallet import ${badImport}`);
    await chat(dm, '/wallet');
    expect(dan.id).toBeTruthy();
    await chat(dm, '/balance');
    const quote = await chat(dm, `/buy ${MARKET} yes $5`);
    const confirm = quote.flatMap((r) => r.buttons?.flat() ?? []).find((b) => b.id.endsWith(':ok'));
    expect(confirm, JSON.stringify(quote)).toBeDefined();
    const done = await handler.handleButton(dm, confirm!.id);
    responses.push(`chat confirm → ${JSON.stringify(done)}`);
    expect(JSON.stringify(done)).toMatch(/kalshi/i);
    await chat(dm, '/orders');
    await chat(dm, '/positions');
    const viaChat = await chat(dm, `/link kalshi ${danKey.keyId}\n${danKey.privateKeyPem}`);
    expect(viaChat[0]?.text).toMatch(/linked with \/wallet, not \/link.*\/wallet kalshi <key id> <PEM>/);
    const group: ChatContext = { ...dm, chatId: 'group-1', isGroup: true };
    const refused = await chat(group, `my kalshi key ${danKey.keyId}\n${danKey.privateKeyPem}`);
    expect(refused[0]?.deleteOriginal).toBe(true);

    // The capture works: linking and failures were logged.
    const logs = logLines.join('');
    expect(logs).toContain('kalshi api key linked');
    expect(logs).toContain('kalshi key verification failed');
    expect(logs).toContain('deriving CLOB credentials failed');
    expect(logLines.length).toBeGreaterThan(20);

    const leaks: string[] = [];
    const all = { logs, responses: responses.join('\n') };
    for (const s of secrets) {
      for (const [where, text] of Object.entries(all)) if (text.includes(s.value)) leaks.push(`${s.what} in ${where}`);
    }
    expect(leaks).toEqual([]);
    expect(secrets.length).toBeGreaterThan(40);
  });
});
