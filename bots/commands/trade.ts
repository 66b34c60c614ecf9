/**
 * /buy and /sell: resolve the market → build the order → quote it through the SmartRouter → show
 * the quote with Confirm/Cancel → on Confirm place exactly one order (idempotency key = the
 * confirmation id, venue pinned to the quoted one).
 */
import { Decimal, cents, fmt, usd } from '../../core/money.ts';
import type { MarketSummary, PlaceOrderInput, PositionView, RouteDecision } from '../../core/trading/types.ts';
import { TradingError } from '../../core/trading/types.ts';
import type { TradeCommand } from './commands.ts';
import { applyBuyLevels, createConfirmedSniper, withBuyLevelsNote, type BuyLevels } from './automation.ts';
import { confirmButtonId, type Confirmation } from './confirm.ts';
import type { Caller, HandlerEnv, PendingTrade } from './env.ts';
import { describeError } from './errors.ts';
import { shares, shortId } from './format.ts';
import { resolveMarket } from './lookup.ts';
import { presentOrderResult, presentQuote } from './present.ts';
import { errorReply, type Reply } from './replies.ts';
import { createConfirmedFollow } from './follow.ts';

/** The canonical text of a trade command, for "send it again" hints. */
export function commandText(cmd: TradeCommand, market?: Pick<MarketSummary, 'slug'>): string {
  const m = market?.slug ?? (/\s/.test(cmd.market.text) ? `"${cmd.market.text}"` : cmd.market.text);
  const size = cmd.size.kind === 'usd' ? `$${fmt(cmd.size.amount, 2)}` : cmd.size.kind === 'all' ? 'all' : fmt(cmd.size.quantity);
  const price = cmd.price ? ` @${cents(cmd.price).replace('¢', 'c')}` : '';
  const venue = cmd.venue ? ` on ${cmd.venue}` : '';
  const levels = `${cmd.takeProfit ? ` tp ${cents(cmd.takeProfit).replace('¢', 'c')}` : ''}${cmd.stopLoss ? ` sl ${cents(cmd.stopLoss).replace('¢', 'c')}` : ''}`;
  return `/${cmd.name} ${m} ${cmd.side} ${size}${price}${venue}${levels}`;
}

/**
 * The service input for a trade command. Pure. `held` is the caller's positions in this market
 * (needed only for "sell … all"). Throws TradingError for what the grammar cannot know.
 */
export function toOrderInput(cmd: TradeCommand, market: MarketSummary, userId: string, held: PositionView[] = []): Omit<PlaceOrderInput, 'idempotencyKey' | 'source'> {
  const base = { userId, marketId: market.id, side: cmd.side, action: cmd.name, ...(cmd.venue ? { exchange: cmd.venue } : {}) };
  const type = cmd.price ? ('limit' as const) : ('market' as const);
  const price = cmd.price ? { price: cmd.price } : {};
  if (cmd.size.kind === 'shares') return { ...base, type, quantity: cmd.size.quantity, ...price };
  if (cmd.size.kind === 'usd') {
    if (!cmd.price) return { ...base, type, amount: cmd.size.amount };
    // "$25 @42c": as many whole shares as the amount buys at the limit price.
    const quantity = cmd.size.amount.div(cmd.price).floor();
    if (quantity.lte(0)) {
      throw new TradingError('invalid_input', `${usd(cmd.size.amount)} buys no whole share at ${cents(cmd.price)}.`, { field: 'amount' });
    }
    return { ...base, type, quantity, price: cmd.price };
  }
  // sell … all: what is held of that side, on the forced venue or the only venue holding it.
  const mine = held.filter((p) => p.marketId === market.id && p.side === cmd.side && p.quantity.gt(0) && (!cmd.venue || p.exchange === cmd.venue));
  if (mine.length === 0) {
    throw new TradingError('no_position', `You have no ${cmd.side.toUpperCase()} shares of ${market.title}${cmd.venue ? ` on ${cmd.venue}` : ''} to sell.`);
  }
  if (mine.length > 1) {
    const where = mine.map((p) => `${p.exchange} (${shares(p.quantity)})`).join(' and ');
    throw new TradingError(
      'invalid_input',
      `You hold ${cmd.side.toUpperCase()} of this market on ${where}. Say which: ${commandText({ ...cmd, venue: mine[0]!.exchange }, market)}`,
    );
  }
  // The service sells where the shares are; no need to force the venue.
  return { ...base, type, quantity: mine[0]!.quantity, ...price };
}

/** What the order would cost (buys) or fetch (sells), for the skip-confirmation threshold. */
function estimatedUsd(input: Omit<PlaceOrderInput, 'idempotencyKey' | 'source'>, decision: RouteDecision): Decimal {
  if (input.amount) return input.amount;
  if (input.type === 'limit' && input.price && input.quantity) return input.quantity.mul(input.price);
  return decision.chosen.total;
}

