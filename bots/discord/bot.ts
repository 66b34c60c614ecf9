/**
 * The Discord front end: a discord.js client that turns interactions into calls of the shared
 * command handler and renders its replies.
 *
 * - Slash commands (bots/discord/commands.ts) → handler.execute. Personal commands (orders, positions,
 *   balance, confirmations, snipers, TP/SL, /link, /pnl, settings) and errors are ephemeral. When the handler has not answered within
 *   `deferAfterMs` (Discord allows 3 s for the first response) the reply is deferred and edited in.
 * - Buttons (customId = the Reply button id) → handler.handleButton; the answer replaces the
 *   message the button was on (interaction.update), so a confirmation becomes its order.
 * - Autocomplete of `market` options → up to 25 markets from MarketsApi.list.
 * - The gateway: discord.js reconnects and resumes on its own; shard events are logged.
 */
import { ApplicationCommandOptionType, ChannelType, Client, Events, GatewayIntentBits, InteractionContextType, MessageFlags, PermissionFlagsBits, RESTEvents } from 'discord.js';
import type { AutocompleteInteraction, BaseInteraction, ButtonInteraction, ChatInputCommandInteraction, CommandInteractionOption } from 'discord.js';
import type { Services } from '../../core/services.ts';
import type { CommandHandler } from '../commands/dispatcher.ts';
import { errorReply, type ChatContext, type Reply } from '../commands/replies.ts';
import { DISCORD_COMMANDS, isMarketOption, type OptionValues, type SlashCommandDef } from './commands.ts';
import { NO_MENTIONS, editOptions, messageOptions, toMessages, type DiscordMessage } from './render.ts';

/** Structured logger (pino-compatible). */
export interface DiscordLog {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug?(obj: unknown, msg?: string): void;
}

export interface DiscordBotOptions {
  token: string;
  /** The application id (slash commands are registered under it). */
  appId: string;
  /** REST base without the version, e.g. http://127.0.0.1:PORT/api (default https://discord.com/api). */
  restApi?: string;
  handler: CommandHandler;
  services: Pick<Services, 'markets'>;
  log: DiscordLog;
  /** The slash command table (default DISCORD_COMMANDS). */
  commands?: readonly SlashCommandDef[];
  /** Defer the first response when the handler has not answered within this many ms. Default 1500. */
  deferAfterMs?: number;
  /** Longest wait for the gateway's READY in start(). Default 30 s. */
  readyTimeoutMs?: number;
}

