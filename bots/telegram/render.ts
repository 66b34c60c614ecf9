/**
 * Reply → Telegram: message texts within Telegram's limits, inline keyboards from Reply.buttons,
 * and the Bot API errors the transport treats specially. Plain text only (no parse_mode), so
 * nothing a user typed can turn into markup.
 */
import { GrammyError } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { ReplyButton } from '../commands/replies.ts';

/** Longest text of one message (and of an edit). */
export const MAX_TEXT = 4096;
/** Longest photo caption. */
export const MAX_CAPTION = 1024;
/** Longest answerCallbackQuery text. */
export const MAX_ALERT = 200;

/** Callback data of transport-level buttons that run a command, e.g. "run:/markets". */
export const RUN_PREFIX = 'run:';

/** An inline keyboard for the buttons; undefined when there are none (a sent message gets no keyboard, an edit removes it). */
export function keyboardOf(buttons: ReplyButton[][] | undefined): InlineKeyboardMarkup | undefined {
  const rows = (buttons ?? []).filter((r) => r.length > 0);
  if (rows.length === 0) return undefined;
  return { inline_keyboard: rows.map((r) => r.map((b) => ({ text: b.label, callback_data: fitBytes(b.id, 64) }))) };
}

/** The empty keyboard: editMessageReplyMarkup with it removes the buttons. */
export const NO_KEYBOARD: InlineKeyboardMarkup = { inline_keyboard: [] };

/** Splits a text into messages of at most `max` characters, at line breaks where possible. */
export function splitText(text: string, max = MAX_TEXT): string[] {
  const t = text.trim() === '' ? '…' : text;
  if (t.length <= max) return [t];
  const parts: string[] = [];
  let current = '';
  for (const line of t.split('\n')) {
    let rest = line;
    while (rest.length > max) {
      if (current) {
        parts.push(current);
        current = '';
      }
      parts.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    const next = current ? `${current}\n${rest}` : rest;
    if (next.length > max) {
      parts.push(current);
      current = rest;
    } else {
      current = next;
    }
  }
  if (current) parts.push(current);
  return parts;
}

/** Cuts a text to `max` characters with an ellipsis (edits and captions are one message). */
export function fitText(text: string, max = MAX_TEXT): string {
  const t = text.trim() === '' ? '…' : text;
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** How a Telegram user is called: first and last name, else the @username. */
export function displayName(u: { first_name: string; last_name?: string; username?: string }): string {
  const full = [u.first_name, u.last_name].filter(Boolean).join(' ').trim();
  return (full || u.username || 'trader').slice(0, 200);
}

function fitBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = s;
  while (Buffer.byteLength(out) > max) out = out.slice(0, -1);
  return out;
}

function apiError(err: unknown): GrammyError | null {
  return err instanceof GrammyError ? err : null;
}

/** An edit that changed nothing ("message is not modified"): the message already shows it. */
export function isNotModified(err: unknown): boolean {
  const e = apiError(err);
  return !!e && e.error_code === 400 && /message is not modified/i.test(e.description);
}

/** The message is gone or too old to edit: send a new one instead. */
export function isMessageGone(err: unknown): boolean {
  const e = apiError(err);
  return !!e && e.error_code === 400 && /message to (edit|delete) not found|message can't be edited|MESSAGE_ID_INVALID|message can't be deleted/i.test(e.description);
}

/** The bot may not write there (blocked by the user, never started, removed from the group). */
export function isForbidden(err: unknown): boolean {
  const e = apiError(err);
  return !!e && (e.error_code === 403 || (e.error_code === 400 && /chat not found|have no rights|not enough rights|CHAT_WRITE_FORBIDDEN/i.test(e.description)));
}

/** The callback query can no longer be answered (too old, or already answered). */
export function isStaleQuery(err: unknown): boolean {
  const e = apiError(err);
  return !!e && e.error_code === 400 && /query is too old|query ID is invalid/i.test(e.description);
}
