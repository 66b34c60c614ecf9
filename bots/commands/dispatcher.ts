/**
 * The entry point every chat front end calls: text in, replies out; button presses in, replies out.
 * Transports stay thin: they build a ChatContext, call handleText/handleButton, and render Reply[].
 */
import { z } from 'zod';
import type { Services } from '../../core/services.ts';
import { TradingError } from '../../core/trading/types.ts';
import { specOf, type Command } from './commands.ts';
import { ConfirmationStore, parseConfirmButton } from './confirm.ts';
import { ownerOf, type CommandLog, type HandlerEnv, type PendingTrade } from './env.ts';
import { describeError } from './errors.ts';
import { parseCommand } from './grammar.ts';
import { runCommand } from './handlers.ts';
import { helpFor, helpOverview } from './help.ts';
import { errorReply, textReply, type ChatContext, type Reply } from './replies.ts';
import { looksLikeSecret, secretPrivateNote, secretRefusal } from './secrets.ts';
import { answerConfirmation } from './trade.ts';

/** Per-user throttle; api/rate-limit.ts's RateLimiter fits structurally. */
export interface CommandRateLimiter {
  take(key: string): { allowed: boolean; retryAfterSec: number };
}

export interface CommandHandlerDeps {
  services: Services;
  clock?: () => Date;
  /** How long a buy/sell quote may be confirmed. Default 60 000 ms. */
  confirmTtlMs?: number;
  /** Place orders without a confirmation step (tests, trusted scripts). Default false. */
  skipConfirm?: boolean;
  /** Share one store between transports of one process; a fresh one otherwise. */
  confirmations?: ConfirmationStore<PendingTrade>;
  rateLimit?: CommandRateLimiter;
  log?: CommandLog;
}

export interface CommandHandler {
  /** One chat message. Empty lines, and slash-less chatter in groups, produce no replies. */
  handleText(ctx: ChatContext, text: string): Promise<Reply[]>;
  /** A button press (ids from Reply.buttons). */
  handleButton(ctx: ChatContext, buttonId: string): Promise<Reply[]>;
  /** A command already parsed (e.g. from Discord slash-command options). */
  execute(ctx: ChatContext, command: Command): Promise<Reply[]>;
  readonly confirmations: ConfirmationStore<PendingTrade>;
}

const chatContextSchema = z.object({
  platform: z.enum(['telegram', 'discord', 'console']),
  userExternalId: z.string().min(1).max(128),
  userName: z.string().max(256),
  chatId: z.string().min(1).max(128),
  isGroup: z.boolean(),
  isAdmin: z.boolean().optional(),
});

export function createCommandHandler(deps: CommandHandlerDeps): CommandHandler {
  const confirmations = deps.confirmations ?? new ConfirmationStore<PendingTrade>({ ttlMs: deps.confirmTtlMs, clock: deps.clock });
  const env: HandlerEnv = { services: deps.services, confirmations, skipConfirm: deps.skipConfirm ?? false, log: deps.log };

  function checkContext(ctx: ChatContext): string | null {
    const parsed = chatContextSchema.safeParse(ctx);
    return parsed.success ? null : `chat context: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`;
  }

  function throttled(ctx: ChatContext): Reply | null {
    if (!deps.rateLimit) return null;
    const d = deps.rateLimit.take(`chat:${ownerOf(ctx)}`);
    return d.allowed ? null : errorReply(`Slow down a little: too many commands. Try again in ${d.retryAfterSec}s; nothing was done.`, { ephemeral: true });
  }

  async function execute(ctx: ChatContext, command: Command): Promise<Reply[]> {
    const bad = checkContext(ctx);
    if (bad) throw new Error(bad);
    if (command.name === 'help') {
      if (!command.topic) return [textReply(helpOverview())];
      const h = helpFor(command.topic);
      return [h.found ? textReply(h.text) : errorReply(h.text)];
    }
    try {
      // A group is not where personal notifications go: only a private chat becomes the identity's chat.
      const chatId = ctx.isGroup ? undefined : ctx.chatId;
      const user = await deps.services.users.ensureChatUser({ platform: ctx.platform, externalId: ctx.userExternalId, name: ctx.userName || ctx.userExternalId, chatId });
      // Members seen in a group: their shared fills may be posted there (core/alerts/fills.ts).
      if (ctx.isGroup) void deps.services.alerts?.noteMember({ channel: { platform: ctx.platform, chatId: ctx.chatId }, userId: user.id }).catch((err) => deps.log?.warn?.({ err }, 'noting a group member failed'));
      return await runCommand(env, { ctx, user, owner: ownerOf(ctx) }, command);
    } catch (err) {
      if (!(err instanceof TradingError)) deps.log?.error({ err, command: command.name }, 'chat command failed');
      return [errorReply(describeError(err, { command: command.name, example: exampleFor(command) }))];
    }
  }

  return {
    confirmations,
    execute,
    async handleText(ctx, text) {
      // A secret in a group: refused before anything else, never echoed, nothing stored; the transport deletes it where it may.
      if (ctx.isGroup && looksLikeSecret(text)) return [errorReply(secretRefusal({ platform: ctx.platform }), { deleteOriginal: true })];
      const parsed = parseCommand(text);
      if (parsed.kind === 'empty') return [];
      if (ctx.isGroup && !text.trim().startsWith('/')) return [];
      const limited = throttled(ctx);
      if (limited) return [limited];
      if (parsed.kind === 'error') return [errorReply(looksLikeSecret(text) ? secretPrivateNote() : parsed.message)];
      return execute(ctx, parsed.command);
    },
    async handleButton(ctx, buttonId) {
      const bad = checkContext(ctx);
      if (bad) throw new Error(bad);
      const button = parseConfirmButton(buttonId);
      if (!button) return [errorReply('That button is no longer active.', { ephemeral: true })];
      const limited = throttled(ctx);
      if (limited) return [limited];
      try {
        return await answerConfirmation(env, { owner: ownerOf(ctx), ctx }, button.answer, button.id);
      } catch (err) {
        deps.log?.error({ err }, 'confirmation button failed');
        return [errorReply(describeError(err, { command: 'confirm' }))];
      }
    },
  };
}

/** A runnable example of the failed command, with the user's own market when possible. */
function exampleFor(command: Command): string {
  if (command.name === 'buy' || command.name === 'sell') {
    const t = command.market.text;
    const m = command.market.link || t.length > 32 ? 'fed-cut' : /\s/.test(t) ? `"${t}"` : t;
    return command.name === 'buy' ? `/buy ${m} ${command.side} $25` : `/sell ${m} ${command.side} 10`;
  }
  return specOf(command.name).examples[0]!;
}