/** /buy and /sell: the quote with Confirm/Cancel buttons (or the order, when confirmation is skipped). */
export async function startTrade(env: HandlerEnv, caller: Caller, cmd: TradeCommand): Promise<Reply[]> {
  const { trading, markets } = env.services;
  const market = await resolveMarket(markets, cmd.market);
  const held = cmd.size.kind === 'all' ? await trading.listPositions({ userId: caller.user.id }) : [];
  const input = toOrderInput(cmd, market, caller.user.id, held);
  const decision = await trading.quote(input);
  if (input.type === 'market' && decision.chosen.quantity.isZero()) {
    throw new TradingError(
      'insufficient_liquidity',
      `There is nothing to ${cmd.name} on ${decision.venue} right now: the book is empty on that side.`,
    );
  }
  // Placed on the venue the user saw; keep the router's reason for that choice with the order.
  const pinned = { ...input, exchange: decision.venue, ...(cmd.venue ? {} : { quotedReason: decision.reason }) };
  const levels: BuyLevels | undefined =
    cmd.name === 'buy' && (cmd.takeProfit || cmd.stopLoss)
      ? { ...(cmd.takeProfit ? { takeProfitPrice: cmd.takeProfit } : {}), ...(cmd.stopLoss ? { stopLossPrice: cmd.stopLoss } : {}) }
      : undefined;
  const threshold = caller.user.skipConfirmBelowUsd;
  if (env.skipConfirm || (threshold && estimatedUsd(input, decision).lt(threshold))) {
    const order = await trading.placeOrder({ ...pinned, source: 'manual' });
    const after = await applyBuyLevels(env, order, levels);
    return [{ kind: 'order', text: `${presentOrderResult(order)}${after ? `\n${after}` : ''}`, orderId: order.id, editKey: `order:${order.id}`, ephemeral: true }];
  }
  const ttlSec = Math.round(env.confirmations.ttlMs / 1000);
  const c = env.confirmations.create({
    owner: caller.owner,
    chatId: caller.ctx.chatId,
    payload: { input: pinned, retry: commandText(cmd, market), marketTitle: market.title, ...(levels ? { tpsl: levels } : {}) },
  });
  const text = withBuyLevelsNote(presentQuote({ cmd, market, decision, quantity: input.quantity, ttlSec }), levels);
  const short = c.id.slice(0, 8);
  return [
    {
      kind: 'confirm',
      text,
      buttons: [
        [
          { id: confirmButtonId(c.id, 'ok'), label: 'Confirm', style: 'primary', command: `/confirm ${short}` },
          { id: confirmButtonId(c.id, 'no'), label: 'Cancel', style: 'danger', command: `/cancel ${short}` },
        ],
      ],
      editKey: `confirm:${c.id}`,
      ephemeral: true,
    },
  ];
}

/** The confirmation an answer is about: by id prefix, else the caller's latest in this chat. */
export function findConfirmation(env: HandlerEnv, caller: Pick<Caller, 'owner' | 'ctx'>, id?: string): Confirmation<PendingTrade> | undefined {
  const store = env.confirmations;
  if (id) return store.get(id) ?? store.findByPrefix(caller.owner, id);
  return store.latestPending(caller.owner, caller.ctx.chatId) ?? store.latestAny(caller.owner, caller.ctx.chatId);
}

/** Confirm or decline. Confirming twice places one order; the second press shows the same result. */
export async function answerConfirmation(env: HandlerEnv, caller: Pick<Caller, 'owner' | 'ctx'>, answer: 'ok' | 'no', id?: string): Promise<Reply[]> {
  const c = findConfirmation(env, caller, id);
  if (!c) {
    if (id) {
      return [errorReply(`There is no pending confirmation ${JSON.stringify(id)} (it may have expired, or the bot restarted). Nothing was placed; send the command again.`, { buttons: [] })];
    }
    return [errorReply(`There is nothing to ${answer === 'ok' ? 'confirm' : 'cancel'}. Buy or sell first, e.g. /buy fed-cut yes $25`)];
  }
  const editKey = `confirm:${c.id}`;
  const ttlSec = Math.round(env.confirmations.ttlMs / 1000);
  const result = answer === 'ok' ? env.confirmations.claim(c.id, caller.owner) : env.confirmations.decline(c.id, caller.owner);
  switch (result.status) {
    case 'not_yours':
      return [errorReply('That confirmation belongs to someone else; only the person who asked can answer it.', { ephemeral: true })];
    case 'unknown':
      return [errorReply('That confirmation is gone (expired, or the bot restarted). Nothing was placed; send the command again.', { buttons: [] })];
    case 'expired':
      return [errorReply(`That quote expired after ${ttlSec}s; nothing was placed. Send it again for a fresh quote: ${c.payload.retry}`, { editKey, buttons: [] })];
    case 'declined':
      return [{ kind: 'text', text: `Cancelled; nothing was placed. (${c.payload.retry})`, editKey, buttons: [] }];
    case 'already_confirmed': {
      if (answer === 'no') {
        const prior = ((await c.outcome) as Reply[] | undefined)?.[0];
        return [errorReply(`Too late to cancel: that order was already confirmed.${prior ? `\n${prior.text}` : ''}`, { editKey, buttons: [] })];
      }
      const prior = (await c.outcome) as Reply[] | undefined;
      return (prior ?? []).map((r) => ({ ...r, text: `Already confirmed; nothing new was placed.\n${r.text}` }));
    }
    case 'claimed': {
      const outcome = placeConfirmed(env, c);
      c.outcome = outcome;
      return outcome;
    }
  }
}

async function placeConfirmed(env: HandlerEnv, c: Confirmation<PendingTrade>): Promise<Reply[]> {
  if (c.payload.sniper) return createConfirmedSniper(env, c);
  if (c.payload.follow) return createConfirmedFollow(env, c);
  const editKey = `confirm:${c.id}`;
  try {
    const order = await env.services.trading.placeOrder({ ...c.payload.input, idempotencyKey: `chat-confirm-${c.id}`, source: 'manual' });
    const after = await applyBuyLevels(env, order, c.payload.tpsl);
    return [{ kind: 'order', text: `${presentOrderResult(order)}${after ? `\n${after}` : ''}`, editKey, buttons: [], orderId: order.id, ephemeral: true }];
  } catch (err) {
    if (!(err instanceof TradingError)) env.log?.error({ err, confirmation: shortId(c.id) }, 'placing a confirmed order failed');
    return [errorReply(describeError(err, { command: 'confirm', example: c.payload.retry }), { editKey, buttons: [] })];
  }
}
