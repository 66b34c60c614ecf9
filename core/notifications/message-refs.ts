/**
 * Which chat message shows an order (ChatMessageRef): one message per (order, platform, chat), so a
 * notification sink edits that message as the order moves through its states instead of posting a
 * new one each time. Platform-neutral (Discord, Telegram).
 */
import type { Db } from '../db/client.ts';

/** The message key: an order as shown in one chat of one platform. */
export interface MessageRefKey {
  orderId: string;
  platform: string;
  chatId: string;
}

/** Reads and records the message that shows an order in a chat. */
export interface MessageRefStore {
  /** The platform's message id, or null when the order has no message in that chat yet. */
  get(key: MessageRefKey): Promise<string | null>;
  /** Records (or replaces, e.g. after the old message was deleted) the message of an order in a chat. */
  put(key: MessageRefKey, messageId: string): Promise<void>;
  /** Every chat of `platform` where the order has a message (e.g. a group where it was confirmed). */
  list(orderId: string, platform: string): Promise<{ chatId: string; messageId: string }[]>;
}

/** The ChatMessageRef table behind MessageRefStore. */
export function prismaMessageRefs(prisma: Db): MessageRefStore {
  return {
    async get(key) {
      const row = await prisma.chatMessageRef.findUnique({ where: { orderId_platform_chatId: key }, select: { messageId: true } });
      return row?.messageId ?? null;
    },
    async put(key, messageId) {
      await prisma.chatMessageRef.upsert({
        where: { orderId_platform_chatId: key },
        create: { ...key, messageId },
        update: { messageId },
      });
    },
    async list(orderId, platform) {
      return prisma.chatMessageRef.findMany({ where: { orderId, platform }, select: { chatId: true, messageId: true }, orderBy: { createdAt: 'asc' } });
    },
  };
}

/** An in-memory store (tests, processes without a database). */
export function memoryMessageRefs(): MessageRefStore {
  const refs = new Map<string, string>();
  const k = (key: MessageRefKey) => `${key.platform}\u0000${key.chatId}\u0000${key.orderId}`;
  return {
    async get(key) {
      return refs.get(k(key)) ?? null;
    },
    async put(key, messageId) {
      refs.set(k(key), messageId);
    },
    async list(orderId, platform) {
      const prefix = `${platform}\u0000`;
      return [...refs]
        .filter(([key]) => key.startsWith(prefix) && key.endsWith(`\u0000${orderId}`))
        .map(([key, messageId]) => ({ chatId: key.slice(prefix.length, key.length - orderId.length - 1), messageId }));
    },
  };
}
