/**
 * The automation commands' parsed shapes and their /help entries (issue 5): /snipe, /snipers,
 * /unsnipe, /tp, /sl. Kept apart from automation.ts so commands.ts can spread the specs into its
 * table without an import cycle at module load (this file imports types only).
 */
import type { Decimal } from '../../core/money.ts';
import type { Outcome, Venue } from '../../core/exchanges/types.ts';
import type { CommandSpec } from './commands.ts';
import type { MarketRef } from './values.ts';

/** When a sniper stops watching: a duration from now ("for 2h") or a moment ("until 2026-12-01"). */
export type ExpirySpec = { kind: 'in'; ms: number; text: string } | { kind: 'at'; at: Date; text: string };

/** /snipe <market> <yes|no> $<amount> @<price> [slippage 3%] [for 2h|until …] [repeat] [on <venue>] */
export interface SnipeCommand {
  name: 'snipe';
  market: MarketRef;
  side: Outcome;
  /** USD to spend when it fires. */
  amount: Decimal;
  triggerPrice: Decimal;
  /** Fraction (0.03 = 3%); absent = the service default (2%). */
  slippage?: Decimal;
  expiry?: ExpirySpec;
  repeat: boolean;
  venue?: Venue;
}

/** /snipers (watching ones), /snipers all, or /snipers <id> for one in detail. */
export interface SnipersCommand {
  name: 'snipers';
  scope: 'active' | 'all';
  id?: string;
}

/** /unsnipe <id> or /snipe cancel <id>. */
export interface UnsnipeCommand {
  name: 'unsnipe';
  id: string;
}

/** Which position a /tp or /sl is about: a position id (prefix), or a market and side (and venue). */
export type TpslTarget = { kind: 'position'; id: string; side?: Outcome } | { kind: 'market'; market: MarketRef; side: Outcome; venue?: Venue };

/** /tp and /sl: set a level (a price) or clear it (null). */
export interface TpslCommand {
  name: 'tp' | 'sl';
  target: TpslTarget;
  price: Decimal | null;
}

export type AutomationCommand = SnipeCommand | SnipersCommand | UnsnipeCommand | TpslCommand;

const MARKET_NOTE =
  '<market> is a market id or slug, a few words of its title ("fed cut" in quotes, or bare words), or a pasted Polymarket/Kalshi link.';

export const AUTOMATION_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'snipe',
    aliases: ['sniper'],
    summary: 'buy automatically when the price drops to your trigger (asks you to confirm)',
    usage: [
      '/snipe <market> <yes|no> $<amount> @<price>     buy $<amount> when the ask is at or below <price>',
      '... slippage 3% | slip 3%                        worst price = trigger × (1 + slippage); default 2%, at most 50%',
      '... for 2h | for 30m | for 3d | expires 30m     stop watching after that long',
      '... until 2026-12-01 | until 2026-12-01T18:00Z  stop watching then (UTC)',
      '... repeat                                       re-arm after each fill (once the price has left the trigger zone)',
      '... on polymarket | on kalshi                    watch and buy on one venue (otherwise the best ask of any venue)',
      '/snipe cancel <id>                               same as /unsnipe <id>',
    ],
    examples: ['/snipe fed-cut yes $25 @42c', '/snipe fed-cut no $10 @0.35 slippage 3% for 2h', '/snipe "fed cut" yes $50 @40c until 2026-12-01 repeat'],
    notes: [
      MARKET_NOTE,
      'Prices are 0.42 or 42c (between 1c and 99c). The amount is in dollars ($25): a sniper spends that much when it fires.',
      'Nothing is spent when you arm it. You see a summary (trigger, worst price, amount, expiry, repeat) and answer Confirm or Cancel within 60 seconds, like /buy, because it will place a real buy later without asking again.',
      'When the ask of your side reaches the trigger, exactly one buy goes out at no worse than the worst price; you are told when it fires, fills, fails or expires. /snipers lists yours; /unsnipe <id> stops one.',
    ],
  },
  {
    name: 'snipers',
    aliases: ['snipes'],
    summary: 'your snipers: watching ones, all of them, or one in detail',
    usage: ['/snipers', '/snipers all', '/snipers <id>'],
    examples: ['/snipers', '/snipers all', '/snipers 1a2b3c4d'],
    notes: ['<id> is the sniper id or its first 6+ characters, as /snipers shows it.'],
  },
  {
    name: 'unsnipe',
    aliases: ['unsniper'],
    summary: 'cancel a sniper that is still watching',
    usage: ['/unsnipe <id>', '/snipe cancel <id>'],
    examples: ['/unsnipe 1a2b3c4d', '/snipe cancel 1a2b3c4d'],
    notes: ['<id> is the sniper id or its first 6+ characters, as /snipers shows it. A sniper that already fired cannot be cancelled.'],
  },
  {
    name: 'tp',
    aliases: ['takeprofit'],
    summary: 'take-profit: sell a position when the bid rises to a price',
    usage: [
      '/tp <market> <yes|no> @<price>            sell your shares when the bid is at or above <price>',
      '/tp <market> <yes|no> off                 remove the take-profit',
      '/tp <position id> @<price> | off          the same, by the id /positions shows (#1a2b3c4d)',
      '... on polymarket | on kalshi             when you hold that side on both venues',
      '/buy <market> <yes|no> $<amount> tp 60c   set it when buying (also: sl 30c)',
    ],
    examples: ['/tp fed-cut yes @60c', '/tp #1a2b3c4d @0.6', '/tp fed-cut yes off', '/tp btc-100k yes @60c on kalshi', '/buy fed-cut yes $25 tp 60c sl 30c'],
    notes: [
      MARKET_NOTE,
      'It sells everything you hold of that position, once, as a market sell with a slippage guard; then the level clears. Selling yourself, or the market resolving, removes it.',
      'The take-profit must be above your stop-loss and above the bid now (a level the bid has already reached would sell at once, so it is refused).',
    ],
  },
  {
    name: 'sl',
    aliases: ['stoploss'],
    summary: 'stop-loss: sell a position when the bid falls to a price',
    usage: [
      '/sl <market> <yes|no> @<price>            sell your shares when the bid is at or below <price>',
      '/sl <market> <yes|no> off                 remove the stop-loss',
      '/sl <position id> @<price> | off          the same, by the id /positions shows (#1a2b3c4d)',
      '... on polymarket | on kalshi             when you hold that side on both venues',
      '/buy <market> <yes|no> $<amount> sl 30c   set it when buying (also: tp 60c)',
    ],
    examples: ['/sl fed-cut yes @30c', '/sl #1a2b3c4d @0.3', '/sl fed-cut yes off', '/sl btc-100k yes @30c on kalshi', '/buy fed-cut yes $25 tp 60c sl 30c'],
    notes: [
      MARKET_NOTE,
      'It sells everything you hold of that position, once, as a market sell with a slippage guard; then the level clears. Selling yourself, or the market resolving, removes it.',
      'The stop-loss must be below your take-profit and below the bid now (a level the bid has already reached would sell at once, so it is refused).',
    ],
  },
];
