/**
 * Runs /counter, /copy and /follows (follow-specs.ts parses them). Starting a follow moves money
 * later without asking again, so it is confirmed first (like /snipe): Confirm arms it, once.
 */
import { Decimal, usd } from '../../core/money.ts';
import { TradingError } from '../../core/trading/types.ts';
import type { CreateFollowInput, FollowApi, FollowView } from '../../core/following/types.ts';
import { shortWallet } from '../../core/following/messages.ts';
import { confirmButtonId, type Confirmation } from './confirm.ts';
import type { Caller, HandlerEnv, PendingTrade } from './env.ts';
import { describeError } from './errors.ts';
import type { FollowCommand, FollowStartCommand, FollowsCommand } from './follow-specs.ts';
import { errorReply, textReply, type Reply } from './replies.ts';

const short = (id: string) => id.replace(/-/g, '').slice(0, 8);

function api(env: HandlerEnv): FollowApi {
  if (!env.services.follow) throw new TradingError('venue_unavailable', 'Copy- and counter-trading are not available on this server.');
  return env.services.follow;
}

/** "x0.5, at most $50 per trade, 30s delay, daily stop-loss $100, politics and crypto only" */
export function settingsText(f: Pick<FollowView, 'sizeMultiplier' | 'maxTradeSize' | 'executionDelaySec' | 'dailyStopLoss' | 'categories'>): string {
  const parts = [`x${f.sizeMultiplier.toFixed()}`];
  if (f.maxTradeSize) parts.push(`at most ${usd(f.maxTradeSize)} per trade`);
  parts.push(f.executionDelaySec > 0 ? `${f.executionDelaySec}s delay` : 'no delay');
  if (f.dailyStopLoss) parts.push(`daily stop-loss ${usd(f.dailyStopLoss)}`);
  parts.push(f.categories.length ? `${f.categories.join(', ')} only` : 'all categories');
  return parts.join(', ');
}

function stateText(f: FollowView): string {
  switch (f.state) {
    case 'active':
      return 'active';
    case 'paused':
      return 'paused by you';
    case 'stopped-loss':
      return `paused by its daily stop-loss until ${f.pausedUntil ? f.pausedUntil.toISOString().replace('T', ' ').slice(0, 16) : 'the reset'} UTC`;
    case 'stopped':
      return 'stopped';
  }
}

function ruleText(kind: 'counter' | 'copy'): string {
  return kind === 'counter'
    ? 'When it buys an outcome you buy the opposite outcome of the same market; when it sells, you sell the opposite shares this counter-trade bought.'
    : 'When it buys an outcome you buy the same outcome; when it sells, you sell what this copy-trade bought.';
}

/** One line of /follows. */
export function followLine(f: FollowView): string {
  const label = f.kind === 'counter' ? 'counter' : 'copy';
  return `#${short(f.id)} ${label} ${shortWallet(f.targetWalletAddress)} ${settingsText(f)} · ${stateText(f)} · today: ${f.dailyTradeCount} trade${f.dailyTradeCount === 1 ? '' : 's'}, PnL ${usd(f.dailyPnl)}`;
}

export function presentFollows(list: FollowView[], all: boolean): string {
  if (list.length === 0) return all ? 'You have never followed a wallet. Try: /counter <wallet> or /copy <wallet> (/help counter).' : 'You follow no wallet right now. Try: /counter <wallet> or /copy <wallet> (/help counter).';
  return [`Your ${all ? '' : 'active and paused '}follows (today = since the last daily reset):`, ...list.map(followLine), '', '/follows pause|resume|stop <id> · /follows <id> for details'].join('\n');
}

export function presentFollow(f: FollowView): string {
  return [
    `${f.kind === 'counter' ? 'Counter-trade' : 'Copy-trade'} #${short(f.id)} of ${f.targetWalletAddress}`,
    `Settings: ${settingsText(f)}`,
    `State: ${stateText(f)}`,
    `Today: ${f.dailyTradeCount} trade${f.dailyTradeCount === 1 ? '' : 's'}, PnL ${usd(f.dailyPnl)}`,
    `Orders placed: ${f.orderIds.length}${f.orderIds.length ? ` (latest ${short(f.orderIds[f.orderIds.length - 1]!)}; /order <id>)` : ''}`,
    ruleText(f.kind),
  ].join('\n');
}

/** The reply once a follow is armed. */
export function presentFollowStarted(f: FollowView): string {
  return `${f.kind === 'counter' ? 'Counter-trading' : 'Copying'} ${shortWallet(f.targetWalletAddress)} from now on (#${short(f.id)}): ${settingsText(f)}. ${ruleText(f.kind)} You get one message per trade. /follows pause ${short(f.id)} to pause.`;
}

export function startText(cmd: FollowStartCommand): string {
  const parts = [`/${cmd.name}`, cmd.wallet];
  if (cmd.multiplier) parts.push(`x${cmd.multiplier.toFixed()}`);
  if (cmd.maxTradeSize) parts.push(`max $${cmd.maxTradeSize.toFixed()}`);
  if (cmd.delaySec !== undefined) parts.push(`delay ${cmd.delaySec}`);
  if (cmd.dailyStopLoss) parts.push(`stop $${cmd.dailyStopLoss.toFixed()}`);
  if (cmd.categories?.length) parts.push(`categories ${cmd.categories.join(',')}`);
  return parts.join(' ');
}

export async function runFollow(env: HandlerEnv, caller: Caller, cmd: FollowCommand): Promise<Reply[]> {
  if (cmd.name === 'follows') return runFollows(env, caller, cmd);
  return startFollow(env, caller, cmd);
}

