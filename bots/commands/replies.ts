/**
 * The reply model every chat front end renders: plain text plus optional buttons, with enough
 * metadata for a transport to edit a message in place (Telegram `editMessageText`, Discord
 * `interaction.update`) and to keep personal data private (Discord ephemeral replies).
 */
import type { ChatPlatform } from '../../core/users/types.ts';

/** Who typed, and where. A command in a group acts only for the person who typed it. */
export interface ChatContext {
  platform: ChatPlatform;
  /** The platform's id of the person (Telegram user id, Discord user id, OS user name). */
  userExternalId: string;
  /** A display name, used when the yesno user is created on first contact. */
  userName: string;
  /** Where replies go (Telegram chat id, Discord channel id, "console"). */
  chatId: string;
  isGroup: boolean;
  /**
   * The person is an admin of this group or channel (the transport asks the platform: Telegram
   * getChatMember status creator/administrator, Discord Administrator or Manage Server). Only
   * admins change a group's /alerts. Ignored in private chats.
   */
  isAdmin?: boolean;
}

/** One button. `id` is what the transport hands back to `handleButton` (≤ 64 bytes: fits Telegram callback data). */
export interface ReplyButton {
  id: string;
  label: string;
  style?: 'primary' | 'danger';
  /** The same action as a typed command (e.g. "/confirm 1a2b3c4d"): what text-only front ends show. */
  command?: string;
}

export type ReplyKind = 'text' | 'error' | 'confirm' | 'order';

/** What a command answers with. Transports render it; they never reword it. */
export interface Reply {
  kind: ReplyKind;
  /** Plain text (no markup); lines separated by "\n". */
  text: string;
  /** Rows of buttons. An empty array means "remove the buttons" when editing. */
  buttons?: ReplyButton[][];
  /**
   * Stable key of the message this reply shows. A later reply (or notification) with the same key
   * replaces that message where the platform allows edits, e.g. `confirm:<id>`, `order:<id>`.
   */
  editKey?: string;
  /** Personal data: show only to the person who asked (Discord ephemeral; DM-worthy in groups). */
  ephemeral?: boolean;
  /** The order this message is about, so later state changes of it can edit this message. */
  orderId?: string;
  /**
   * The message this replies to looked like a secret (a private key, a seed phrase) in a group:
   * delete it where the bot may (Telegram deleteMessage when it is an admin with that right,
   * Discord Manage Messages). The reply never repeats the text.
   */
  deleteOriginal?: boolean;
  /** A picture to send (a /chart or /pnl card): PNG bytes; `caption` goes under it, `text` is the fallback. */
  photo?: { png: Buffer; caption?: string };
}

export function textReply(text: string, extra: Partial<Omit<Reply, 'kind' | 'text'>> = {}): Reply {
  return { kind: 'text', text, ...extra };
}

export function errorReply(text: string, extra: Partial<Omit<Reply, 'kind' | 'text'>> = {}): Reply {
  return { kind: 'error', text, ...extra };
}
