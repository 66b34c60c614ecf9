/**
 * The command set: names, aliases, the parsed shape of each command, and the usage text that
 * /help and every error message quote. One table shared by every chat front end.
 */
import type { Decimal } from '../../core/money.ts';
import type { Outcome, Venue } from '../../core/exchanges/types.ts';
import type { MarketRef, Size } from './values.ts';
import { AUTOMATION_COMMANDS, type AutomationCommand } from './automation-specs.ts';
import { FEATURE_SPECS, type FeatureCommand } from './feature-specs.ts';
import { FOLLOW_SPECS, type FollowCommand } from './follow-specs.ts';
import { ACCOUNT_SPECS, type AccountCommand } from './account-specs.ts';

/** A buy or sell, as typed. `size` is dollars, shares, or (sells) everything held. */
export interface TradeCommand {
  name: 'buy' | 'sell';
  market: MarketRef;
  side: Outcome;
  size: Size;
  /** Limit price; absent for market orders. */
  price?: Decimal;
  /** Forced venue ("on kalshi"); absent lets the SmartRouter choose. */
  venue?: Venue;
  /** Buys only: "tp 60c" / "sl 30c", set on the resulting position once the buy fills. */
  takeProfit?: Decimal;
  stopLoss?: Decimal;
}

/** Every command after parsing and validation. Transports that have typed options (Discord) may build these directly. */
export type Command =
  | { name: 'help'; topic?: string }
  | { name: 'start' }
  | { name: 'markets'; query?: string }
  | { name: 'price'; market: MarketRef }
  | TradeCommand
  | { name: 'orders'; scope: 'open' | 'all' }
  | { name: 'order'; id: string }
  /** Cancels an order; without an id (or with a confirmation id) it declines a pending confirmation. */
  | { name: 'cancel'; id?: string }
  | { name: 'positions' }
  | { name: 'balance' }
  /** Answers a pending confirmation: the latest one, or the one whose id starts with `id`. */
  | { name: 'confirm'; id?: string }
  | { name: 'decline'; id?: string }
  /** /snipe, /snipers, /unsnipe, /tp, /sl (bots/commands/automation-specs.ts). */
  | AutomationCommand
  /** /link, /alerts, /sharefills, /chart, /pnl, /notify (bots/commands/feature-specs.ts). */
  | FeatureCommand
  /** /counter, /copy, /follows (bots/commands/follow-specs.ts). */
  | FollowCommand
  /** /wallet: linked venue accounts, private chats only (bots/commands/account-specs.ts). */
  | AccountCommand;

export type CommandName = Command['name'];

/** How a command is written and shown in /help. */
export interface CommandSpec {
  name: CommandName;
  aliases: string[];
  /** One line for the /help overview. */
  summary: string;
  /** Every accepted form, e.g. "/buy <market> <yes|no> $<amount>". */
  usage: string[];
  /** Runnable examples, first one quoted in error messages. */
  examples: string[];
  /** Extra notes for /help <command>. */
  notes?: string[];
  /** Hidden from the /help overview (still answers). */
  hidden?: boolean;
}

