/**
 * Per-user notification settings (User.notifySettings JSON), so fills don't spam:
 *
 *   fills:  on | silent | off   each partial fill's message ("order … fill: 10 YES @ 42¢")
 *   orders: on | silent         order state changes and automation events (never off: they are
 *                               how a trader learns that money moved)
 *
 * "silent" delivers without a sound (Telegram disable_notification); "off" skips the message.
 */
import type { NotificationPayload } from './types.ts';

export type NotifyLevel = 'on' | 'silent' | 'off';

export interface NotifySettings {
  fills: NotifyLevel;
  orders: Exclude<NotifyLevel, 'off'>;
}

export type NotifyTopic = keyof NotifySettings;

export const DEFAULT_NOTIFY_SETTINGS: Readonly<NotifySettings> = Object.freeze({ fills: 'on', orders: 'on' });

/** The levels each topic accepts. */
export const NOTIFY_LEVELS: Readonly<Record<NotifyTopic, readonly NotifyLevel[]>> = {
  fills: ['on', 'silent', 'off'],
  orders: ['on', 'silent'],
};

/** Settings from the stored JSON (missing or unknown values fall back to the defaults). */
export function readNotifySettings(json: unknown): NotifySettings {
  const out: NotifySettings = { ...DEFAULT_NOTIFY_SETTINGS };
  if (!json || typeof json !== 'object') return out;
  const raw = json as Record<string, unknown>;
  for (const topic of Object.keys(NOTIFY_LEVELS) as NotifyTopic[]) {
    const v = raw[topic];
    if (typeof v === 'string' && (NOTIFY_LEVELS[topic] as readonly string[]).includes(v)) (out as unknown as Record<string, string>)[topic] = v;
  }
  return out;
}

/** How a row reaches the user's chats under their settings. Channel alerts ignore personal settings. */
export function deliveryMode(payload: NotificationPayload, settings: NotifySettings): 'send' | 'silent' | 'skip' {
  switch (payload.kind) {
    case 'order_fill':
      // A late fill (after a cancel) changes the position unexpectedly: always said, at most silently.
      if (payload.late) return settings.fills === 'on' ? 'send' : 'silent';
      return settings.fills === 'off' ? 'skip' : settings.fills === 'silent' ? 'silent' : 'send';
    case 'order_status':
    case 'automation':
      return settings.orders === 'silent' ? 'silent' : 'send';
    default:
      return 'send';
  }
}
