/**
 * Discord slash commands: one table of definitions with typed options. Each definition turns the
 * options Discord sends into the shared `Command` of bots/commands (validation and wording stay
 * there: the value readers and the grammar), and the table is what `npm run discord:register` PUTs.
 *
 * Adding a command (/snipe, /tp, /alerts, ...): append a `SlashCommandDef` to DISCORD_COMMANDS (or
 * pass extra definitions to createDiscordBot / registerCommands); `toCommand` builds the Command.
 * Money options are strings read with the shared Decimal readers, never Discord NUMBER options.
 */
import { ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import type { APIApplicationCommandOption, APIApplicationCommandOptionChoice, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { COMMANDS, type Command } from '../commands/commands.ts';
import { parseCommand } from '../commands/grammar.ts';
import { readMarketRef, readOutcome, readPrice, readSize, readVenue, type Read } from '../commands/values.ts';

/** One option of a slash command. `autocomplete: 'market'` suggests markets while the user types. */
export type OptionDef =
  | {
      type: 'string';
      name: string;
      description: string;
      required?: boolean;
      choices?: readonly { name: string; value: string }[];
      autocomplete?: 'market';
      maxLength?: number;
    }
  | { type: 'integer'; name: string; description: string; required?: boolean; min?: number; max?: number }
  | { type: 'boolean'; name: string; description: string; required?: boolean };

/** The option values of one invocation, by option name. */
export interface OptionValues {
  get(name: string): string | number | boolean | undefined;
}

/** One slash command. */
export interface SlashCommandDef {
  /** Lower-case, 1-32 characters. */
  name: string;
  /** 1-100 characters. */
  description: string;
  options?: readonly OptionDef[];
  /** Answers with personal data (orders, positions, balance, confirmations): deferred replies are ephemeral. */
  personal?: boolean;
  /** A filled-in example, quoted when the options are wrong, e.g. "/buy market:fed-cut side:yes amount:25". */
  example: string;
  /** The shared Command, or what is wrong with the options (in the user's words). */
  toCommand(o: OptionValues): Read<Command>;
}

const SIDE_CHOICES = [
  { name: 'yes', value: 'yes' },
  { name: 'no', value: 'no' },
] as const;

const VENUE_CHOICES = [
  { name: 'Polymarket', value: 'polymarket' },
  { name: 'Kalshi', value: 'kalshi' },
] as const;

const market = (description = 'Market id, words of its title, or a Polymarket/Kalshi link'): OptionDef => ({
  type: 'string',
  name: 'market',
  description,
  required: true,
  autocomplete: 'market',
  maxLength: 200,
});
const side: OptionDef = { type: 'string', name: 'side', description: 'YES or NO shares', required: true, choices: SIDE_CHOICES };
const price: OptionDef = { type: 'string', name: 'price', description: 'Limit price per share, e.g. 0.42 or 42c (omit for a market order)', maxLength: 16 };
const venue: OptionDef = { type: 'string', name: 'venue', description: 'Force a venue (otherwise the best one is chosen)', choices: VENUE_CHOICES };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (problem: string): Read<never> => ({ ok: false, problem });

function text(o: OptionValues, name: string): string | undefined {
  const v = o.get(name);
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/** Runs the shared grammar on a typed line (for commands whose options are one or two words). */
function viaGrammar(line: string): Read<Command> {
  const parsed = parseCommand(line);
  if (parsed.kind === 'command') return ok(parsed.command);
  return bad(parsed.kind === 'error' ? parsed.message : 'Nothing to do.');
}

/** /buy and /sell from options: market, side, amount (buy) or shares, price, venue. */
function tradeCommand(action: 'buy' | 'sell', o: OptionValues): Read<Command> {
  const ref = readMarketRef((text(o, 'market') ?? '').split(/\s+/).filter(Boolean));
  if (!ref.ok) return ref;
  const outcome = readOutcome(text(o, 'side') ?? '');
  if (!outcome) return bad('Say which side: yes or no.');
  const amount = action === 'buy' ? text(o, 'amount') : undefined;
  const count = text(o, 'shares');
  if (amount && count) return bad('Give either amount (dollars) or shares, not both.');
  if (!amount && !count) {
    return bad(action === 'buy' ? 'How much? Give amount (dollars, e.g. 25) or shares (e.g. 10).' : 'How many shares? Give shares (e.g. 10, or all).');
  }
  const size = amount ? readSize(amount, 'usd') : readSize(count!, 'shares');
  if (!size.ok) return size;
  if (count && size.value.kind === 'usd') return bad(`shares is a number of shares (you wrote ${JSON.stringify(count)}); ${action === 'buy' ? 'use amount for dollars' : 'sell by shares, or all'}.`);
  if (action === 'buy' && size.value.kind === 'all') return bad('A buy needs an amount: dollars or shares ("all" works only for /sell).');
  const rawPrice = text(o, 'price');
  let limit;
  if (rawPrice) {
    const p = readPrice(rawPrice);
    if (!p.ok) return p;
    limit = p.value;
  }
  const rawVenue = text(o, 'venue');
  const v = rawVenue ? readVenue(rawVenue) : null;
  if (rawVenue && !v) return bad(`I don't know the venue ${JSON.stringify(rawVenue)}; yesno trades on polymarket and kalshi.`);
  return ok({ name: action, market: ref.value, side: outcome, size: size.value, ...(limit ? { price: limit } : {}), ...(v ? { venue: v } : {}) });
}

const HELP_TOPICS = COMMANDS.filter((c) => !c.hidden && c.name !== 'start').map((c) => ({ name: c.name, value: c.name }));

/** The commands every Discord user sees. Order is the order of the command picker. */
export const DISCORD_COMMANDS: SlashCommandDef[] = [
  {
    name: 'help',
    description: 'What yesno can do, or how to use one command',
    options: [{ type: 'string', name: 'command', description: 'A command to explain', choices: HELP_TOPICS.slice(0, 25) }],
    example: '/help command:buy',
    toCommand: (o) => ok({ name: 'help', topic: text(o, 'command')?.toLowerCase() }),
  },
  {
    name: 'markets',
    description: 'List markets, or search them by words',
    options: [{ type: 'string', name: 'search', description: 'Words of a market title, e.g. fed', maxLength: 100 }],
    example: '/markets search:fed',
    toCommand: (o) => ok({ name: 'markets', query: text(o, 'search') }),
  },
  {
    name: 'price',
    description: 'YES/NO bid and ask of a market on each venue',
    options: [market()],
    example: '/price market:fed-cut',
    toCommand: (o) => {
      const ref = readMarketRef((text(o, 'market') ?? '').split(/\s+/).filter(Boolean));
      return ref.ok ? ok({ name: 'price', market: ref.value }) : ref;
    },
  },
  {
    name: 'buy',
    description: 'Buy YES or NO shares (shows the quote; you confirm)',
    options: [
      market(),
      side,
      { type: 'string', name: 'amount', description: 'Dollars to spend, e.g. 25', maxLength: 24 },
      { type: 'string', name: 'shares', description: 'Number of shares, e.g. 10 (instead of amount)', maxLength: 24 },
      price,
      venue,
    ],
    personal: true,
    example: '/buy market:fed-cut side:yes amount:25',
    toCommand: (o) => tradeCommand('buy', o),
  },
  {
    name: 'sell',
    description: 'Sell shares you hold (shows the quote; you confirm)',
    options: [market(), side, { type: 'string', name: 'shares', description: 'Number of shares, or all', required: true, maxLength: 24 }, price, venue],
    personal: true,
    example: '/sell market:fed-cut side:yes shares:all',
    toCommand: (o) => tradeCommand('sell', o),
  },
  {
    name: 'orders',
    description: 'Your open orders, or all recent ones',
    options: [
      {
        type: 'string',
        name: 'scope',
        description: 'open (default) or all',
        choices: [
          { name: 'open', value: 'open' },
          { name: 'all', value: 'all' },
        ],
      },
    ],
    personal: true,
    example: '/orders scope:all',
    toCommand: (o) => ok({ name: 'orders', scope: text(o, 'scope') === 'all' ? 'all' : 'open' }),
  },
  {
    name: 'order',
    description: 'One of your orders in detail, with its fills',
    options: [{ type: 'string', name: 'id', description: 'Order id or its first 6+ characters (from /orders)', required: true, maxLength: 40 }],
    personal: true,
    example: '/order id:1a2b3c4d',
    toCommand: (o) => viaGrammar(`/order ${text(o, 'id') ?? ''}`),
  },
  {
    name: 'cancel',
    description: 'Cancel an open order',
    options: [{ type: 'string', name: 'id', description: 'Order id or its first 6+ characters (from /orders)', required: true, maxLength: 40 }],
    personal: true,
    example: '/cancel id:1a2b3c4d',
    toCommand: (o) => viaGrammar(`/cancel ${text(o, 'id') ?? ''}`),
  },
  {
    name: 'positions',
    description: 'What you hold, valued at the current bid, with PnL',
    personal: true,
    example: '/positions',
    toCommand: () => ok({ name: 'positions' }),
  },
  {
    name: 'balance',
    description: 'Cash available on each venue',
    personal: true,
    example: '/balance',
    toCommand: () => ok({ name: 'balance' }),
  },
];

/** The options that suggest markets while typing (autocomplete). */
export function isMarketOption(def: SlashCommandDef | undefined, optionName: string): boolean {
  return Boolean(def?.options?.some((o) => o.name === optionName && o.type === 'string' && o.autocomplete === 'market'));
}

function optionJson(o: OptionDef): APIApplicationCommandOption {
  const base = { name: o.name, description: o.description, required: o.required ?? false };
  switch (o.type) {
    case 'string': {
      const str = { ...base, type: ApplicationCommandOptionType.String as const, ...(o.maxLength ? { max_length: o.maxLength } : {}) };
      if (o.autocomplete) return { ...str, autocomplete: true };
      return { ...str, ...(o.choices ? { choices: o.choices.map((c): APIApplicationCommandOptionChoice<string> => ({ name: c.name, value: c.value })) } : {}) };
    }
    case 'integer':
      return { ...base, type: ApplicationCommandOptionType.Integer, ...(o.min !== undefined ? { min_value: o.min } : {}), ...(o.max !== undefined ? { max_value: o.max } : {}) };
    case 'boolean':
      return { ...base, type: ApplicationCommandOptionType.Boolean };
  }
}

/** The JSON body of PUT /applications/{id}/commands: usable in servers and in DMs with the bot. */
export function commandsJson(defs: readonly SlashCommandDef[] = DISCORD_COMMANDS): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const names = new Set<string>();
  return defs.map((d) => {
    if (!/^[-_a-z0-9]{1,32}$/.test(d.name)) throw new Error(`Discord command name ${JSON.stringify(d.name)} must be 1-32 lower-case letters, digits, - or _`);
    if (names.has(d.name)) throw new Error(`Discord command /${d.name} is defined twice`);
    names.add(d.name);
    const options = d.options ?? [];
    // Discord requires required options before optional ones.
    const firstOptional = options.findIndex((o) => !o.required);
    if (firstOptional >= 0 && options.slice(firstOptional).some((o) => o.required)) {
      throw new Error(`Discord command /${d.name}: required options must come before optional ones`);
    }
    return {
      type: ApplicationCommandType.ChatInput,
      name: d.name,
      description: d.description.slice(0, 100),
      options: options.map(optionJson),
      integration_types: [ApplicationIntegrationType.GuildInstall],
      contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    };
  });
}