export interface DiscordBot {
  client: Client;
  /** Logs in and resolves once the gateway session is ready. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const AUTOCOMPLETE_LIMIT = 25;
const AUTOCOMPLETE_BUDGET_MS = 2500;
const OOPS = 'Something went wrong on our side while handling that. Check /orders before trying again.';

type Raced<T> = { done: true; value: T } | { done: false };

function raceTimer<T>(p: Promise<T>, ms: number): Promise<Raced<T>> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<Raced<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  return Promise.race([p.then((value): Raced<T> => ({ done: true, value })), t]).finally(() => clearTimeout(timer));
}

/** Flat option values of a chat input command; a subcommand's name is `subcommand`, its options are flattened in. */
export function optionValues(data: readonly CommandInteractionOption[]): OptionValues {
  const map = new Map<string, string | number | boolean>();
  let subcommand: string | undefined;
  const walk = (opts: readonly CommandInteractionOption[]) => {
    for (const o of opts) {
      if (o.type === ApplicationCommandOptionType.Subcommand) subcommand = o.name;
      if (o.options) walk(o.options);
      else if (o.value !== undefined && o.value !== null) map.set(o.name, o.value);
    }
  };
  walk(data);
  return { get: (name) => map.get(name), ...(subcommand ? { subcommand } : {}) };
}

/** Who typed and where: Discord user id, the channel, whether it is a server or group chat. */
export function chatContextOf(i: BaseInteraction): ChatContext {
  const u = i.user;
  const dm = !i.guildId && (i.context === InteractionContextType.BotDM || i.channel?.type === ChannelType.DM || !i.channelId);
  const perms = i.memberPermissions;
  return {
    platform: 'discord',
    userExternalId: u.id,
    userName: (u.globalName ?? u.username ?? u.id).slice(0, 256) || u.id,
    chatId: i.channelId ?? `dm-${u.id}`,
    isGroup: !dm,
    // A server admin: the member's permissions in the channel include Administrator or Manage Server.
    isAdmin: Boolean(perms?.any([PermissionFlagsBits.Administrator, PermissionFlagsBits.ManageGuild])),
  };
}

export function createDiscordBot(opts: DiscordBotOptions): DiscordBot {
  const { handler, services, log } = opts;
  const deferAfterMs = opts.deferAfterMs ?? 1500;
  const defs = new Map((opts.commands ?? DISCORD_COMMANDS).map((d) => [d.name, d]));
  const client = new Client({ intents: [GatewayIntentBits.Guilds], ...(opts.restApi ? { rest: { api: opts.restApi } } : {}) });
  // The notification sink may share this REST manager (one rate-limit queue) before login.
  client.rest.setToken(opts.token);

  const safely = (p: Promise<Reply[]>, what: string): Promise<Reply[]> =>
    p.catch((err: unknown) => {
      log.error({ err, what }, 'discord: command handler failed');
      return [errorReply(OOPS)];
    });

  async function onSlash(i: ChatInputCommandInteraction): Promise<void> {
    const def = defs.get(i.commandName);
    if (!def) {
      await sendCommandReplies(i, [errorReply(`I don't know /${i.commandName} (the command list may be out of date). Send /help to see every command.`)], null);
      return;
    }
    const built = def.toCommand(optionValues(i.options.data));
    if (!built.ok) {
      const hint = /\bTry: /.test(built.problem) ? '' : ` Try: ${def.example}`;
      await sendCommandReplies(i, [errorReply(`${built.problem}${hint}`)], null);
      return;
    }
    // Personal commands (trades, snipers, link codes, settings, the PnL card) answer only the person who asked.
    const run = safely(handler.execute(chatContextOf(i), built.value), `/${def.name}`).then((replies) =>
      def.personal ? replies.map((r) => ({ ...r, ephemeral: true })) : replies,
    );
    const first = await raceTimer(run, deferAfterMs);
    if (first.done) {
      await sendCommandReplies(i, first.value, null);
      return;
    }
    const ephemeral = def.personal ?? false;
    await i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    await sendCommandReplies(i, await run, { ephemeral });
  }

  /** The first message answers the interaction (or fills the deferred reply); the rest follow up. */
  async function sendCommandReplies(i: ChatInputCommandInteraction, replies: Reply[], deferred: { ephemeral: boolean } | null): Promise<void> {
    const msgs = toSend(replies);
    const head = msgs.shift()!;
    if (!deferred) {
      await i.reply(messageOptions(head));
    } else if (head.ephemeral && !deferred.ephemeral) {
      // The deferred reply is public but this answer is personal: say so publicly, send it privately.
      await i.editReply({ content: 'Answered privately.', components: [], allowedMentions: NO_MENTIONS });
      msgs.unshift(head);
    } else {
      await i.editReply(editOptions(head));
    }
    for (const m of msgs) await i.followUp(messageOptions(m));
  }

  async function onButton(i: ButtonInteraction): Promise<void> {
    const run = safely(handler.handleButton(chatContextOf(i), i.customId), 'button');
    const first = await raceTimer(run, deferAfterMs);
    let deferred = false;
    let replies: Reply[];
    if (first.done) {
      replies = first.value;
    } else {
      await i.deferUpdate();
      deferred = true;
      replies = await run;
    }
    const [head, ...others] = replies;
    if (!head) {
      if (!deferred) await i.deferUpdate();
      return;
    }
    // A reply about the message's own subject (editKey), or one that sets its buttons, replaces it.
    const inPlace = head.editKey !== undefined || head.buttons !== undefined;
    const [m0, ...more] = toMessages(head);
    if (inPlace) {
      const edit = editOptions(m0!);
      if (deferred) await i.editReply(edit);
      else await i.update(edit);
    } else if (deferred) {
      await i.followUp(messageOptions(m0!));
    } else {
      await i.reply(messageOptions(m0!));
    }
    for (const m of [...more, ...others.flatMap(toMessages)]) await i.followUp(messageOptions(m));
  }

  async function onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const focused = i.options.getFocused(true);
    if (!isMarketOption(defs.get(i.commandName), focused.name)) {
      await i.respond([]);
      return;
    }
    const query = String(focused.value ?? '').trim();
    const found = await raceTimer(services.markets.list({ query: query || undefined, limit: AUTOCOMPLETE_LIMIT }), AUTOCOMPLETE_BUDGET_MS).catch((err: unknown) => {
      log.warn({ err }, 'discord: market autocomplete failed');
      return { done: false } as const;
    });
    const markets = found.done ? found.value : [];
    await i.respond(
      markets.slice(0, AUTOCOMPLETE_LIMIT).map((m) => {
        const label = `${m.title} · ${m.slug}`;
        return { name: label.length > 100 ? `${label.slice(0, 99)}…` : label, value: m.slug.length <= 100 ? m.slug : m.id };
      }),
    );
  }

