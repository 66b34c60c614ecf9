/**
 * Discord slash commands: one table of definitions with typed options. Each definition turns the
 * options Discord sends into the shared `Command` of bots/commands (validation and wording stay
 * there: the value readers and the grammar), and the table is what `npm run discord:register` PUTs.
 *
 * Adding a command: append a `SlashCommandDef` to DISCORD_COMMANDS (or pass extra definitions to
 * createDiscordBot / registerCommands); `toCommand` builds the Command. Money options are strings
 * read with the shared Decimal readers, never Discord NUMBER options. Commands whose grammar has
 * many forms (/snipe, /tp, /alerts, ...) write the typed line from their options and run it through
 * the shared grammar (`viaGrammar`), so the wording and the validation stay in bots/commands.
 */
import { ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import type { APIApplicationCommandBasicOption, APIApplicationCommandOption, APIApplicationCommandOptionChoice, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
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
  | { type: 'boolean'; name: string; description: string; required?: boolean }
  /** A subcommand (/alerts add …): its own options; a command has either subcommands or plain options. */
  | { type: 'subcommand'; name: string; description: string; required?: undefined; options?: readonly OptionDef[] };

/** The option values of one invocation, by option name (a subcommand's options are flattened in). */
export interface OptionValues {
  get(name: string): string | number | boolean | undefined;
  /** The subcommand chosen (/alerts add → "add"), if the command has subcommands. */
  subcommand?: string;
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

const ON_OFF = [
  { name: 'on', value: 'on' },
  { name: 'off', value: 'off' },
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

/** An option's text as grammar words: quote characters removed (they would regroup the line). */
function words(o: OptionValues, name: string): string | undefined {
  const v = text(o, name)?.replace(/["“”„«»]/g, ' ').replace(/\s+/g, ' ').trim();
  return v || undefined;
}

/**
 * The market option as one quoted grammar token, so its words are never read as keywords ("yes",
 * "above", "on"). `positionIds`: a "#1a2b3c4d" position id (/tp, /sl) stays a bare word.
 */
function marketToken(o: OptionValues, positionIds = false): string {
  const m = words(o, 'market');
  if (!m) return '';
  if (positionIds && /^#[0-9a-f][0-9a-f-]{5,35}$/i.test(m)) return m;
  return `"${m}"`;
}

/** Builds a typed line from parts (empty parts dropped) and runs it through the shared grammar. */
function line(...parts: (string | undefined | false)[]): Read<Command> {
  return viaGrammar(parts.filter((p): p is string => Boolean(p)).join(' '));
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
  {
    name: 'snipe',
    description: 'Buy automatically when the ask drops to your trigger price (you confirm first)',
    options: [
      {
        type: 'subcommand',
        name: 'create',
        description: 'Arm a sniper: buy $amount when the ask is at or below the trigger',
        options: [
          market(),
          side,
          { type: 'string', name: 'amount', description: 'Dollars to spend when it fires, e.g. 25', required: true, maxLength: 24 },
          { type: 'string', name: 'price', description: 'Trigger price, e.g. 42c or 0.42', required: true, maxLength: 16 },
          { type: 'string', name: 'slippage', description: 'Worst price above the trigger, in percent (default 2, at most 50)', maxLength: 12 },
          { type: 'string', name: 'expires', description: 'Stop watching after 30m, 2h, 3d, or at a UTC date like 2026-12-01', maxLength: 32 },
          { type: 'boolean', name: 'repeat', description: 'Re-arm after each fill' },
          venue,
        ],
      },
      {
        type: 'subcommand',
        name: 'cancel',
        description: 'Stop a sniper that is still watching',
        options: [{ type: 'string', name: 'id', description: 'Sniper id or its first 6+ characters (from /snipers)', required: true, maxLength: 40 }],
      },
    ],
    personal: true,
    example: '/snipe create market:fed-cut side:yes amount:25 price:42c',
    toCommand: (o) => {
      if (o.subcommand === 'cancel') return line('/snipe cancel', words(o, 'id'));
      const amount = words(o, 'amount');
      const trigger = words(o, 'price');
      const slippage = words(o, 'slippage');
      const expires = words(o, 'expires');
      return line(
        '/snipe',
        marketToken(o),
        words(o, 'side'),
        amount && (amount.startsWith('$') || amount.startsWith('-$') ? amount : `$${amount}`),
        trigger && `@${trigger.replace(/^@\s*/, '')}`,
        slippage && `slippage ${/^-?\d+(\.\d+)?$/.test(slippage) ? `${slippage}%` : slippage}`,
        expires && `expires ${expires}`,
        o.get('repeat') === true && 'repeat',
        words(o, 'venue') && `on ${words(o, 'venue')}`,
      );
    },
  },
  {
    name: 'snipers',
    description: 'Your snipers: the watching ones, all of them, or one in detail',
    options: [
      {
        type: 'string',
        name: 'scope',
        description: 'watching (default) or all',
        choices: [
          { name: 'watching', value: 'active' },
          { name: 'all', value: 'all' },
        ],
      },
      { type: 'string', name: 'id', description: 'One sniper in detail: its id or first 6+ characters', maxLength: 40 },
    ],
    personal: true,
    example: '/snipers scope:all',
    toCommand: (o) => line('/snipers', words(o, 'id') ?? words(o, 'scope')),
  },
  {
    name: 'unsnipe',
    description: 'Stop a sniper that is still watching',
    options: [{ type: 'string', name: 'id', description: 'Sniper id or its first 6+ characters (from /snipers)', required: true, maxLength: 40 }],
    personal: true,
    example: '/unsnipe id:1a2b3c4d',
    toCommand: (o) => line('/unsnipe', words(o, 'id')),
  },
  ...(['counter', 'copy'] as const).map(
    (name): SlashCommandDef => ({
      name,
      description: name === 'counter' ? "Counter-trade a wallet: take the opposite side of each of its trades" : 'Copy-trade a wallet: make the same trades it makes',
      options: [
        { type: 'string', name: 'wallet', description: 'Polymarket wallet address: 0x and 40 hex digits', required: true, maxLength: 42 },
        { type: 'string', name: 'multiplier', description: "Size = the target's shares × this, e.g. 0.5 (default 1)", maxLength: 10 },
        { type: 'string', name: 'max', description: 'At most this many dollars per trade, e.g. 50', maxLength: 16 },
        { type: 'integer', name: 'delay', description: 'Seconds to wait before placing (0 to 3600)', min: 0, max: 3600 },
        { type: 'string', name: 'stop', description: "Daily stop-loss in dollars: pause until the daily reset, e.g. 100", maxLength: 16 },
        { type: 'string', name: 'categories', description: 'Only these market categories, e.g. politics,crypto', maxLength: 200 },
      ],
      personal: true,
      example: `/${name} wallet:0x56687bf447db6ffa42ffe2204a05edaa20f55839 multiplier:0.5 max:50`,
      toCommand: (o) => {
        const m = words(o, 'multiplier');
        const d = text(o, 'delay');
        return line(`/${name}`, words(o, 'wallet'), m && `x${m.replace(/^x/i, '')}`, words(o, 'max') && `max ${words(o, 'max')}`, d !== undefined && `delay ${d}`, words(o, 'stop') && `stop ${words(o, 'stop')}`, words(o, 'categories') && `categories ${words(o, 'categories')}`);
      },
    }),
  ),
  {
    name: 'follows',
    description: "Your counter- and copy-trades with today's PnL; pause, resume or stop one",
    options: [
      {
        type: 'string',
        name: 'action',
        description: 'list (default), all, pause, resume, stop, or show one',
        choices: ['list', 'all', 'show', 'pause', 'resume', 'stop'].map((v) => ({ name: v, value: v })),
      },
      { type: 'string', name: 'id', description: 'Follow id or its first 6+ characters (from /follows)', maxLength: 40 },
    ],
    personal: true,
    example: '/follows action:pause id:1a2b3c4d',
    toCommand: (o) => {
      const action = words(o, 'action') ?? (words(o, 'id') ? 'show' : 'list');
      if (action === 'list') return line('/follows');
      if (action === 'all') return line('/follows all');
      if (action === 'show') return words(o, 'id') ? line('/follows', words(o, 'id')) : bad('Which one? Give its id (from /follows).');
      return line('/follows', action, words(o, 'id'));
    },
  },
  ...(['tp', 'sl'] as const).map(
    (name): SlashCommandDef => ({
      name,
      description:
        name === 'tp'
          ? 'Take-profit: sell a position when the bid rises to a price (or off)'
          : 'Stop-loss: sell a position when the bid falls to a price (or off)',
      options: [
        market('Market you hold, or a position id from /positions like #1a2b3c4d'),
        side,
        {
          type: 'string',
          name: 'price',
          description: name === 'tp' ? 'Sell when the bid is at or above this, e.g. 60c; or off to remove' : 'Sell when the bid is at or below this, e.g. 30c; or off to remove',
          required: true,
          maxLength: 16,
        },
        { ...venue, description: 'When you hold that side on both venues' } as OptionDef,
      ],
      personal: true,
      example: `/${name} market:fed-cut side:yes price:${name === 'tp' ? '60c' : '30c'}`,
      toCommand: (o) => line(`/${name}`, marketToken(o, true), words(o, 'side'), words(o, 'price'), words(o, 'venue') && `on ${words(o, 'venue')}`),
    }),
  ),
  {
    name: 'alerts',
    description: "Price alerts for this channel (in a server, admins set them)",
    options: [
      { type: 'subcommand', name: 'list', description: "This channel's alerts" },
      {
        type: 'subcommand',
        name: 'add',
        description: 'Alert when the YES price crosses a level, or moves within an hour',
        options: [
          market(),
          {
            type: 'string',
            name: 'when',
            description: 'above or below a price, or a move of some points within an hour',
            required: true,
            choices: [
              { name: 'above', value: 'above' },
              { name: 'below', value: 'below' },
              { name: 'move', value: 'move' },
            ],
          },
          { type: 'string', name: 'value', description: 'A price for above/below (60c or 0.60), points for move (5%)', required: true, maxLength: 16 },
        ],
      },
      {
        type: 'subcommand',
        name: 'remove',
        description: 'Remove an alert',
        options: [{ type: 'string', name: 'id', description: 'Alert id (from /alerts list)', required: true, maxLength: 40 }],
      },
      {
        type: 'subcommand',
        name: 'fills',
        description: 'Post fills of members who opted in (/sharefills)',
        options: [{ type: 'string', name: 'state', description: 'on or off', required: true, choices: ON_OFF }],
      },
    ],
    example: '/alerts add market:fed-cut when:above value:60c',
    toCommand: (o) => {
      switch (o.subcommand) {
        case 'add':
          return line('/alerts add', marketToken(o), words(o, 'when'), words(o, 'value'));
        case 'remove':
          return line('/alerts remove', words(o, 'id'));
        case 'fills':
          return line('/alerts fills', words(o, 'state'));
        default:
          return line('/alerts list');
      }
    },
  },
  {
    name: 'quickbuy',
    description: 'Orders below an amount skip the Confirm step (or see the setting)',
    options: [{ type: 'string', name: 'below', description: 'A dollar amount like $10, or off (omit to see the setting)' }],
    personal: true,
    example: '/quickbuy below:$10',
    toCommand: (o) => line('/quickbuy', words(o, 'below')),
  },
  {
    name: 'sharefills',
    description: 'Let servers that ask for it show your fills (or see the setting)',
    options: [{ type: 'string', name: 'state', description: 'on or off (omit to see the setting)', choices: ON_OFF }],
    personal: true,
    example: '/sharefills state:on',
    toCommand: (o) => line('/sharefills', words(o, 'state')),
  },
  {
    name: 'chart',
    description: "A picture of a market's YES price over the last hours",
    options: [market(), { type: 'integer', name: 'hours', description: 'How many hours back (1 to 168, default 24)', min: 1, max: 168 }],
    example: '/chart market:fed-cut hours:6',
    toCommand: (o) => {
      const hours = o.get('hours');
      return line('/chart', marketToken(o), hours !== undefined && `${String(hours).trim()}h`);
    },
  },
  {
    name: 'pnl',
    description: 'A picture of your PnL: positions, unrealized and realized',
    personal: true,
    example: '/pnl',
    toCommand: () => line('/pnl'),
  },
  {
    name: 'link',
    description: 'Use the same yesno account from Telegram and Discord (codes only in private)',
    options: [{ type: 'string', name: 'code', description: 'The code /link showed in your other chat app (omit to get one)', maxLength: 32 }],
    personal: true,
    example: '/link code:K7M2QX9P',
    toCommand: (o) => line('/link', words(o, 'code')),
  },
  {
    name: 'notify',
    description: 'How fills and order updates reach you: on, silent or off',
    options: [
      {
        type: 'string',
        name: 'topic',
        description: 'fills or orders (omit to see the settings)',
        choices: [
          { name: 'fills', value: 'fills' },
          { name: 'orders', value: 'orders' },
        ],
      },
      {
        type: 'string',
        name: 'level',
        description: 'on, silent, or off (off: fills only)',
        choices: [
          { name: 'on', value: 'on' },
          { name: 'silent', value: 'silent' },
          { name: 'off', value: 'off' },
        ],
      },
    ],
    personal: true,
    example: '/notify topic:fills level:silent',
    toCommand: (o) => line('/notify', words(o, 'topic'), words(o, 'level')),
  },
];

/** The options that suggest markets while typing (autocomplete), also inside subcommands. */
export function isMarketOption(def: SlashCommandDef | undefined, optionName: string): boolean {
  const has = (opts: readonly OptionDef[] | undefined): boolean =>
    Boolean(opts?.some((o) => (o.type === 'subcommand' ? has(o.options) : o.name === optionName && o.type === 'string' && o.autocomplete === 'market')));
  return has(def?.options);
}

/** Discord requires required options before optional ones, and subcommands not mixed with options. */
function checkOptions(command: string, options: readonly OptionDef[]): void {
  const subs = options.filter((o) => o.type === 'subcommand');
  if (subs.length > 0 && subs.length < options.length) throw new Error(`Discord command /${command}: subcommands can't be mixed with other options`);
  for (const sub of subs) checkOptions(`${command} ${sub.name}`, sub.options ?? []);
  const firstOptional = options.findIndex((o) => !o.required);
  if (subs.length === 0 && firstOptional >= 0 && options.slice(firstOptional).some((o) => o.required)) {
    throw new Error(`Discord command /${command}: required options must come before optional ones`);
  }
}

function optionJson(o: OptionDef): APIApplicationCommandOption {
  if (o.type === 'subcommand') {
    return {
      type: ApplicationCommandOptionType.Subcommand,
      name: o.name,
      description: o.description.slice(0, 100),
      options: (o.options ?? []).map((x) => optionJson(x) as APIApplicationCommandBasicOption),
    };
  }
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
    checkOptions(d.name, options);
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
