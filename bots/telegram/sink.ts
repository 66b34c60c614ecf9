/**
 * Delivers notification outbox rows to Telegram (jobs/notify-worker.ts calls deliver once per row
 * and sink; a thrown error makes the worker retry the row later).
 *
 * - Order rows (state changes, fills): one message per order. Where the order already has a
 *   message in a chat (ChatMessageRef: the confirmed quote, or an earlier notification) it is
 *   edited in place; otherwise a new message goes to the user's private chat and is recorded. A
 *   row older than the order's current state is skipped (the newer row shows the truth), so
 *   out-of-order delivery never moves a message backwards. A late fill after a cancel is a new
 *   message (a reply to the order's message), since it changes the position unexpectedly.
 * - Other rows for a user (automation, text) go to the user's private chat.
 * - Channel alerts (`channel_alert` rows for platform "telegram") go to that group or channel.
 * - The user's settings apply (User.notifySettings, read by the worker): rows set to "off" never
 *   arrive here, "silent" ones are sent without a sound (disable_notification).
 * - Exactly once: an order's message is recorded before the row completes, so a retry edits it
 *   (same text: "not modified") instead of posting again; other rows are remembered by id.
 * - A user who blocked the bot (403) is skipped, not retried.
 */
import type { Api } from 'grammy';
import type { MessageRefStore } from '../../core/notifications/message-refs.ts';
import type { NotificationSink, OutboxRow } from '../../core/notifications/types.ts';
import type { Services } from '../../core/services.ts';
import type { OrderView } from '../../core/trading/types.ts';
import { presentNotification } from '../commands/notify.ts';
import type { Reply } from '../commands/replies.ts';
import type { TelegramLog } from './bot.ts';
import type { BusyTracker } from './busy.ts';
import { fitText, isForbidden, isMessageGone, isNotModified, splitText } from './render.ts';

export interface TelegramSinkOptions {
  api: Api;
  services: Pick<Services, 'trading' | 'users'>;
  refs: MessageRefStore;
  log: TelegramLog;
  /** The bot's command handling in progress (same process): waited for before an order's message is looked up. */
  busy?: BusyTracker;
  /** Longest wait for that. Default 3000 ms. */
  busyWaitMs?: number;
}

const RANK: Record<string, number> = { created: 0, pending: 1, partial: 2, filled: 3, cancelled: 3, failed: 3 };
const PLATFORM = 'telegram';

export class TelegramSink implements NotificationSink {
  readonly name = PLATFORM;
  /** Rows already delivered by this process (ids), for rows without a recorded message. */
  private readonly delivered = new Set<string>();
  /** One delivery at a time per order, so two rows of one order never both post a first message. */
  private readonly orderLocks = new Map<string, Promise<void>>();

  constructor(private readonly opts: TelegramSinkOptions) {}

  async deliver(row: OutboxRow): Promise<void> {
    if (this.delivered.has(row.id)) return;
    const p = row.payload;
    if (p.kind === 'channel_alert') {
      if (p.platform === PLATFORM) await this.postToChannel(p.chatId, p.text);
    } else {
      const chats = await this.privateChats(row.userId);
      if (chats.length === 0) return;
      const orderId = p.kind === 'order_status' || p.kind === 'order_fill' ? p.orderId : null;
      if (orderId) await this.withOrderLock(orderId, () => this.deliverOrderRow(row, orderId, chats));
      else await this.deliverPersonal(row, chats);
    }
    this.remember(row.id);
  }

  /** The private chats of the user's Telegram accounts (a private chat's id is the person's id). */
  private async privateChats(userId: string): Promise<string[]> {
    const ids = await this.opts.services.users.identities(userId);
    return ids.filter((i) => i.platform === PLATFORM).map((i) => i.externalId);
  }

  /**
   * The worker applies the user's settings (core/notifications/settings.ts): rows set to "off" never
   * reach the sinks, "silent" ones arrive with `silent: true`.
   */
  private modeOf(row: OutboxRow): 'send' | 'silent' {
    return row.silent ? 'silent' : 'send';
  }

  private async deliverPersonal(row: OutboxRow, chats: string[]): Promise<void> {
    const { trading } = this.opts.services;
    const p = row.payload;
    const mode = this.modeOf(row);
    const order = p.kind === 'automation' && p.orderId ? await trading.getOrder({ userId: row.userId, orderId: p.orderId }).catch(() => null) : null;
    const reply = presentNotification(p, order);
    if (!reply) return;
    for (const chatId of chats) await this.sendOrSkip(chatId, reply, { silent: mode === 'silent' });
  }

