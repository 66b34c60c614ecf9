/**
 * The shared Reply model as Discord messages: plain text escaped so Discord shows it literally,
 * split at line breaks to fit 2,000 characters, buttons as action rows (customId = the Reply
 * button id), no mentions ever resolved (titles and user input are echoed).
 */
import { ButtonStyle, ComponentType, MessageFlags, escapeMarkdown } from 'discord.js';
import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord.js';
import type { Reply, ReplyButton } from '../commands/replies.ts';

/** Discord's limit on message content. */
export const MAX_CONTENT = 2000;

/** Never ping anyone: replies echo market titles and what users typed. */
export const NO_MENTIONS = { parse: [] as [] };

/** Plain text as Discord content: every markdown character escaped. */
export function discordText(text: string): string {
  return escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: true });
}

/** Splits content into chunks of at most `max` characters, at line breaks where possible. */
export function chunkContent(content: string, max = MAX_CONTENT): string[] {
  if (content.length <= max) return [content];
  const chunks: string[] = [];
  let current = '';
  for (const line of content.split('\n')) {
    let rest = line;
    while (rest.length > max) {
      if (current) {
        chunks.push(current);
        current = '';
      }
      chunks.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    const joined = current ? `${current}\n${rest}` : rest;
    if (joined.length > max) {
      chunks.push(current);
      current = rest;
    } else {
      current = joined;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

const STYLE: Record<NonNullable<ReplyButton['style']> | 'default', ButtonStyle.Success | ButtonStyle.Danger | ButtonStyle.Secondary> = {
  primary: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
  default: ButtonStyle.Secondary,
};

/** Reply buttons as Discord action rows (at most 5 rows of 5). An empty list removes the buttons. */
export function actionRows(buttons: ReplyButton[][] | undefined): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
  return (buttons ?? [])
    .filter((row) => row.length > 0)
    .slice(0, 5)
    .map((row) => ({
      type: ComponentType.ActionRow,
      components: row.slice(0, 5).map(
        (b): APIButtonComponentWithCustomId => ({
          type: ComponentType.Button,
          custom_id: b.id,
          label: b.label.slice(0, 80),
          style: STYLE[b.style ?? 'default'],
        }),
      ),
    }));
}

/** Personal replies and errors are shown only to the person who asked. */
export function isEphemeral(reply: Reply): boolean {
  return Boolean(reply.ephemeral) || reply.kind === 'error' || reply.kind === 'confirm';
}

/** One Discord message of a reply (content already escaped and within the limit). */
export interface DiscordMessage {
  content: string;
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  ephemeral: boolean;
  /** A picture (a /chart or /pnl card), attached to the first message. */
  files?: { attachment: Buffer; name: string }[];
}

/** A reply as one or more messages; a picture goes on the first, the buttons on the last. */
export function toMessages(reply: Reply): DiscordMessage[] {
  const text = reply.photo ? (reply.photo.caption ?? reply.text) : reply.text;
  const chunks = chunkContent(discordText(text || ' '));
  const ephemeral = isEphemeral(reply);
  return chunks.map((content, i) => ({
    content,
    components: i === chunks.length - 1 ? actionRows(reply.buttons) : [],
    ephemeral,
    ...(i === 0 && reply.photo ? { files: [{ attachment: reply.photo.png, name: 'chart.png' }] } : {}),
  }));
}

/** discord.js options of one rendered message, for a new message (reply, follow-up): ephemeral as flagged. */
export function messageOptions(m: DiscordMessage) {
  return { ...editOptions(m), ...(m.ephemeral ? { flags: MessageFlags.Ephemeral as const } : {}) };
}

/** discord.js options of one rendered message, replacing an existing one (its visibility stays). */
export function editOptions(m: DiscordMessage) {
  return { content: m.content, components: m.components, allowedMentions: NO_MENTIONS, ...(m.files ? { files: m.files } : {}) };
}
