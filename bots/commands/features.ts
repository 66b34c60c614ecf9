/** Runs the commands of feature-specs.ts (linking, alerts, sharing fills, pictures, notification settings). */
import { runAlerts, runShareFills } from './alerts.ts';
import { runChart, runPnl } from './charts.ts';
import type { Caller, HandlerEnv } from './env.ts';
import type { FeatureCommand } from './feature-specs.ts';
import { runLink } from './link.ts';
import { runNotify } from './notify-settings.ts';
import type { Reply } from './replies.ts';

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
  }
}
