/**
 * /link: one yesno account from Telegram and Discord. `/link` in a private chat shows a one-time
 * code; `/link <code>` from the other app moves that chat account into the code's account
 * (core/users/linking.ts). Codes grant access to the account, so both steps happen in private
 * chats only. `/link kalshi|polymarket …` (venue keys) is a later feature: refused in groups as a
 * secret, answered as "not yet" in private.
 */
import type { Caller, HandlerEnv } from './env.ts';
import type { FeatureCommand } from './feature-specs.ts';
import { errorReply, textReply, type Reply } from './replies.ts';
import { secretRefusal } from './secrets.ts';

type LinkCommand = Extract<FeatureCommand, { name: 'link' }>;

const APP: Record<string, string> = { telegram: 'Telegram', discord: 'Discord', console: 'the console' };
const app = (p: string) => APP[p] ?? p;
const other = (p: string) => (p === 'telegram' ? 'Discord' : p === 'discord' ? 'Telegram' : 'Telegram or Discord');

export async function runLink(env: HandlerEnv, caller: Caller, cmd: LinkCommand): Promise<Reply[]> {
  const { ctx, user } = caller;
  if (cmd.action === 'venue') {
    if (ctx.isGroup) return [errorReply(secretRefusal({ platform: ctx.platform }), { deleteOriginal: true })];
    const venue = cmd.venue === 'kalshi' ? 'Kalshi' : 'Polymarket';
    if (env.services.accounts) {
      // The server can link venue accounts (core/accounts), over the HTTP API for now.
      return [
        errorReply(
          `Venue accounts are linked with /wallet, not /link. Nothing from your message was stored; if you pasted a real key, delete that message.` +
            ` Send ${cmd.venue === 'kalshi' ? '/wallet kalshi <key id> <PEM>' : '/wallet polymarket'} here (or use POST /api/v1/account/${cmd.venue} over the HTTP API).`,
          { ephemeral: true },
        ),
      ];
    }
    return [
      errorReply(
        `Linking a live ${venue} account is not available yet: yesno trades on its paper venues for now. Nothing from your message was stored.` +
          ' If you pasted a real key, delete that message; you will be able to link it here once live trading arrives.',
        { ephemeral: true },
      ),
    ];
  }
  if (cmd.action === 'code') {
    if (ctx.isGroup) {
      return [errorReply('Link codes are personal: send /link to me in a private chat (anyone who sees a code could join your account).', { ephemeral: true })];
    }
    const { code, expiresAt } = await env.services.users.createLinkCode(user.id);
    const minutes = Math.max(1, Math.round((expiresAt.getTime() - Date.now()) / 60_000));
    return [
      textReply(
        [
          `Your link code: ${code}`,
          `In ${other(ctx.platform)}, send me: /link ${code}`,
          `It works once, for ${minutes} minutes, and joins that chat account to this yesno account (balance, orders and settings are shared).`,
          'Keep it to yourself: whoever types it gets into your account.',
        ].join('\n'),
        { ephemeral: true },
      ),
    ];
  }
  if (ctx.isGroup) {
    return [
      errorReply('Type link codes in a private chat with me, not in a group: anyone here could use it. Make a fresh code with /link in your other app.', {
        deleteOriginal: true,
        ephemeral: true,
      }),
    ];
  }
  const result = await env.services.users.redeemLinkCode({
    code: cmd.code,
    platform: ctx.platform,
    externalId: ctx.userExternalId,
    name: ctx.userName || ctx.userExternalId,
    chatId: ctx.chatId,
  });
  if (!result.ok) return [errorReply(result.message, { ephemeral: true })];
  if (result.alreadyLinked) return [textReply('This chat account is already linked to that yesno account; nothing changed.', { ephemeral: true })];
  const apps = result.platforms.map(app).join(' and ');
  return [
    textReply(
      `Linked: this ${app(ctx.platform)} account now uses the same yesno account as your other chat (${apps}). Balance, orders, positions and settings are shared; notifications go to both.`,
      { ephemeral: true },
    ),
  ];
}
