/** Users, chat identities and API tokens. */
import type { Decimal } from '../money.ts';
import type { NotifySettings } from '../notifications/settings.ts';
import type { LinkResult } from './linking.ts';

export type ChatPlatform = 'telegram' | 'discord' | 'console';

export interface UserView {
  id: string;
  name: string;
  maxOrderUsd: Decimal | null;
  skipConfirmBelowUsd: Decimal | null;
  createdAt: Date;
}

export interface UsersApi {
  /** Creates a user with a fresh API token; the plaintext token is returned once and stored hashed. */
  createUser(args: { name: string }): Promise<{ user: UserView; apiToken: string }>;
  /** The user behind a chat account, created on first contact. */
  ensureChatUser(args: { platform: ChatPlatform; externalId: string; name: string; chatId?: string }): Promise<UserView>;
  /** The user owning a bearer token, or null (unknown or revoked). */
  authenticate(apiToken: string): Promise<UserView | null>;
  get(userId: string): Promise<UserView | null>;
  list(args?: { limit?: number }): Promise<UserView[]>;
  /** Chat identities of a user (where to deliver notifications). */
  identities(userId: string): Promise<{ platform: ChatPlatform; externalId: string; chatId: string | null; shareFills?: boolean }[]>;
  /** A one-time code (8 characters, 10 minutes) that links another chat account to this user (core/users/linking.ts). */
  createLinkCode(userId: string): Promise<{ code: string; expiresAt: Date }>;
  /** Moves the chat identity that typed `code` to the code's user; refuses when money would merge. */
  redeemLinkCode(args: { code: string; platform: ChatPlatform; externalId: string; name?: string; chatId?: string }): Promise<LinkResult>;
  /** Whether this chat account's fills may be posted in the groups that subscribed to members' fills. */
  setShareFills(args: { platform: ChatPlatform; externalId: string; share: boolean }): Promise<void>;
  /** Orders below this USD amount skip the chat confirmation; null = always confirm. */
  setSkipConfirmBelow(args: { userId: string; usd: Decimal | null }): Promise<UserView>;
  getNotifySettings(userId: string): Promise<NotifySettings>;
  /** Changes some settings and returns all of them. */
  setNotifySettings(userId: string, patch: Partial<NotifySettings>): Promise<NotifySettings>;
}
