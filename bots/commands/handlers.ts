/** The read-and-cancel commands: /start, /markets, /price, /orders, /order, /cancel, /positions, /balance. */
import { usd } from '../../core/money.ts';
import type { OrderStatus } from '../../core/trading/types.ts';
import type { Command } from './commands.ts';
import type { Caller, HandlerEnv } from './env.ts';
import { resolveMarket, resolveOrderId } from './lookup.ts';
import { presentBalance, presentMarkets, presentOrderDetail, presentOrderResult, presentOrders, presentPositions, presentPrice } from './present.ts';
import { errorReply, textReply, type Reply } from './replies.ts';
import { answerConfirmation, startTrade } from './trade.ts';
import { runAutomationCommand } from './automation.ts';
import { runFeature } from './features.ts';
import { runFollow } from './follow.ts';
import { runAccount } from './account.ts';

const OPEN: OrderStatus[] = ['created', 'pending', 'partial'];
const LIST_LIMIT = 15;

/** Runs a parsed command for a known caller. Errors propagate; the dispatcher words them. */
export async function runCommand(env: HandlerEnv, caller: Caller, cmd: Exclude<Command, { name: 'help' }>): Promise<Reply[]> {
  const { trading, markets } = env.services;
  const userId = caller.user.id;
  switch (cmd.name) {
    case 'start': {
      const balance = await trading.getBalance({ userId });
      const paper = balance.venues.every((v) => v.mode === 'paper');
      return [
        textReply(
          [
            `Welcome to yesno, ${caller.user.name}! You trade Polymarket and Kalshi markets from here.`,
            `${paper ? 'Paper money' : 'Your balance'}: ${balance.venues.map((v) => `${usd(v.available)} on ${v.venue}`).join(', ')}.`,
            'Try: /markets to look around, /price <market> for quotes, /buy <market> yes $25 to trade.',
            'Every buy and sell shows a quote first and waits for your Confirm. /help lists everything.',
          ].join('\n'),
        ),
      ];
    }
    case 'markets': {
      const found = await markets.list({ query: cmd.query, limit: LIST_LIMIT + 1 });
      return [textReply(presentMarkets(found.slice(0, LIST_LIMIT), { query: cmd.query, more: found.length > LIST_LIMIT }))];
    }
    case 'price':
      return [textReply(presentPrice(await resolveMarket(markets, cmd.market)))];
    case 'buy':
    case 'sell':
      return startTrade(env, caller, cmd);
    case 'confirm':
      return answerConfirmation(env, caller, 'ok', cmd.id);
    case 'decline':
      return answerConfirmation(env, caller, 'no', cmd.id);
    case 'orders': {
      const orders = await trading.listOrders({ userId, status: cmd.scope === 'open' ? OPEN : undefined, limit: cmd.scope === 'open' ? 50 : 20 });
      return [textReply(presentOrders(orders, cmd.scope), { ephemeral: true })];
    }
    case 'order': {
      const order = await trading.getOrder({ userId, orderId: await resolveOrderId(trading, userId, cmd.id) });
      return [textReply(presentOrderDetail(order), { ephemeral: true, orderId: order.id })];
    }
    case 'cancel': {
      // Without an id, or with the id of a pending confirmation, /cancel declines that confirmation.
      if (!cmd.id) {
        if (env.confirmations.latestPending(caller.owner, caller.ctx.chatId)) return answerConfirmation(env, caller, 'no');
        return [errorReply('Which order? Give its id from /orders. Try: /cancel 1a2b3c4d')];
      }
      const pending = env.confirmations.findByPrefix(caller.owner, cmd.id);
      if (pending) return answerConfirmation(env, caller, 'no', pending.id);
      const order = await trading.cancelOrder({ userId, orderId: await resolveOrderId(trading, userId, cmd.id) });
      return [{ kind: 'order', text: presentOrderResult(order), orderId: order.id, editKey: `order:${order.id}`, ephemeral: true }];
    }
    case 'positions':
      return [textReply(presentPositions(await trading.listPositions({ userId })), { ephemeral: true })];
    case 'balance':
      return [textReply(presentBalance(await trading.getBalance({ userId })), { ephemeral: true })];
    case 'snipe':
    case 'snipers':
    case 'unsnipe':
    case 'tp':
    case 'sl':
      return runAutomationCommand(env, caller, cmd);
    case 'counter':
    case 'copy':
    case 'follows':
      return runFollow(env, caller, cmd);
    case 'wallet':
      return runAccount(env, caller, cmd);
    case 'link':
    case 'alerts':
    case 'sharefills':
    case 'chart':
    case 'pnl':
    case 'notify':
    case 'quickbuy':
      return runFeature(env, caller, cmd);
  }
}