  client.on(Events.InteractionCreate, (i) => {
    const work = i.isChatInputCommand() ? onSlash(i) : i.isButton() ? onButton(i) : i.isAutocomplete() ? onAutocomplete(i) : Promise.resolve();
    work.catch(async (err: unknown) => {
      log.error({ err, interaction: i.id, type: i.type }, 'discord: answering an interaction failed');
      if (i.isRepliable() && !i.replied && !i.deferred) {
        await i.reply({ content: OOPS, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS }).catch(() => undefined);
      }
    });
  });

  client.on(Events.ShardReady, (shard) => log.info({ shard }, 'discord: gateway session ready'));
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, 'discord: gateway session resumed'));
  client.on(Events.ShardReconnecting, (shard) => log.info({ shard }, 'discord: gateway reconnecting'));
  client.on(Events.ShardDisconnect, (event, shard) => log.warn({ shard, code: event.code }, 'discord: gateway disconnected'));
  client.on(Events.ShardError, (err, shard) => log.warn({ err, shard }, 'discord: gateway error'));
  client.on(Events.Warn, (message) => log.warn({ message }, 'discord: warning'));
  client.on(Events.Error, (err) => log.error({ err }, 'discord: client error'));
  client.rest.on(RESTEvents.RateLimited, (info) =>
    log.warn({ route: info.route, method: info.method, retryAfter: info.retryAfter, global: info.global, scope: info.scope }, 'discord: rate limited; the request waits and retries'),
  );

  return {
    client,
    async start() {
      let timer: NodeJS.Timeout | undefined;
      const ready = new Promise<void>((resolve, reject) => {
        if (client.isReady()) return resolve();
        timer = setTimeout(() => reject(new Error('Discord gateway did not become ready in time')), opts.readyTimeoutMs ?? 30_000);
        client.once(Events.ClientReady, () => resolve());
      });
      try {
        await client.login(opts.token);
        await ready;
      } finally {
        clearTimeout(timer);
      }
      log.info({ user: client.user?.tag, appId: opts.appId }, 'discord: bot online');
    },
    async stop() {
      await client.destroy();
    },
  };
}

function toSend(replies: Reply[]): DiscordMessage[] {
  const msgs = replies.flatMap(toMessages);
  return msgs.length > 0 ? msgs : toMessages(errorReply('Nothing to do. Send /help for the commands.'));
}
