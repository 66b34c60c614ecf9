/**
 * Putting replies on Telegram for the bot: send (text in as many messages as it takes, or a
 * photo), edit in place, strip the buttons of a superseded message, route personal read-outs from
 * a group to the private chat, delete a message. Remembers which message shows which editKey, and
 * records a reply of kind "order" as its order's message (ChatMessageRef) for the notification sink.
 */
import { InputFile, type Api } from 'grammy';
import type { Chat, User } from 'grammy/types';
import type { MessageRefStore } from '../../core/notifications/message-refs.ts';
import { textReply, type Reply } from '../commands/replies.ts';
import type { TelegramLog } from './bot.ts';
import { MAX_CAPTION, NO_KEYBOARD, displayName, fitText, isForbidden, isMessageGone, isNotModified, keyboardOf, splitText } from './render.ts';

export class Messenger {
  /** editKey → the message showing it, per chat (bounded). */
  private readonly shown = new Map<string, { messageId: number; hasButtons: boolean }>();

  constructor(
    private readonly deps: {
      api: Api;
      refs: MessageRefStore;
      log: TelegramLog;
      /** t.me link of the bot's private chat. */
      privateLink: () => string;
    },
  ) {}

  private remember(chatId: number, r: Reply, messageId: number, hasButtons: boolean): Promise<void> {
    if (r.editKey) {
      const key = `${chatId}|${r.editKey}`;
      this.shown.delete(key);
      this.shown.set(key, { messageId, hasButtons });
      if (this.shown.size > 5000) this.shown.delete(this.shown.keys().next().value!);
    }
    if (r.kind === 'order' && r.orderId) {
      return this.deps.refs.put({ orderId: r.orderId, platform: 'telegram', chatId: String(chatId) }, String(messageId)).catch((err: unknown) => {
        this.deps.log.error({ err, orderId: r.orderId }, "telegram: recording an order's message failed");
      });
    }
    return Promise.resolve();
  }

  /** Sends one reply (a photo, or text in as many messages as it takes). Returns the last message id. */
  async send(chatId: number, r: Reply, o: { replyTo?: number } = {}): Promise<number> {
    const { api, log } = this.deps;
    const keyboard = keyboardOf(r.buttons);
    const replyParameters = o.replyTo !== undefined ? { reply_parameters: { message_id: o.replyTo, allow_sending_without_reply: true } } : {};
    if (r.photo) {
      try {
        const m = await api.sendPhoto(chatId, new InputFile(r.photo.png, 'chart.png'), {
          caption: fitText(r.photo.caption ?? r.text, MAX_CAPTION),
          ...(keyboard ? { reply_markup: keyboard } : {}),
          ...replyParameters,
        });
        await this.remember(chatId, r, m.message_id, !!keyboard);
        return m.message_id;
      } catch (err) {
        if (isForbidden(err)) throw err;
        log.warn({ err, chatId }, 'telegram: sendPhoto failed; sending the text instead');
      }
    }
    const chunks = splitText(r.text);
    let last = 0;
    for (let i = 0; i < chunks.length; i++) {
      const final = i === chunks.length - 1;
      const m = await api.sendMessage(chatId, chunks[i]!, {
        link_preview_options: { is_disabled: true },
        ...(final && keyboard ? { reply_markup: keyboard } : {}),
        ...(i === 0 ? replyParameters : {}),
      });
      last = m.message_id;
    }
    await this.remember(chatId, r, last, !!keyboard);
    return last;
  }

  /** Edits a message to show the reply. False when the message is gone (send a new one instead). */
  async edit(chatId: number, messageId: number, r: Reply): Promise<boolean> {
    const keyboard = keyboardOf(r.buttons);
    try {
      await this.deps.api.editMessageText(chatId, messageId, fitText(r.text), { link_preview_options: { is_disabled: true }, ...(keyboard ? { reply_markup: keyboard } : {}) });
    } catch (err) {
      if (isMessageGone(err)) return false;
      if (!isNotModified(err)) throw err;
    }
    await this.remember(chatId, r, messageId, !!keyboard);
    return true;
  }

  /** A later reply with the same editKey and no buttons (a typed "/confirm"): the old message loses its buttons. */
  async stripOldButtons(chatId: number, r: Reply): Promise<void> {
    if (!r.editKey || keyboardOf(r.buttons)) return;
    const old = this.shown.get(`${chatId}|${r.editKey}`);
    if (!old?.hasButtons) return;
    old.hasButtons = false;
    await this.deps.api.editMessageReplyMarkup(chatId, old.messageId, { reply_markup: NO_KEYBOARD }).catch((err: unknown) => {
      if (!isNotModified(err) && !isMessageGone(err)) this.deps.log.warn({ err, chatId }, 'telegram: removing old buttons failed');
    });
  }

  /** Personal data asked for in a group goes to the private chat; the group only hears where it went. */
  async sendPrivately(chat: Chat, from: User, r: Reply, sourceId: number): Promise<void> {
    try {
      await this.send(from.id, r);
      await this.send(chat.id, textReply(`${displayName(from)}, I sent you that in our private chat.`), { replyTo: sourceId });
    } catch (err) {
      if (!isForbidden(err)) throw err;
      await this.send(
        chat.id,
        textReply(`${displayName(from)}, that is personal, so I answer it in our private chat, but you have not started one with me yet. Open ${this.deps.privateLink()}, press Start, then ask again.`),
        { replyTo: sourceId },
      );
    }
  }

  /** Deletes a message; false when the bot may not (no admin right, too old). */
  async deleteMessage(chatId: number, messageId: number): Promise<boolean> {
    try {
      await this.deps.api.deleteMessage(chatId, messageId);
      return true;
    } catch (err) {
      this.deps.log.info({ chatId, code: (err as { error_code?: number }).error_code }, 'telegram: could not delete a message (no admin right?)');
      return false;
    }
  }
}
