/** Secrets in groups: what counts as a secret, and how the dispatcher refuses it. */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { looksLikeSecret, looksLikeSeedPhrase } from '../../bots/commands/secrets.ts';
import { createCommandHandler } from '../../bots/commands/dispatcher.ts';
import type { ChatContext } from '../../bots/commands/replies.ts';
import { createStubServices } from './commands-stub.ts';

const hex64 = () => randomBytes(32).toString('hex');
// A real-looking PKCS#8 RSA key body (random base64 after the usual DER prefix).
const pemBody = `MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ${randomBytes(180).toString('base64')}`;
const PEM = `-----BEGIN PRIVATE KEY-----\n${pemBody.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----`;
const RSA_PEM = PEM.replace(/BEGIN PRIVATE KEY/, 'BEGIN RSA PRIVATE KEY').replace(/END PRIVATE KEY/, 'END RSA PRIVATE KEY');
const SEED12 = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const SEED24 = 'abandon ability able about above absent absorb abstract absurd abuse access accident account achieve acid acoustic acquire across act action actor actress actual adapt';
const CONDITION_ID = `0x${hex64()}`;

describe('looksLikeSecret: positives', () => {
  const cases: [string, string][] = [
    ['a PEM private key', PEM],
    ['an RSA PEM with words around it', `here is my kalshi key:\n${RSA_PEM}\nthanks`],
    ['an EC PEM', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB...\n-----END EC PRIVATE KEY-----'],
    ['an OpenSSH key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'],
    ['a PEM body without armor', pemBody],
    ['a Kalshi key id next to a PEM', `/link kalshi 6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b\n${PEM}`],
    ['a bare 64-hex private key', hex64()],
    ['a 64-hex key with 0x, alone', CONDITION_ID],
    ['a 0x key with a label', `my private key is ${CONDITION_ID}`],
    ['a 0x key after /wallet', `/wallet import ${CONDITION_ID}`],
    ['a bare hex key in chatter', `use this ${hex64()} ok`],
    ['a 12-word seed phrase', SEED12],
    ['a 24-word seed phrase on lines, numbered', SEED24.split(' ').map((w, i) => `${i + 1}. ${w}`).join('\n')],
    ['a seed with a label', `seed: ${SEED12}`],
    ['a labeled API secret', 'secret: 7vOo2Jx0kq9uYb3m1Zr4QwErTyUiOpAsDf=='],
    ['a JSON API secret', '{"apiKey":"1b2c","secret":"dGhpcyBpcyBhIHNlY3JldCBrZXkgZm9yIHRlc3Q=","passphrase":"abcdef0123456789abcdef"}'],
    ['a Polymarket passphrase', 'passphrase=9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    ['a Telegram bot token', '123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0'],
    ['a yesno API token', `yn_${randomBytes(24).toString('base64url')}`],
    // A base64url token ends in "-" 1 time in 64: once missed (a random flake of the case above).
    ['a yesno API token ending in "-"', 'yn_N5ajBRuxp3xpRs6uLN-_8wXAINPWgko-'],
    ['a yesno API token ending in "-", in a sentence', 'my token yn_N5ajBRuxp3xpRs6uLN-_8wXAINPWgko- ok'],
    ['an OpenAI-style key', 'sk-proj-abcdefghijklmnopqrstuvwxyz012345'],
  ];
  for (const [what, text] of cases) it(what, () => expect(looksLikeSecret(text), text).toBe(true));
});

describe('looksLikeSecret: negatives (commands and chatter stay usable)', () => {
  const cases: [string, string][] = [
    ['a buy with a condition id', `/buy ${CONDITION_ID} yes $25`],
    ['a price with a condition id', `/price ${CONDITION_ID}`],
    ['a chart with a bare hex id', `/chart ${hex64()}`],
    ['an alert on a condition id', `/alerts add ${CONDITION_ID} above 60c`],
    ['a bot-addressed command with a hex id', `/price@yesno_bot ${CONDITION_ID}`],
    ['an order id', '/order 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'],
    ['a cancel', '/cancel 1a2b3c4d'],
    ['a link code', '/link K7M2QX9P'],
    ['a Kalshi key id alone (a UUID)', '6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b'],
    ['a market search of many words', '/markets will the fed cut rates in march after the jobs report'],
    ['a long sentence', 'honestly i think the market is wrong about this one and the price will move back soon enough'],
    ['twelve plain words in a sentence', 'please check which market would move most after the news from the central bank'],
    ['a polymarket link', '/buy https://polymarket.com/event/fed-decision-in-december/fed-cut yes $10'],
    ['a kalshi link', '/price https://kalshi.com/markets/kxfed/fed-rate/KXFED-25DEC-T4.25'],
    ['a transaction hash in chatter', `tx went through: ${CONDITION_ID} on polygonscan`],
    ['a word that contains "secret"', 'the secret is to buy low'],
    ['short hex', '/order 1a2b3c4d5e6f'],
    ['an empty message', ''],
  ];
  for (const [what, text] of cases) it(what, () => expect(looksLikeSecret(text), text).toBe(false));

  it('seed phrases need 12+ words that make up the message', () => {
    expect(looksLikeSeedPhrase(SEED12.split(' ').slice(0, 11).join(' '))).toBe(false);
    expect(looksLikeSeedPhrase(`${SEED12} and then some other words here and there`)).toBe(false);
    expect(looksLikeSeedPhrase(SEED12.toUpperCase())).toBe(false);
  });
});

describe('dispatcher: a secret in a group', () => {
  const group: ChatContext = { platform: 'telegram', userExternalId: '42', userName: 'ann', chatId: '-1001', isGroup: true };
  const dm: ChatContext = { ...group, chatId: '42', isGroup: false };

  it('is refused with a pointer to the private chat, flagged for deletion, never echoed, nothing stored', async () => {
    const services = createStubServices();
    const handler = createCommandHandler({ services });
    for (const text of [PEM, SEED12, `/link kalshi 6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b\n${PEM}`, hex64()]) {
      const replies = await handler.handleText(group, text);
      expect(replies).toHaveLength(1);
      const [r] = replies;
      expect(r!.kind).toBe('error');
      expect(r!.deleteOriginal).toBe(true);
      expect(r!.text).toMatch(/private chat/);
      for (const piece of text.split(/\s+/).filter((w) => w.length >= 8)) expect(r!.text).not.toContain(piece);
    }
    // Nothing reached the services: no user was even looked up.
    expect(services.calls.ensureChatUser).toHaveLength(0);
  });

  it('/link kalshi <key id> in a group is refused as a secret', async () => {
    const handler = createCommandHandler({ services: createStubServices() });
    const [r] = await handler.handleText(group, '/link kalshi 6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b');
    expect(r!.kind).toBe('error');
    expect(r!.deleteOriginal).toBe(true);
    expect(r!.text).not.toContain('6f1c2a9e');
  });

  it('normal commands with hex market ids go through in a group', async () => {
    const handler = createCommandHandler({ services: createStubServices() });
    const [r] = await handler.handleText(group, `/price ${CONDITION_ID}`);
    expect(r!.deleteOriginal).toBeUndefined();
    expect(r!.text).not.toMatch(/secret/);
  });

  it('in a private chat a pasted key is not echoed back either', async () => {
    const handler = createCommandHandler({ services: createStubServices() });
    const key = hex64();
    const [r] = await handler.handleText(dm, key);
    expect(r!.kind).toBe('error');
    expect(r!.text).not.toContain(key.slice(0, 12));
    expect(r!.text).toMatch(/did not store/);
    const [v] = await handler.handleText(dm, '/link kalshi 6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b');
    expect(v!.text).toMatch(/not available yet/);
    expect(v!.deleteOriginal).toBeUndefined();
  });
});