const MARKET_NOTE =
  '<market> is a market id or slug, a few words of its title ("fed cut" in quotes, or bare words), or a pasted Polymarket/Kalshi link.';

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'help',
    aliases: ['h', '?', 'commands'],
    summary: 'this list, or how to use one command',
    usage: ['/help', '/help <command>'],
    examples: ['/help', '/help buy'],
  },
  {
    name: 'start',
    aliases: [],
    summary: 'welcome and your paper balance',
    usage: ['/start'],
    examples: ['/start'],
  },
  {
    name: 'markets',
    aliases: ['m', 'search', 'find'],
    summary: 'list markets, or search them by words',
    usage: ['/markets', '/markets <words>'],
    examples: ['/markets', '/markets fed', '/markets election'],
  },
  {
    name: 'price',
    aliases: ['p', 'quote', 'book'],
    summary: 'YES/NO bid and ask on each venue',
    usage: ['/price <market>'],
    examples: ['/price fed-cut', '/price "fed cut"', '/price https://polymarket.com/event/fed-cut'],
    notes: [MARKET_NOTE],
  },
  {
    name: 'buy',
    aliases: ['b', 'long'],
    summary: 'buy YES or NO shares (asks you to confirm first)',
    usage: [
      '/buy <market> <yes|no> $<amount>            market buy for a dollar amount',
      '/buy <market> <yes|no> <shares>             market buy of a number of shares',
      '/buy <market> <yes|no> <shares> @<price>    limit buy (price as 0.42 or 42c)',
      '/buy <market> <yes|no> $<amount> @<price>   limit buy of as many whole shares as $<amount> buys',
      '... on polymarket | on kalshi               force a venue (otherwise the best one is chosen)',
      '... tp 60c sl 30c                           once it fills, set a take-profit / stop-loss on the position (see /help tp)',
    ],
    examples: ['/buy fed-cut yes $25', '/buy "fed cut" no 10', '/buy fed-cut yes 10 @42c', '/buy fed-cut yes $25 on kalshi', '/buy fed-cut yes $25 tp 60c sl 30c'],
    notes: [
      MARKET_NOTE,
      'You see the routed quote (venue, average price, fees, worst price, why that venue) and answer Confirm or Cancel within 60 seconds. In the console type "y" (or "confirm") / "n" (or "cancel") on the next line, also in scripts.',
    ],
  },
  {
    name: 'sell',
    aliases: ['s', 'close'],
    summary: 'sell shares you hold (asks you to confirm first)',
    usage: [
      '/sell <market> <yes|no> <shares>            market sell',
      '/sell <market> <yes|no> all                 sell everything you hold of that side',
      '/sell <market> <yes|no> <shares> @<price>   limit sell',
      '... on polymarket | on kalshi               sell the shares held on that venue',
    ],
    examples: ['/sell fed-cut yes 10', '/sell fed-cut yes all', '/sell fed-cut no 5 @61c'],
    notes: [MARKET_NOTE, 'You confirm the quote before anything is sold.'],
  },
  {
    name: 'orders',
    aliases: ['o', 'open'],
    summary: 'your open orders, or all recent ones',
    usage: ['/orders', '/orders open', '/orders all'],
    examples: ['/orders', '/orders all'],
  },
  {
    name: 'order',
    aliases: ['status'],
    summary: 'one order in detail, with its fills',
    usage: ['/order <id>'],
    examples: ['/order 1a2b3c4d'],
    notes: ['<id> is the order id or its first 6+ characters, as /orders shows it.'],
  },
  {
    name: 'cancel',
    aliases: ['c', 'x'],
    summary: 'cancel an open order',
    usage: ['/cancel <id>'],
    examples: ['/cancel 1a2b3c4d'],
    notes: ['<id> is the order id or its first 6+ characters. Plain /cancel declines a pending buy/sell confirmation.'],
  },
  {
    name: 'positions',
    aliases: ['pos', 'portfolio', 'pf'],
    summary: 'what you hold, valued at the current bid, with PnL',
    usage: ['/positions'],
    examples: ['/positions'],
  },
  {
    name: 'balance',
    aliases: ['bal', 'cash'],
    summary: 'cash available on each venue',
    usage: ['/balance'],
    examples: ['/balance'],
  },
  ...AUTOMATION_COMMANDS,
  ...FOLLOW_SPECS,
  ...ACCOUNT_SPECS,
  ...FEATURE_SPECS,
  {
    name: 'confirm',
    aliases: ['yes', 'y', 'ok'],
    summary: 'confirm the pending buy/sell',
    usage: ['/confirm', '/confirm <id>'],
    examples: ['/confirm'],
    hidden: true,
  },
  {
    name: 'decline',
    aliases: ['no', 'n', 'nope'],
    summary: 'decline the pending buy/sell',
    usage: ['/decline', '/decline <id>'],
    examples: ['/decline'],
    hidden: true,
  },
];

const BY_NAME = new Map<string, CommandSpec>();
for (const spec of COMMANDS) {
  BY_NAME.set(spec.name, spec);
  for (const alias of spec.aliases) BY_NAME.set(alias, spec);
}

/** The spec of a command name or alias (case-insensitive, slash optional). */
export function findCommand(word: string): CommandSpec | undefined {
  return BY_NAME.get(word.toLowerCase().replace(/^\//, ''));
}

export function specOf(name: CommandName): CommandSpec {
  return BY_NAME.get(name)!;
}

/** Every name and alias, for suggestions. */
export function allCommandWords(): string[] {
  return [...BY_NAME.keys()];
}
