/**
 * The Telegram front end: a grammY bot that hands text messages and button presses to the shared
 * command handler and renders its replies. Thin on purpose: wording lives in bots/commands.
 *
 * - Text: every text message (with or without a `bot_command` entity, "/buy@thisbot …" too; a
 *   command for another bot is ignored) → handler.handleText. In groups the reply quotes the
 *   asker's message; personal read-outs (balance, positions, orders) go to the private chat.
 * - Buttons: callback data → handler.handleButton; always answered (answerCallbackQuery), a
 *   refusal ("not yours") as an alert; a reply about the pressed message (editKey) edits it in
 *   place, so a quote becomes its order. A second press of an answered confirmation only toasts.
 * - Secrets in groups (a PEM block, a private key, a seed phrase): never handed to the handler,
 *   deleted when the bot may, refused with a pointer to the private chat, never repeated.
 * - One message per order: a reply of kind "order" records its message (ChatMessageRef), so the
 *   notification sink (./sink.ts) edits that message as the order moves.
 * - Flood control (./throttle.ts) and auto-retry on 429 are installed on the bot's API, so every
 *   call (replies and notifications) shares them.
 */
import { autoRetry, type AutoRetryOptions } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import { Bot, type Context } from 'grammy';
import type { Chat, Message, UserFromGetMe } from 'grammy/types';
import type { MessageRefStore } from '../../core/notifications/message-refs.ts';
import { COMMANDS } from '../commands/commands.ts';
import { parseConfirmButton } from '../commands/confirm.ts';
import type { CommandHandler } from '../commands/dispatcher.ts';
import { textReply, type ChatContext, type Reply } from '../commands/replies.ts';
import { looksLikeSecret, secretRefusal } from '../commands/secrets.ts';
import { BusyTracker } from './busy.ts';
import { Messenger } from './messenger.ts';
import { MAX_ALERT, RUN_PREFIX, displayName, fitText, isStaleQuery, keyboardOf } from './render.ts';
import { createThrottle, type Throttle, type ThrottleOptions } from './throttle.ts';

/** Structured logger (pino-compatible). Never given message texts: they may hold secrets. */
export interface TelegramLog {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug?(obj: unknown, msg?: string): void;
}

export interface TelegramBotOptions {
  token: string;
  /** Bot API root without a trailing slash (a self-hosted Bot API server, or a test fake). */
  apiRoot?: string;
  handler: CommandHandler;
  /** Where each order's message is recorded (ChatMessageRef). */
  refs: MessageRefStore;
  log: TelegramLog;
  /** Flood-control limits (defaults: 30/s overall, 1/s per chat with a burst of 3, 20/min per group). */
  throttle?: ThrottleOptions;
  /** Retries of failed API calls (429 honours retry_after; 5xx and network errors back off). */
  retry?: Partial<AutoRetryOptions>;
  /** Skip getMe at start (tests that know the bot). */
  botInfo?: UserFromGetMe;
  /** How long a getChatMember answer (is this person a group admin?) is reused. Default 60 s. */
  adminCacheMs?: number;
}

/** The bot plus what the notification sink shares with it. */
export interface TelegramBot {
  bot: Bot;
  throttle: Throttle;
  /** Command handling in progress per Telegram user id (see BusyTracker). */
  busy: BusyTracker;
  /** Fetches the bot's identity (getMe) unless known. */
  init(): Promise<void>;
  /** The bot's @username (after init). */
  username(): string;
  /** Sets the command menu (setMyCommands) from the shared command table. */
  setCommands(): Promise<void>;
  /** Resolves when no update is being handled (graceful stop). */
  drain(): Promise<void>;
}

const OOPS = 'Something went wrong on our side while handling that. Check /orders before trying again.';

/** The menu of commands Telegram shows after "/": the shared table, hidden ones left out. */
export function menuCommands(): { command: string; description: string }[] {
  return COMMANDS.filter((c) => !c.hidden && /^[a-z0-9_]{1,32}$/.test(c.name))
    .map((c) => ({ command: c.name, description: fitText(c.summary, 256).padEnd(3, '.') }))
    .slice(0, 100);
}

const isGroupChat = (chat: Pick<Chat, 'type'>) => chat.type !== 'private';

