/** Users, chat identities and hashed API tokens. */
import { createHash, randomBytes } from 'node:crypto';
import type { User } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { decOrNull, type Decimal } from '../money.ts';
import { readNotifySettings, type NotifySettings } from '../notifications/settings.ts';
import { createLinkCode, redeemLinkCode, type LinkResult } from './linking.ts';
import type { ChatPlatform, UserView, UsersApi } from './types.ts';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function view(u: User): UserView {
  return { id: u.id, name: u.name, maxOrderUsd: decOrNull(u.maxOrderUsd), skipConfirmBelowUsd: decOrNull(u.skipConfirmBelowUsd), createdAt: u.createdAt };
}

export class UserService implements UsersApi {
  /** Token → user cache: authentication is on every API request's hot path. */
  private readonly tokenCache = new Map<string, { user: UserView; at: number }>();

  constructor(private readonly deps: { prisma: Db; cacheMs?: number }) {}

  async createUser(args: { name: string }): Promise<{ user: UserView; apiToken: string }> {
    const apiToken = `yn_${randomBytes(24).toString('base64url')}`;
    const user = await this.deps.prisma.user.create({
      data: { name: args.name, apiTokens: { create: { tokenHash: hashToken(apiToken), label: 'default' } } },
    });
    return { user: view(user), apiToken };
  }

  async ensureChatUser(args: { platform: ChatPlatform; externalId: string; name: string; chatId?: string }): Promise<UserView> {
    const where = { platform_externalId: { platform: args.platform, externalId: args.externalId } };
    const found = await this.deps.prisma.chatIdentity.findUnique({ where, include: { user: true } });
    if (found) {
      if (args.chatId && found.chatId !== args.chatId) {
        await this.deps.prisma.chatIdentity.update({ where, data: { chatId: args.chatId } });
      }
      return view(found.user);
    }
    try {
      const user = await this.deps.prisma.user.create({
        data: { name: args.name, identities: { create: { platform: args.platform, externalId: args.externalId, chatId: args.chatId ?? null, username: args.name } } },
      });
      return view(user);
    } catch {
      // Two first messages at once: the other one created it.
      const again = await this.deps.prisma.chatIdentity.findUniqueOrThrow({ where, include: { user: true } });
      return view(again.user);
    }
  }

  async authenticate(apiToken: string): Promise<UserView | null> {
    const hash = hashToken(apiToken);
    const ttl = this.deps.cacheMs ?? 5_000;
    const cached = this.tokenCache.get(hash);
    if (cached && Date.now() - cached.at < ttl) return cached.user;
    const row = await this.deps.prisma.apiToken.findUnique({ where: { tokenHash: hash }, include: { user: true } });
    if (!row || row.revokedAt) {
      this.tokenCache.delete(hash);
      return null;
    }
    const user = view(row.user);
    this.tokenCache.set(hash, { user, at: Date.now() });
    return user;
  }

  async get(userId: string): Promise<UserView | null> {
    const u = await this.deps.prisma.user.findUnique({ where: { id: userId } });
    return u ? view(u) : null;
  }

  async list(args?: { limit?: number }): Promise<UserView[]> {
    const rows = await this.deps.prisma.user.findMany({ orderBy: { createdAt: 'desc' }, take: Math.min(args?.limit ?? 100, 1000) });
    return rows.map(view);
  }

  async identities(userId: string): Promise<{ platform: ChatPlatform; externalId: string; chatId: string | null; shareFills: boolean }[]> {
    const rows = await this.deps.prisma.chatIdentity.findMany({ where: { userId } });
    return rows.map((r) => ({ platform: r.platform as ChatPlatform, externalId: r.externalId, chatId: r.chatId, shareFills: r.shareFills }));
  }

  createLinkCode(userId: string): Promise<{ code: string; expiresAt: Date }> {
    return createLinkCode(this.deps.prisma, { userId });
  }

  redeemLinkCode(args: { code: string; platform: ChatPlatform; externalId: string; name?: string; chatId?: string }): Promise<LinkResult> {
    return redeemLinkCode(this.deps.prisma, args);
  }

  async setSkipConfirmBelow(args: { userId: string; usd: Decimal | null }): Promise<UserView> {
    const u = await this.deps.prisma.user.update({ where: { id: args.userId }, data: { skipConfirmBelowUsd: args.usd ? args.usd.toFixed() : null } });
    return view(u);
  }

  async setShareFills(args: { platform: ChatPlatform; externalId: string; share: boolean }): Promise<void> {
    await this.deps.prisma.chatIdentity.update({
      where: { platform_externalId: { platform: args.platform, externalId: args.externalId } },
      data: { shareFills: args.share },
    });
  }

  async getNotifySettings(userId: string): Promise<NotifySettings> {
    const u = await this.deps.prisma.user.findUnique({ where: { id: userId }, select: { notifySettings: true } });
    return readNotifySettings(u?.notifySettings);
  }

  async setNotifySettings(userId: string, patch: Partial<NotifySettings>): Promise<NotifySettings> {
    return this.deps.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${userId}::uuid FOR UPDATE`;
      const u = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { notifySettings: true } });
      const next = readNotifySettings({ ...readNotifySettings(u.notifySettings), ...patch });
      await tx.user.update({ where: { id: userId }, data: { notifySettings: { ...next } } });
      return next;
    });
  }
}
