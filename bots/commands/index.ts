/** The command layer's public surface for transports (console, Telegram, Discord). */
export { createCommandHandler, type CommandHandler, type CommandHandlerDeps, type CommandRateLimiter } from './dispatcher.ts';
export { parseCommand, type ParseResult } from './grammar.ts';
export { COMMANDS, findCommand, type Command, type CommandName, type CommandSpec, type TradeCommand } from './commands.ts';
export { ConfirmationStore, confirmButtonId, parseConfirmButton, DEFAULT_CONFIRM_TTL_MS } from './confirm.ts';
export { presentNotification, describeOutboxRow, channelTarget } from './notify.ts';
export { looksLikeSecret, secretRefusal } from './secrets.ts';
export type { FeatureCommand } from './feature-specs.ts';
export { helpOverview, helpFor } from './help.ts';
export type { ChatContext, Reply, ReplyButton, ReplyKind } from './replies.ts';
export type { PendingTrade } from './env.ts';