export function createTelegramBot(opts: TelegramBotOptions): TelegramBot {
  const { handler, refs, log } = opts;
  const bot = new Bot(opts.token, { client: { ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}) }, ...(opts.botInfo ? { botInfo: opts.botInfo } : {}) });
  const throttle = createThrottle({ log, ...opts.throttle });
  // Installed first = innermost: a 429 is retried inside the chat's turn, holding its later messages back.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 8, maxDelaySeconds: 600, ...opts.retry }));
  bot.api.config.use(throttle.transformer);
  const api = bot.api;
  const busy = new BusyTracker();
  const adminCacheMs = opts.adminCacheMs ?? 60_000;
  const admins = new Map<string, { admin: boolean; at: number }>();
  const username = () => bot.botInfo.username;
  const privateLink = () => `https://t.me/${username()}`;
  const out = new Messenger({ api, refs, log, privateLink });

  // ---- who is asking -------------------------------------------------------------------------

  async function isAdmin(chat: Chat, userId: number): Promise<boolean> {
    if (chat.type === 'channel') return true;
    const key = `${chat.id}:${userId}`;
    const hit = admins.get(key);
    if (hit && Date.now() - hit.at < adminCacheMs) return hit.admin;
    let admin = false;
    try {
      const m = await api.getChatMember(chat.id, userId);
      admin = m.status === 'creator' || m.status === 'administrator';
    } catch (err) {
      log.warn({ err, chatId: chat.id }, 'telegram: getChatMember failed; treating the user as a member');
    }
    if (admins.size > 10_000) admins.clear();
    admins.set(key, { admin, at: Date.now() });
    return admin;
  }

  /** The ChatContext of a message: the person (or, for anonymous admins and channel posts, the chat) and where. */
  async function contextOfMessage(msg: Message, asksCommand: boolean): Promise<ChatContext | null> {
    const chat = msg.chat;
    const group = isGroupChat(chat);
    const senderChat = msg.sender_chat;
    if (senderChat) {
      // A channel post, or an anonymous group admin: the chat itself speaks, with admin rights when it is this chat.
      return { platform: 'telegram', userExternalId: String(senderChat.id), userName: (('title' in senderChat && senderChat.title) || 'channel').slice(0, 200), chatId: String(chat.id), isGroup: group, ...(group ? { isAdmin: senderChat.id === chat.id } : {}) };
    }
    const from = msg.from;
    if (!from) return null;
    const base: ChatContext = { platform: 'telegram', userExternalId: String(from.id), userName: displayName(from), chatId: String(chat.id), isGroup: group };
    return group && asksCommand ? { ...base, isAdmin: await isAdmin(chat, from.id) } : base;
  }

  // ---- handlers ------------------------------------------------------------------------------

  /** Replies to a typed message. */
  async function renderForMessage(msg: Message, replies: Reply[]): Promise<void> {
    const chat = msg.chat;
    const group = isGroupChat(chat);
    let sourceGone = false;
    for (const r of replies) {
      if (r.deleteOriginal && !sourceGone) sourceGone = await out.deleteMessage(chat.id, msg.message_id);
      const personal = group && r.ephemeral && r.kind === 'text' && !keyboardOf(r.buttons) && msg.from && !msg.sender_chat;
      if (personal) {
        await out.sendPrivately(chat, msg.from!, r, msg.message_id);
        continue;
      }
      await out.stripOldButtons(chat.id, r);
      // In groups, quote the asker's message (never a message that is gone or looked like a secret).
      await out.send(chat.id, r, group && !r.deleteOriginal && !sourceGone ? { replyTo: msg.message_id } : {});
    }
  }

  /** "/cmd@otherbot" is for another bot in the group. */
  function forAnotherBot(text: string): boolean {
    const m = /^\/[^\s@]+@([A-Za-z0-9_]+)/.exec(text.trim());
    return !!m && m[1]!.toLowerCase() !== username().toLowerCase();
  }

  /** A secret in a group: delete it where we may, say why, point to the private chat. Nothing else happens. */
  async function refuseSecret(msg: Message): Promise<void> {
    const deleted = await out.deleteMessage(msg.chat.id, msg.message_id);
    const lines = [secretRefusal({ platform: 'telegram' })];
    if (!deleted) lines.push('I could not delete it here (I need the "Delete messages" admin right): delete it yourself now.');
    lines.push(`Our private chat: ${privateLink()}`);
    await out.send(msg.chat.id, textReply(lines.join('\n')));
  }

  const onboarding = (r: Reply): Reply =>
    keyboardOf(r.buttons)
      ? r
      : {
          ...r,
          buttons: [
            [
              { id: `${RUN_PREFIX}/markets`, label: 'Markets' },
              { id: `${RUN_PREFIX}/balance`, label: 'Balance' },
              { id: `${RUN_PREFIX}/help`, label: 'Help' },
            ],
          ],
        };

  async function onText(msg: Message, text: string): Promise<void> {
    const group = isGroupChat(msg.chat);
    if (forAnotherBot(text)) return;
    if (group && looksLikeSecret(text)) {
      await refuseSecret(msg);
      return;
    }
    const ctx = await contextOfMessage(msg, text.trim().startsWith('/'));
    if (!ctx) return;
    await busy.track(
      ctx.userExternalId,
      (async () => {
        let replies: Reply[];
        try {
          replies = await handler.handleText(ctx, text);
        } catch (err) {
          log.error({ err, chatId: msg.chat.id }, 'telegram: command failed');
          replies = [{ kind: 'error', text: OOPS }];
        }
        if (!group && /^\/start(@\S+)?(\s|$)/i.test(text.trim()) && replies[0]) replies = [onboarding(replies[0]), ...replies.slice(1)];
        await renderForMessage(msg, replies);
      })(),
    );
  }

  async function onButton(ctx: Context): Promise<void> {
    const cq = ctx.callbackQuery!;
    const data = cq.data ?? '';
    let answered = false;
    const answer = async (text?: string, alert = false) => {
      if (answered) return;
      answered = true;
      try {
        await ctx.answerCallbackQuery(text ? { text: fitText(text.split('\n')[0]!, MAX_ALERT), show_alert: alert } : undefined);
      } catch (err) {
        if (!isStaleQuery(err)) log.warn({ err }, 'telegram: answerCallbackQuery failed');
      }
    };
    try {
      const message = cq.message;
      if (!message || message.date === 0) {
        await answer('This button no longer works. Send the command again.');
        return;
      }
      const chat = message.chat;
      const group = isGroupChat(chat);
      const cctx: ChatContext = {
        platform: 'telegram',
        userExternalId: String(cq.from.id),
        userName: displayName(cq.from),
        chatId: String(chat.id),
        isGroup: group,
        ...(group ? { isAdmin: await isAdmin(chat, cq.from.id) } : {}),
      };
      await busy.track(
        cctx.userExternalId,
        (async () => {
          if (data.startsWith(RUN_PREFIX)) {
            await answer();
            const replies = await handler.handleText(cctx, data.slice(RUN_PREFIX.length));
            for (const r of replies) await out.send(chat.id, r);
            return;
          }
          // A press on a confirmation already answered (a double click): a toast, the message stays as it is.
          const button = parseConfirmButton(data);
          const repeat = !!button && (handler.confirmations.get(button.id)?.state ?? 'pending') !== 'pending';
          const replies = await handler.handleButton(cctx, data);
          if (repeat) {
            await answer(replies[0]?.text ?? 'Already answered.');
            return;
          }
          let pressedDone = false;
          for (const r of replies) {
            if (r.kind === 'error' && r.ephemeral && !r.editKey) {
              await answer(r.text, true);
              continue;
            }
            if (!pressedDone && (r.editKey || r.buttons)) {
              pressedDone = true;
              if (await out.edit(chat.id, message.message_id, r)) continue;
            }
            await out.send(chat.id, r);
          }
        })(),
      );
    } catch (err) {
      log.error({ err }, 'telegram: button failed');
      await answer(OOPS, true);
    } finally {
      await answer();
    }
  }

  // ---- wiring --------------------------------------------------------------------------------

  // Updates being handled, so a graceful stop can wait for them.
  let active = 0;
  const drained: (() => void)[] = [];
  bot.use(async (_ctx, next) => {
    active++;
    try {
      await next();
    } finally {
      active--;
      if (active === 0) for (const d of drained.splice(0)) d();
    }
  });
  // Updates of one person in one chat run in order; different people and chats run concurrently.
  bot.use(
    sequentialize((ctx: Context) => {
      const chat = ctx.chat?.id;
      const user = ctx.from?.id ?? ctx.msg?.sender_chat?.id;
      return chat === undefined ? undefined : `${chat}:${user ?? ''}`;
    }),
  );
  const safe = bot.errorBoundary((err) => log.error({ err: err.error, updateId: err.ctx.update.update_id }, 'telegram: update failed'));

  safe.on(['message:text', 'channel_post:text'], (ctx) => onText(ctx.msg, ctx.msg.text));
  // Captions and key files in groups can hold secrets too; elsewhere media is not a command.
  safe.on(['message:caption', 'message:document', 'channel_post:caption', 'channel_post:document'], async (ctx) => {
    const msg = ctx.msg;
    if (!isGroupChat(msg.chat)) return;
    const keyFile = /\.(pem|key|p8|p12|pfx)$/i.test(msg.document?.file_name ?? '');
    if (keyFile || looksLikeSecret(msg.caption ?? '')) await refuseSecret(msg);
  });
  safe.on('callback_query:data', (ctx) => onButton(ctx));
  safe.on('callback_query', (ctx) => ctx.answerCallbackQuery().catch(() => undefined));

  return {
    bot,
    throttle,
    busy,
    username,
    async init() {
      await bot.init();
    },
    async setCommands() {
      await api.setMyCommands(menuCommands());
    },
    drain() {
      return active === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve));
    },
  };
}
