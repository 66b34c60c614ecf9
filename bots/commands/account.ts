/**
 * Runs /wallet (account-specs.ts) over the AccountService: private chats only; every answer is
 * ephemeral; messages carrying a key ask the transport to delete them; nothing typed is echoed.
 */
import { AccountError, type AccountView } from '../../core/accounts/types.ts';
import { usd } from '../../core/money.ts';
import type { AccountCommand } from './account-specs.ts';
import type { Caller, HandlerEnv } from './env.ts';
import { errorReply, textReply, type Reply } from './replies.ts';
import { secretRefusal } from './secrets.ts';

const NAMES = { polymarket: 'Polymarket', kalshi: 'Kalshi' } as const;

function present(view: AccountView): string {
  const lines = [`Your venue accounts (${view.mode} trading):`];
  for (const v of view.venues) {
    const name = NAMES[v.venue];
    if (v.status === 'not_linked') {
      lines.push(`${name}: not linked. ${v.venue === 'polymarket' ? 'Send /wallet polymarket to create your wallet.' : 'Send /wallet kalshi <key id> <PEM> with your Kalshi API key.'}`);
      continue;
    }
    const id = v.venue === 'polymarket' ? `wallet ${v.publicId}${v.funderAddress && v.funderAddress !== v.publicId ? `, funds at ${v.funderAddress}` : ''}` : `API key ${v.publicId}`;
    const state = v.status === 'incomplete' ? ' (not finished: send /wallet polymarket again)' : '';
    const balance = v.balance ? `, available ${usd(v.balance)}` : v.balanceUnavailable ? ` (balance unavailable: ${v.balanceUnavailable})` : '';
    lines.push(`${name}: ${id}${state}${balance}`);
  }
  return lines.join('\n');
}

export async function runAccount(env: HandlerEnv, caller: Caller, cmd: AccountCommand): Promise<Reply[]> {
  const { ctx, user } = caller;
  const carriesKey = cmd.action === 'import' || cmd.action === 'kalshi';
  if (ctx.isGroup) {
    if (carriesKey) return [errorReply(secretRefusal({ platform: ctx.platform }), { deleteOriginal: true })];
    return [errorReply('Your wallets and balances are private: send /wallet to me in a private chat. Nothing was done.', { ephemeral: true })];
  }
  const accounts = env.services.accounts;
  if (!accounts) {
    return [errorReply(`Live venue accounts are not enabled on this server (it trades on paper venues).${carriesKey ? ' Nothing from your message was stored; delete it.' : ''}`, { ephemeral: true })];
  }
  const after = carriesKey ? { deleteOriginal: true, ephemeral: true } : { ephemeral: true };
  try {
    switch (cmd.action) {
      case 'show':
        return [textReply(present(await accounts.getAccount(user.id)), after)];
      case 'polymarket': {
        const { address, created } = await accounts.linkPolymarket({ userId: user.id });
        return [textReply(`${created ? 'Your new Polymarket wallet' : 'Your Polymarket wallet'}: ${address}\nDeposit USDC on Polygon to this address to trade on Polymarket.`, after)];
      }
      case 'import': {
        const { address } = await accounts.linkPolymarket({ userId: user.id, privateKey: cmd.privateKey });
        return [textReply(`Polymarket wallet ${address} linked; its key is stored encrypted. Delete your message with the key from this chat.`, after)];
      }
      case 'kalshi': {
        const { keyId, balance } = await accounts.linkKalshi({ userId: user.id, keyId: cmd.keyId, privateKey: cmd.privateKey });
        return [textReply(`Kalshi API key ${keyId} linked${balance ? ` (available ${usd(balance)})` : ''}; it is stored encrypted. Delete your message with the key from this chat.`, after)];
      }
      case 'unlink': {
        const { removed } = await accounts.unlink({ userId: user.id, venue: cmd.venue, confirm: cmd.confirm });
        return [textReply(removed ? `${NAMES[cmd.venue]} unlinked; its keys are deleted.` : `No ${NAMES[cmd.venue]} account was linked.`, after)];
      }
    }
  } catch (err) {
    if (err instanceof AccountError) {
      const text = err.message.replace(/DELETE \/api\/v1\/account\/polymarket\?confirm=(0x[0-9a-fA-F]+)/, '/wallet unlink polymarket $1').replace(/confirm=(0x[0-9a-fA-F]+)/, '/wallet unlink polymarket $1');
      return [errorReply(`${text}${carriesKey ? ' Delete your message with the key.' : ''}`, after)];
    }
    throw err;
  }
}
