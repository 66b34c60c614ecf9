/** /notify: per-user notification settings (fills on | silent | off, orders on | silent). */
import type { NotifySettings } from '../../core/notifications/settings.ts';
import type { Caller, HandlerEnv } from './env.ts';
import type { FeatureCommand } from './feature-specs.ts';
import { textReply, type Reply } from './replies.ts';

type NotifyCommand = Extract<FeatureCommand, { name: 'notify' }>;

const WORDS: Record<string, string> = {
  on: 'on',
  silent: 'silent (no sound)',
  off: 'off',
};

export function presentNotifySettings(s: NotifySettings): string {
  return [
    `Notifications: fills ${WORDS[s.fills]} · order updates ${WORDS[s.orders]}`,
    'Change: /notify fills on|silent|off  ·  /notify orders on|silent',
    '"fills off" skips each partial fill; you still hear when an order is filled, cancelled or fails.',
  ].join('\n');
}

export async function runNotify(env: HandlerEnv, caller: Caller, cmd: NotifyCommand): Promise<Reply[]> {
  const users = env.services.users;
  if (!cmd.topic || !cmd.level) return [textReply(presentNotifySettings(await users.getNotifySettings(caller.user.id)), { ephemeral: true })];
  const next = await users.setNotifySettings(caller.user.id, { [cmd.topic]: cmd.level } as Partial<NotifySettings>);
  const what = cmd.topic === 'fills' ? 'Fill messages' : 'Order updates';
  const now = cmd.level === 'off' ? 'are off' : cmd.level === 'silent' ? 'arrive silently (no sound)' : 'are on';
  return [textReply(`${what} ${now}.\n${presentNotifySettings(next)}`, { ephemeral: true })];
}
