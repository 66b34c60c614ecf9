/** Runs the commands of feature-specs.ts (linking, alerts, sharing fills, pictures, notification settings). */
import { runAlerts, runShareFills } from './alerts.ts';
import { runChart, runPnl } from './charts.ts';
import type { Caller, HandlerEnv } from './env.ts';
import type { FeatureCommand } from './feature-specs.ts';
import { runLink } from './link.ts';
import { runNotify } from './notify-settings.ts';
import type { Reply } from './replies.ts';
import { usd } from '../../core/money.ts';

export async function runFeature(env: HandlerEnv, caller: Caller, cmd: FeatureCommand): Promise<Reply[]> {
  switch (cmd.name) {
    case 'link':
      return runLink(env, caller, cmd);
    case 'alerts':
      return runAlerts(env, caller, cmd);
    case 'sharefills':
      return runShareFills(env, caller, cmd);
    case 'chart':
      return runChart(env, caller, cmd);
    case 'pnl':
      return runPnl(env, caller);
    case 'notify':
      return runNotify(env, caller, cmd);
    case 'quickbuy':
      return runQuickbuy(env, caller, cmd);
  }
}

/** /quickbuy: shows or sets the amount below which orders skip the confirmation. */
async function runQuickbuy(env: HandlerEnv, caller: Caller, cmd: Extract<FeatureCommand, { name: 'quickbuy' }>): Promise<Reply[]> {
  if (cmd.below === undefined) {
    const now = caller.user.skipConfirmBelowUsd;
    return [{ kind: 'text', ephemeral: true, text: now ? `Orders below ${usd(now)} place at once; larger ones ask you to confirm. /quickbuy off to always confirm.` : 'Every order asks you to confirm first. /quickbuy $10 lets orders below $10 place at once.' }];
  }
  const user = await env.services.users.setSkipConfirmBelow({ userId: caller.user.id, usd: cmd.below });
  const below = user.skipConfirmBelowUsd;
  return [{ kind: 'text', ephemeral: true, text: below ? `Done: orders below ${usd(below)} now place without a confirmation.` : 'Done: every order asks you to confirm first.' }];
}