  private async deliverOrderRow(row: OutboxRow, orderId: string, chats: string[]): Promise<void> {
    const { trading } = this.opts.services;
    const p = row.payload;
    const order: OrderView | null = await trading.getOrder({ userId: row.userId, orderId }).catch(() => null);
    // An older state than the order's current one: the newer row's message says more.
    if (p.kind === 'order_status' && order && (RANK[p.status] ?? 0) < (RANK[order.status] ?? 0)) return;
    const reply = presentNotification(p, order);
    if (!reply) return;
    const mode = this.modeOf(row);
    // The bot may be turning the confirmation into this order's message right now.
    await this.opts.busy?.settled(chats, this.opts.busyWaitMs ?? 3000);
    const refs = await this.opts.refs.list(orderId, PLATFORM);

    if (p.kind === 'order_fill' && p.late) {
      const where = refs[0];
      if (where) await this.sendOrSkip(where.chatId, reply, { silent: mode === 'silent', replyTo: Number(where.messageId) });
      else for (const chatId of chats) await this.sendOrSkip(chatId, reply, { silent: mode === 'silent' });
      return;
    }

    if (refs.length === 0) {
      for (const chatId of chats) {
        const messageId = await this.sendOrSkip(chatId, reply, { silent: mode === 'silent' });
        if (messageId !== null) await this.opts.refs.put({ orderId, platform: PLATFORM, chatId }, String(messageId));
      }
      return;
    }
    for (const ref of refs) {
      const outcome = await this.edit(ref.chatId, Number(ref.messageId), reply);
      if (outcome === 'edited') continue;
      // The message is gone (deleted, too old) or the bot left that chat: post anew, in the private chat if need be.
      const target = outcome === 'forbidden' ? chats[0] : ref.chatId;
      if (target === undefined) continue;
      const messageId = await this.sendOrSkip(target, reply, { silent: mode === 'silent' });
      if (messageId !== null) await this.opts.refs.put({ orderId, platform: PLATFORM, chatId: target }, String(messageId));
    }
  }

  private async edit(chatId: string, messageId: number, reply: Reply): Promise<'edited' | 'gone' | 'forbidden'> {
    try {
      await this.opts.api.editMessageText(chatId, messageId, fitText(reply.text), { link_preview_options: { is_disabled: true } });
      return 'edited';
    } catch (err) {
      if (isNotModified(err)) return 'edited';
      if (isMessageGone(err)) return 'gone';
      if (isForbidden(err)) return 'forbidden';
      throw err;
    }
  }

  /** Sends; returns the (last) message id, or null when the bot may not write there (logged, not retried). */
  private async sendOrSkip(chatId: string, reply: Reply, o: { silent: boolean; replyTo?: number }): Promise<number | null> {
    try {
      let last = 0;
      const chunks = splitText(reply.text);
      for (let i = 0; i < chunks.length; i++) {
        const m = await this.opts.api.sendMessage(chatId, chunks[i]!, {
          link_preview_options: { is_disabled: true },
          ...(o.silent ? { disable_notification: true } : {}),
          ...(i === 0 && o.replyTo ? { reply_parameters: { message_id: o.replyTo, allow_sending_without_reply: true } } : {}),
        });
        last = m.message_id;
      }
      return last;
    } catch (err) {
      if (!isForbidden(err)) throw err;
      this.opts.log.info({ chatId }, 'telegram: notification not delivered: the bot may not write to this chat (blocked or never started)');
      return null;
    }
  }

  private async postToChannel(chatId: string, text: string): Promise<void> {
    await this.sendOrSkip(chatId, { kind: 'text', text }, { silent: false });
  }

  private async withOrderLock(orderId: string, task: () => Promise<void>): Promise<void> {
    const before = this.orderLocks.get(orderId) ?? Promise.resolve();
    const run = before.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.orderLocks.set(orderId, tail);
    void tail.then(() => {
      if (this.orderLocks.get(orderId) === tail) this.orderLocks.delete(orderId);
    });
    return run;
  }

  private remember(id: string): void {
    this.delivered.add(id);
    if (this.delivered.size > 20_000) this.delivered.delete(this.delivered.values().next().value!);
  }
}
