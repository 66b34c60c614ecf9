/** Users, chat identities and API tokens. */
import type { Decimal } from '../money.ts';

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
  identities(userId: string): Promise<{ platform: ChatPlatform; externalId: string; chatId: string | null }[]>;
}
