/**
 * /alerts (a group's or a private chat's alerts; in groups only admins change them) and
 * /sharefills (a member's consent to have their fills posted in groups that asked for them).
 */
import { cents } from '../../core/money.ts';
import { shortAlertId } from '../../core/alerts/alert-service.ts';
import { marketMid, points } from '../../core/alerts/price.ts';
import type { AlertView, AlertsApi, ChannelRef } from '../../core/alerts/types.ts';
import type { Caller, HandlerEnv } from './env.ts';
import type { FeatureCommand } from './feature-specs.ts';
import { clip } from './format.ts';
import { resolveMarket } from './lookup.ts';
import { errorReply, textReply, type Reply } from './replies.ts';

type AlertsCommand = Extract<FeatureCommand, { name: 'alerts' }>;

const EXAMPLES = '/alerts add fed-cut above 60c  ·  /alerts add fed-cut move 5%  ·  /alerts fills on';

/** One alert in one line: "a1b2c3  Fed cut (fed-cut): YES above 60¢". */
export function describeAlert(a: AlertView): string {
  const market = a.marketTitle ? `${clip(a.marketTitle, 48)} (${a.marketSlug})` : (a.marketId ?? '');
  switch (a.kind) {
    case 'price_above':
      return `${market}: YES above ${a.level ? cents(a.level) : '?'}`;
    case 'price_below':
      return `${market}: YES below ${a.level ? cents(a.level) : '?'}`;
    case 'big_move':
      return `${market}: a move of ${a.threshold ? points(a.threshold) : '?'} points within an hour`;
    case 'member_fills':
      return "members' fills (members opt in with /sharefills on)";
  }
}

export function presentAlerts(alerts: AlertView[], opts: { isGroup: boolean }): string {
  if (alerts.length === 0) {
    return [`No alerts in this chat yet. ${opts.isGroup ? 'Admins add them' : 'Add one'}: ${EXAMPLES}`].join('\n');
  }
  const lines = [`Alerts in this chat (${alerts.length}):`];
  for (const a of alerts) lines.push(`  ${shortAlertId(a.id)}  ${describeAlert(a)}${a.lastFiredAt ? ` · last fired ${a.lastFiredAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}`);
  lines.push(`Remove one: /alerts remove ${shortAlertId(alerts[0]!.id)}`);
  return lines.join('\n');
}

export async function runAlerts(env: HandlerEnv, caller: Caller, cmd: AlertsCommand): Promise<Reply[]> {
  const api: AlertsApi | undefined = env.services.alerts;
  if (!api) return [errorReply('Alerts are not available on this yesno server.')];
  const { ctx } = caller;
  const channel: ChannelRef = { platform: ctx.platform, chatId: ctx.chatId };
  if (cmd.action === 'list') return [textReply(presentAlerts(await api.list(channel), { isGroup: ctx.isGroup }))];
  if (ctx.isGroup && !ctx.isAdmin) {
    return [errorReply("Only this group's admins can change its alerts. /alerts lists them; in a private chat with me you can set your own.", { ephemeral: true })];
  }
  switch (cmd.action) {
    case 'fills': {
      if (!ctx.isGroup) return [errorReply("/alerts fills is for groups: it posts members' fills there. For your own fills see /notify.")];
      const changed = await api.setMemberFills({ channel, on: cmd.on, createdBy: caller.user.id });
      if (!cmd.on) return [textReply(changed ? "Members' fills are no longer posted here." : "Members' fills were not being posted here.")];
      return [
        textReply(
          `${changed ? "Members' fills will be posted here" : "Members' fills are already posted here"}: each member decides with /sharefills on (in a private chat with me), and only fills of members who use yesno in this group appear.`,
        ),
      ];
    }
    case 'remove': {
      const removed = await api.remove({ channel, idPrefix: cmd.id });
      if (!removed) return [errorReply(`No alert in this chat has id ${JSON.stringify(cmd.id)}. /alerts lists them with their ids.`)];
      return [textReply(`Removed alert ${shortAlertId(removed.id)}: ${describeAlert(removed)}.`)];
    }
    case 'add-price': {
      const market = await resolveMarket(env.services.markets, cmd.market);
      const current = marketMid(market.venues);
      const alert = await api.addPriceAlert({ channel, marketId: market.id, direction: cmd.direction, level: cmd.level, createdBy: caller.user.id, current });
      const past = current && (cmd.direction === 'above' ? current.gte(cmd.level) : current.lte(cmd.level));
      const now = current ? ` YES is ${cents(current)} now${past ? `, already ${cmd.direction} it: the alert fires after it crosses back and then ${cmd.direction} again` : ''}.` : '';
      return [textReply(`Alert ${shortAlertId(alert.id)} added: this chat hears when ${market.title} (${market.slug}) YES goes ${cmd.direction} ${cents(cmd.level)}.${now}\n/alerts lists this chat's alerts.`)];
    }
    case 'add-move': {
      const market = await resolveMarket(env.services.markets, cmd.market);
      const alert = await api.addMoveAlert({ channel, marketId: market.id, threshold: cmd.threshold, createdBy: caller.user.id });
      return [textReply(`Alert ${shortAlertId(alert.id)} added: this chat hears when ${market.title} (${market.slug}) YES moves ${points(cmd.threshold)} points or more within an hour.\n/alerts lists this chat's alerts.`)];
    }
  }
}

type ShareCommand = Extract<FeatureCommand, { name: 'sharefills' }>;

export async function runShareFills(env: HandlerEnv, caller: Caller, cmd: ShareCommand): Promise<Reply[]> {
  const { ctx, user } = caller;
  const users = env.services.users;
  if (cmd.on === undefined) {
    const mine = (await users.identities(user.id)).find((i) => i.platform === ctx.platform && i.externalId === ctx.userExternalId);
    const on = mine?.shareFills ?? false;
    return [textReply(`Sharing your fills with groups is ${on ? 'on' : 'off'}. ${on ? 'Stop with /sharefills off.' : 'Turn it on with /sharefills on.'}`, { ephemeral: true })];
  }
  await users.setShareFills({ platform: ctx.platform, externalId: ctx.userExternalId, share: cmd.on });
  return [
    textReply(
      cmd.on
        ? 'Your fills will be posted in groups where you use yesno and whose admins turned on /alerts fills (your name, market, side, shares and price; never your balance). /sharefills off stops it.'
        : 'Your fills are no longer posted in any group.',
      { ephemeral: true },
    ),
  ];
}
