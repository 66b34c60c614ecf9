/**
 * /wallet from chat against the live process and the fake venues: private chats only, linking a
 * Polymarket wallet and a Kalshi key (a multi-line PEM pasted after the key id), refusals with the
 * venue's reason, the view with balances, unlinking; keys never echoed, messages with keys flagged
 * for deletion; groups refused.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler, type CommandHandler } from '../../bots/commands/dispatcher.ts';
import type { ChatContext, Reply } from '../../bots/commands/replies.ts';
import { startLiveStack, type LiveStack } from './live-harness.ts';

let h: LiveStack;
let handler: CommandHandler;

beforeAll(async () => {
  h = await startLiveStack();
  handler = createCommandHandler({ services: h.app.core });
});
afterAll(async () => {
  await h?.stop();
});

const dm = (who: string): ChatContext => ({ platform: 'telegram', userExternalId: who, userName: who, chatId: who, isGroup: false });
const say = async (ctx: ChatContext, text: string): Promise<Reply> => {
  const replies = await handler.handleText(ctx, text);
  expect(replies).toHaveLength(1);
  return replies[0]!;
};

describe('/wallet', () => {
  it('links Polymarket and Kalshi from a private chat and shows them with balances', async () => {
    const ann = dm('1001');
    expect((await say(ann, '/wallet')).text).toMatch(/Polymarket: not linked\. Send \/wallet polymarket[\s\S]*Kalshi: not linked/);
    const created = await say(ann, '/wallet polymarket');
    const address = /0x[0-9a-fA-F]{40}/.exec(created.text)![0];
    expect(created.text).toMatch(/^Your new Polymarket wallet: 0x/);
    expect(created.ephemeral).toBe(true);
    expect((await say(ann, '/wallet polymarket')).text).toBe(`Your Polymarket wallet: ${address}\nDeposit USDC on Polygon to this address to trade on Polymarket.`);
    h.clob.fund({ address, usdc: '12' });

    const key = h.kalshi.registerKey({ balance: '30' });
    const linked = await say(ann, `/wallet kalshi ${key.keyId}\n${key.privateKeyPem}`);
    expect(linked.kind).toBe('text');
    expect(linked.text).toBe(`Kalshi API key ${key.keyId} linked (available $30.00); it is stored encrypted. Delete your message with the key from this chat.`);
    expect(linked.deleteOriginal).toBe(true);

    const view = await say(ann, '/account');
    expect(view.text).toContain(`Polymarket: wallet ${address}, available $12.00`);
    expect(view.text).toContain(`Kalshi: API key ${key.keyId}, available $30.00`);
    expect(view.text).toMatch(/\(live trading\)/);
  });

  it('refusals: the venue\'s reason for a bad key, a malformed PEM, bad forms; never the key', async () => {
    const bob = dm('1002');
    const key = h.kalshi.registerKey({ balance: '1' });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const body = stranger.split('\n')[1]!;
    const wrong = await say(bob, `/wallet kalshi ${key.keyId}\n${stranger}`);
    expect(wrong.kind).toBe('error');
    expect(wrong.text).toMatch(/^Kalshi did not accept this API key: .*signature.* Delete your message with the key\.$/);
    expect(wrong.deleteOriginal).toBe(true);
    const broken = await say(bob, `/wallet kalshi ${key.keyId} ${body}`);
    expect(broken.text).toMatch(/privateKey must be the RSA private key in PEM form/);
    const missing = await say(bob, `/wallet kalshi ${key.keyId}`);
    expect(missing.text).toMatch(/Send the Kalshi key id, then the whole private key file/);
    const badImport = await say(bob, `/wallet import 0x${'ab'.repeat(20)}`);
    expect(badImport.text).toMatch(/privateKey must be a wallet private key: 64 hex characters/);
    expect((await say(bob, '/wallet frobnicate')).text).toMatch(/I know \/wallet, \/wallet polymarket/);
    for (const r of [wrong, broken, missing, badImport]) {
      expect(r.text).not.toContain(body.slice(0, 20));
      expect(r.text).not.toContain('ab'.repeat(20));
    }
    expect(await h.db.prisma.venueCredential.count({ where: { user: { identities: { some: { externalId: '1002' } } } } })).toBe(0);
  });

  it('imports an existing Polymarket key, and unlinks (Polymarket needs the address)', async () => {
    const cat = dm('1003');
    const privateKey = `0x${'1f'.repeat(32)}`;
    const imported = await say(cat, `/wallet import ${privateKey}`);
    expect(imported.text).toMatch(/^Polymarket wallet 0x[0-9a-fA-F]{40} linked; its key is stored encrypted\./);
    expect(imported.text).not.toContain('1f1f1f1f');
    expect(imported.deleteOriginal).toBe(true);
    const address = /0x[0-9a-fA-F]{40}/.exec(imported.text)![0];
    const refused = await say(cat, '/wallet unlink polymarket');
    expect(refused.text).toContain(`/wallet unlink polymarket ${address}`);
    expect((await say(cat, `/wallet unlink polymarket ${address}`)).text).toBe('Polymarket unlinked; its keys are deleted.');
    expect((await say(cat, '/wallet unlink kalshi')).text).toBe('No Kalshi account was linked.');
  });

  it('in a group: nothing private is shown, and a key is refused as a secret before anything runs', async () => {
    const group: ChatContext = { ...dm('1004'), chatId: '-100777', isGroup: true };
    const show = await say(group, '/wallet');
    expect(show.text).toMatch(/private: send \/wallet to me in a private chat/);
    const key = h.kalshi.registerKey({ balance: '1' });
    const secret = await say(group, `/wallet kalshi ${key.keyId}\n${key.privateKeyPem}`);
    expect(secret.deleteOriginal).toBe(true);
    expect(secret.text).not.toContain(key.keyId);
    expect(h.kalshi.requests.some((r) => r.keyId === key.keyId)).toBe(false);
  });

  it('/link kalshi points to /wallet', async () => {
    expect((await say(dm('1005'), '/link kalshi')).text).toMatch(/Venue accounts are linked with \/wallet, not \/link/);
  });
});
