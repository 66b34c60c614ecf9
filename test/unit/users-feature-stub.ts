/**
 * In-memory stand-ins for the UsersApi methods of issue 4 (link codes, shared fills, notification
 * settings), spread into the unit-test stubs' `users` objects.
 */
import type { NotifySettings } from '../../core/notifications/settings.ts';
import { readNotifySettings } from '../../core/notifications/settings.ts';
import type { UsersApi } from '../../core/users/types.ts';
import type { Decimal } from '../../core/money.ts';

export type UserFeatureStub = Pick<UsersApi, 'createLinkCode' | 'redeemLinkCode' | 'setShareFills' | 'setSkipConfirmBelow' | 'getNotifySettings' | 'setNotifySettings'> & {
  /** `${platform}:${externalId}` → shareFills. */
  shareFills: Map<string, boolean>;
  notify: Map<string, NotifySettings>;
  codes: Map<string, string>;
};

export function userFeatureStub(): UserFeatureStub {
  const shareFills = new Map<string, boolean>();
  const notify = new Map<string, NotifySettings>();
  const codes = new Map<string, string>();
  const skipBelow = new Map<string, Decimal | null>();
  return {
    shareFills,
    notify,
    codes,
    async createLinkCode(userId) {
      const code = `CODE${String(codes.size + 2).padStart(4, '2')}`;
      codes.set(code, userId);
      return { code, expiresAt: new Date(Date.now() + 10 * 60_000) };
    },
    async redeemLinkCode({ code }) {
      const userId = codes.get(code);
      if (!userId) return { ok: false, reason: 'invalid_code', message: 'That link code is not valid.' };
      codes.delete(code);
      return { ok: true, userId, alreadyLinked: false, platforms: ['discord', 'telegram'] };
    },
    async setShareFills({ platform, externalId, share }) {
      shareFills.set(`${platform}:${externalId}`, share);
    },
    async setSkipConfirmBelow({ userId, usd }) {
      skipBelow.set(userId, usd);
      return { id: userId, name: userId, maxOrderUsd: null, skipConfirmBelowUsd: usd, createdAt: new Date(0) };
    },
    async getNotifySettings(userId) {
      return notify.get(userId) ?? readNotifySettings(null);
    },
    async setNotifySettings(userId, patch) {
      const next = readNotifySettings({ ...(notify.get(userId) ?? {}), ...patch });
      notify.set(userId, next);
      return next;
    },
  };
}