async function startFollow(env: HandlerEnv, caller: Caller, cmd: FollowStartCommand): Promise<Reply[]> {
  const follow = api(env);
  const retry = startText(cmd);
  if (cmd.categories?.length) {
    const known = [...new Set((await env.services.markets.list({ limit: 1000 })).map((m) => m.category.toLowerCase()))].sort();
    const unknown = cmd.categories.filter((c) => !known.includes(c));
    if (unknown.length) {
      throw new TradingError('invalid_input', `${unknown.map((c) => JSON.stringify(c)).join(', ')} ${unknown.length === 1 ? 'is not a market category' : 'are not market categories'}; known ones: ${known.join(', ')}. Try: ${retry.replace(/ categories \S+/, ` categories ${known[0] ?? 'politics'}`)}`);
    }
  }
  const input: CreateFollowInput = {
    userId: caller.user.id,
    kind: cmd.name,
    targetWalletAddress: cmd.wallet,
    ...(cmd.multiplier ? { sizeMultiplier: cmd.multiplier } : {}),
    ...(cmd.maxTradeSize ? { maxTradeSize: cmd.maxTradeSize } : {}),
    ...(cmd.delaySec !== undefined ? { executionDelaySec: cmd.delaySec } : {}),
    ...(cmd.dailyStopLoss ? { dailyStopLoss: cmd.dailyStopLoss } : {}),
    ...(cmd.categories ? { categories: cmd.categories } : {}),
  };
  if (env.skipConfirm) {
    return [textReply(presentFollowStarted(await follow.create(input)), { ephemeral: true })];
  }
  const ttlSec = Math.round(env.confirmations.ttlMs / 1000);
  const c = env.confirmations.create({
    owner: caller.owner,
    chatId: caller.ctx.chatId,
    payload: {
      // Not an order: Confirm arms the follow (`follow`); this placeholder is never placed.
      input: { userId: caller.user.id, marketId: '-', side: 'yes', action: 'buy', type: 'market' },
      retry,
      marketTitle: `${cmd.name} ${shortWallet(cmd.wallet)}`,
      follow: input,
    },
  });
  const settings = settingsText({
    sizeMultiplier: cmd.multiplier ?? new Decimal(1),
    maxTradeSize: cmd.maxTradeSize ?? null,
    executionDelaySec: cmd.delaySec ?? 0,
    dailyStopLoss: cmd.dailyStopLoss ?? null,
    categories: cmd.categories ?? [],
  });
  const id8 = c.id.slice(0, 8);
  return [
    {
      kind: 'confirm',
      text: [
        `${cmd.name === 'counter' ? 'Counter-trade' : 'Copy'} ${cmd.wallet}? ${ruleText(cmd.name)}`,
        `Settings: ${settings}.`,
        `From now on an order goes out for each of its trades without asking you again (only its trades after you confirm). Confirm within ${ttlSec}s.`,
      ].join('\n'),
      buttons: [
        [
          { id: confirmButtonId(c.id, 'ok'), label: 'Confirm', style: 'primary', command: `/confirm ${id8}` },
          { id: confirmButtonId(c.id, 'no'), label: 'Cancel', style: 'danger', command: `/cancel ${id8}` },
        ],
      ],
      editKey: `confirm:${c.id}`,
      ephemeral: true,
    },
  ];
}

/** Confirm on a /counter or /copy: arms the follow (once: the store's claim guarantees a single call). */
export async function createConfirmedFollow(env: HandlerEnv, c: Confirmation<PendingTrade>): Promise<Reply[]> {
  const editKey = `confirm:${c.id}`;
  try {
    const f = await api(env).create(c.payload.follow!);
    return [{ kind: 'text', text: presentFollowStarted(f), editKey, buttons: [], ephemeral: true }];
  } catch (err) {
    if (!(err instanceof TradingError)) env.log?.error({ err, confirmation: c.id.slice(0, 8) }, 'arming a confirmed follow failed');
    const text = err instanceof TradingError ? `${describeError(err, { command: 'counter', example: c.payload.retry })} Nothing was started.` : 'Something went wrong on our side; check /follows before you try again.';
    return [errorReply(text, { editKey, buttons: [] })];
  }
}

async function runFollows(env: HandlerEnv, caller: Caller, cmd: FollowsCommand): Promise<Reply[]> {
  const follow = api(env);
  const userId = caller.user.id;
  if (cmd.action === 'list') return [textReply(presentFollows(await follow.list({ userId, includeStopped: cmd.all }), cmd.all), { ephemeral: true })];
  const { kind, id } = await follow.resolveId({ userId, prefix: cmd.id });
  switch (cmd.action) {
    case 'show':
      return [textReply(presentFollow(await follow.get({ userId, kind, id })), { ephemeral: true })];
    case 'pause': {
      const f = await follow.update({ userId, kind, id, enabled: false });
      return [textReply(`Paused #${short(f.id)} (${shortWallet(f.targetWalletAddress)}): its trades are not followed until /follows resume ${short(f.id)}.`, { ephemeral: true })];
    }
    case 'resume': {
      const f = await follow.update({ userId, kind, id, enabled: true });
      const note = f.state === 'stopped-loss' ? ` It is still paused by its daily stop-loss until the daily reset.` : '';
      return [textReply(`Resumed #${short(f.id)} (${shortWallet(f.targetWalletAddress)}): its trades from now on are followed.${note}`, { ephemeral: true })];
    }
    case 'stop': {
      const f = await follow.stop({ userId, kind, id });
      return [textReply(`Stopped #${short(f.id)} (${shortWallet(f.targetWalletAddress)}) for good. Your positions stay as they are; today: ${f.dailyTradeCount} trade${f.dailyTradeCount === 1 ? '' : 's'}, PnL ${usd(f.dailyPnl)}.`, { ephemeral: true })];
    }
  }
}
