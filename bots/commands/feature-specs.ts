/**
 * The chat-front-end commands of issue 4: account linking, group alerts, sharing fills, pictures
 * and notification settings. Their parsed shapes, /help entries and parsers; commands.ts and
 * grammar.ts include them, features.ts runs them.
 *
 *   /link                         a one-time code for linking another chat app
 *   /link <code>                  join this chat account to the account that made the code
 *   /alerts                       this chat's alerts
 *   /alerts add <market> above|below <price>      price crossing
 *   /alerts add <market> move <pct>%              a move of <pct> points within an hour
 *   /alerts fills on|off          members' fills (members opt in with /sharefills on)
 *   /alerts remove <id>
 *   /sharefills on|off            let groups with /alerts fills on show your fills
 *   /chart <market> [<hours>h]    a PNG chart of the YES price
 *   /pnl                          a PnL card
 *   /notify [fills on|silent|off | orders on|silent]
 */
import { Decimal } from '../../core/money.ts';
import type { Venue } from '../../core/exchanges/types.ts';
import { MAX_CHART_HOURS } from '../../core/charts/types.ts';
import { NOTIFY_LEVELS, type NotifyLevel, type NotifyTopic } from '../../core/notifications/settings.ts';
import { isLinkCodeShape, normalizeLinkCode } from '../../core/users/linking.ts';
import type { CommandSpec } from './commands.ts';
import type { Token } from './tokenize.ts';
import { readMarketRef, readPrice, readVenue, type MarketRef } from './values.ts';

export type FeatureCommand =
  | { name: 'link'; action: 'code' }
  | { name: 'link'; action: 'redeem'; code: string }
  /** `/link kalshi …` / `/link polymarket …`: venue credentials (a later issue). */
  | { name: 'link'; action: 'venue'; venue: Venue }
  | { name: 'alerts'; action: 'list' }
  | { name: 'alerts'; action: 'add-price'; market: MarketRef; direction: 'above' | 'below'; level: Decimal }
  /** `threshold` is a fraction of $1: 5% → 0.05 (5 points). */
  | { name: 'alerts'; action: 'add-move'; market: MarketRef; threshold: Decimal }
  | { name: 'alerts'; action: 'fills'; on: boolean }
  | { name: 'alerts'; action: 'remove'; id: string }
  /** No `on`: show the setting. */
  | { name: 'sharefills'; on?: boolean }
  | { name: 'chart'; market: MarketRef; hours: number }
  | { name: 'pnl' }
  /** No topic: show the settings. */
  | { name: 'notify'; topic?: NotifyTopic; level?: NotifyLevel }
  /** Orders below `below` USD skip the confirmation; null turns it off; absent shows the setting. */
  | { name: 'quickbuy'; below?: Decimal | null };

export type FeatureName = FeatureCommand['name'];

const MARKET_NOTE = '<market> is a market id or slug, a few words of its title, or a pasted Polymarket/Kalshi link.';

export const FEATURE_SPECS: readonly CommandSpec[] = [
  {
    name: 'chart',
    aliases: ['graph', 'history'],
    summary: 'a picture of a market\'s YES price over the last hours',
    usage: ['/chart <market>', '/chart <market> <hours>h   (1 to 168, default 24)'],
    examples: ['/chart fed-cut', '/chart fed-cut 6h', '/chart "fed cut" 3d'],
    notes: [MARKET_NOTE, 'Each venue is one line; the price is the YES mid (halfway between bid and ask).'],
  },
  {
    name: 'pnl',
    aliases: ['profit', 'card'],
    summary: 'a picture of your PnL: positions, unrealized and realized',
    usage: ['/pnl'],
    examples: ['/pnl'],
  },
  {
    name: 'alerts',
    aliases: ['alert'],
    summary: 'price alerts for this group or chat (admins set them)',
    usage: [
      '/alerts                                   list this chat\'s alerts',
      '/alerts add <market> above|below <price>   when the YES price crosses a level',
      '/alerts add <market> move <pct>%           when it moves <pct> points within an hour',
      '/alerts fills on|off                       post fills of members who opted in (/sharefills on)',
      '/alerts remove <id>',
    ],
    examples: ['/alerts', '/alerts add fed-cut above 60c', '/alerts add fed-cut move 5%', '/alerts fills on', '/alerts remove a1b2c3'],
    notes: [
      MARKET_NOTE,
      'In a group only its admins add or remove alerts. An alert fires when the price crosses the level, and again only after it went back.',
      'Several alerts at once arrive as one message.',
    ],
  },
  {
    name: 'sharefills',
    aliases: ['share'],
    summary: 'let groups that ask for it show your fills',
    usage: ['/sharefills', '/sharefills on|off'],
    examples: ['/sharefills on', '/sharefills off'],
    notes: ['Your fills appear only in groups where you use yesno and whose admins turned on /alerts fills.'],
  },
  {
    name: 'link',
    aliases: [],
    summary: 'use the same yesno account from Telegram and Discord',
    usage: ['/link            get a one-time code (10 minutes)', '/link <code>     type it in your other chat app to join the two'],
    examples: ['/link', '/link K7M2QX9P'],
    notes: [
      'Linking moves this chat account into the account that made the code; an account that already traded is never merged (money never moves by linking).',
      'Linking Kalshi or Polymarket keys (/link kalshi …) is not available yet; never post keys in a group.',
    ],
  },
  {
    name: 'quickbuy',
    aliases: ['skipconfirm'],
    summary: 'skip the Confirm step for small orders (off by default)',
    usage: ['/quickbuy', '/quickbuy $<amount>   orders below this place at once', '/quickbuy off'],
    examples: ['/quickbuy', '/quickbuy $10', '/quickbuy off'],
    notes: ['Orders and snipers of this amount or more always ask first. The limit is per account, at most $1000.'],
  },
  {
    name: 'notify',
    aliases: ['notifications', 'settings'],
    summary: 'how fills and order updates reach you (on, silent, off)',
    usage: ['/notify', '/notify fills on|silent|off', '/notify orders on|silent'],
    examples: ['/notify', '/notify fills silent', '/notify fills off'],
    notes: ['"silent" delivers without a sound; "fills off" skips each partial fill but still tells you when an order is filled, cancelled or fails.'],
  },
];

export type FeatureParse = { ok: true; command: FeatureCommand } | { ok: false; problem: string; tryThis: string[] };

const no = (problem: string, ...tryThis: string[]): FeatureParse => ({ ok: false, problem, tryThis });
const yes = (command: FeatureCommand): FeatureParse => ({ ok: true, command });

const ON = new Set(['on', 'yes', 'true', 'enable', 'enabled', '1']);
const OFF = new Set(['off', 'no', 'false', 'disable', 'disabled', '0']);

function onOff(word: string | undefined): boolean | null {
  const w = word?.toLowerCase();
  if (w === undefined) return null;
  return ON.has(w) ? true : OFF.has(w) ? false : null;
}

/** Parses the arguments of one of these commands. */
export function parseFeature(name: FeatureName, args: Token[]): FeatureParse {
  const words = args.map((t) => t.value);
  switch (name) {
    case 'pnl':
      return yes({ name });
    case 'link':
      return parseLink(words);
    case 'sharefills': {
      if (words.length === 0) return yes({ name });
      const on = onOff(words[0]);
      if (on === null || words.length > 1) return no('Say on or off.', '/sharefills on', '/sharefills off');
      return yes({ name, on });
    }
    case 'chart':
      return parseChart(args);
    case 'notify':
      return parseNotify(words);
    case 'quickbuy':
      return parseQuickbuy(words);
    case 'alerts':
      return parseAlerts(args);
  }
}

function parseLink(words: string[]): FeatureParse {
  if (words.length === 0) return yes({ name: 'link', action: 'code' });
  const venue = readVenue(words[0]!);
  if (venue) return yes({ name: 'link', action: 'venue', venue });
  const joined = words.join('');
  if (isLinkCodeShape(joined)) return yes({ name: 'link', action: 'redeem', code: normalizeLinkCode(joined) });
  return no('A link code is 8 letters and digits, as /link shows it in your other chat app.', '/link', '/link K7M2QX9P');
}

const UNIT = '(h|hr|hrs|hours?|d|days?)';
const WINDOW_RE = new RegExp(`^(\\d{1,3})${UNIT}$`, 'i');
const UNIT_RE = new RegExp(`^${UNIT}$`, 'i');

function parseChart(args: Token[]): FeatureParse {
  const words = args.map((t) => t.value);
  if (words.length === 0) return no('Which market?', '/chart fed-cut', '/chart fed-cut 6h');
  let end = words.length;
  let hours = 24;
  // A trailing window after the market: "6h", "3d", or "6 hours" (a bare number stays a market word).
  const last = args[end - 1]!;
  let window: [string, string] | null = null;
  const inline = end >= 2 && !last.quoted ? WINDOW_RE.exec(last.value) : null;
  if (inline) {
    window = [inline[1]!, inline[2]!];
    end -= 1;
  } else if (end >= 3 && !last.quoted && UNIT_RE.test(last.value) && /^\d{1,3}$/.test(words[end - 2]!)) {
    window = [words[end - 2]!, last.value];
    end -= 2;
  }
  if (window) {
    const n = Number(window[0]);
    hours = /^d/i.test(window[1]) ? n * 24 : n;
    if (hours < 1 || hours > MAX_CHART_HOURS) return no(`The window is 1 to ${MAX_CHART_HOURS} hours (7 days).`, '/chart fed-cut 24h', '/chart fed-cut 3d');
  }
  const ref = readMarketRef(words.slice(0, end));
  if (!ref.ok) return no(ref.problem, '/chart fed-cut');
  return yes({ name: 'chart', market: ref.value, hours });
}

function parseNotify(words: string[]): FeatureParse {
  if (words.length === 0) return yes({ name: 'notify' });
  const topicWord = words[0]!.toLowerCase();
  const topic: NotifyTopic | null = /^fills?$/.test(topicWord) ? 'fills' : /^(orders?|updates?|status)$/.test(topicWord) ? 'orders' : null;
  if (!topic) return no(`I don't know ${JSON.stringify(words[0])} here: settings are "fills" and "orders".`, '/notify fills silent', '/notify orders on');
  const level = words[1]?.toLowerCase() as NotifyLevel | undefined;
  const allowed = NOTIFY_LEVELS[topic];
  if (!level || !allowed.includes(level) || words.length > 2) {
    return no(`Say ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')} after "${topic}".`, `/notify ${topic} ${allowed[1]}`, `/notify ${topic} on`);
  }
  return yes({ name: 'notify', topic, level });
}

const CROSS_WORDS: Record<string, 'above' | 'below'> = { above: 'above', over: 'above', '>': 'above', '>=': 'above', below: 'below', under: 'below', '<': 'below', '<=': 'below' };
const MOVE_WORDS = new Set(['move', 'moves', 'moved', 'change', 'jump', 'swing']);

function parseAlerts(args: Token[]): FeatureParse {
  const words = args.map((t) => t.value);
  const first = words[0]?.toLowerCase();
  if (!first || first === 'list' || first === 'show') return yes({ name: 'alerts', action: 'list' });
  if (first === 'fills' || first === 'fill') {
    const on = onOff(words[1]);
    if (on === null || words.length > 2) return no('Say on or off after "fills".', '/alerts fills on', '/alerts fills off');
    return yes({ name: 'alerts', action: 'fills', on });
  }
  if (['remove', 'rm', 'delete', 'del', 'stop', 'cancel'].includes(first)) {
    const id = (words[1] ?? '').replace(/^#/, '').toLowerCase();
    if (!id) return no('Which alert? Ids are in /alerts.', '/alerts remove a1b2c3');
    if (words.length > 2 || !/^[0-9a-f-]{4,36}$/.test(id)) return no(`${JSON.stringify(words[1])} is not an alert id (ids look like a1b2c3, as /alerts shows them).`, '/alerts remove a1b2c3');
    return yes({ name: 'alerts', action: 'remove', id });
  }
  // "/alerts add <market> above 60c" (the "add" may be left out).
  const rest = first === 'add' || first === 'new' || first === 'set' ? args.slice(1) : args;
  let k = -1;
  for (let i = rest.length - 1; i >= 1; i--) {
    const w = rest[i]!.value.toLowerCase();
    if (!rest[i]!.quoted && (CROSS_WORDS[w] || MOVE_WORDS.has(w))) {
      k = i;
      break;
    }
  }
  if (k < 0) {
    return no(
      rest.length === 0 ? 'Which market, and when should it alert?' : 'Say "above <price>", "below <price>" or "move <pct>%" after the market.',
      '/alerts add fed-cut above 60c',
      '/alerts add fed-cut move 5%',
    );
  }
  const ref = readMarketRef(rest.slice(0, k).map((t) => t.value));
  if (!ref.ok) return no(ref.problem, '/alerts add fed-cut above 60c');
  const kw = rest[k]!.value.toLowerCase();
  const value = rest.slice(k + 1).map((t) => t.value).join('');
  if (MOVE_WORDS.has(kw)) {
    const m = /^(\d+(\.\d+)?)\s*(%|pts?|points?|c|¢)?$/i.exec(value);
    const pct = m ? Number(m[1]) : NaN;
    if (!m || !(pct >= 0.5 && pct < 100)) return no(`Give the move in percent (points of $1), from 0.5% to 99%${value ? `; you wrote ${JSON.stringify(value)}` : ''}.`, '/alerts add fed-cut move 5%');
    return yes({ name: 'alerts', action: 'add-move', market: ref.value, threshold: new Decimal(m[1]!).div(100) });
  }
  if (!value) return no(`Which price? Write it after "${kw}" as 60c or 0.60.`, `/alerts add fed-cut ${CROSS_WORDS[kw]} 60c`);
  const price = readPrice(value);
  if (!price.ok) return no(price.problem, `/alerts add fed-cut ${CROSS_WORDS[kw]} 60c`);
  return yes({ name: 'alerts', action: 'add-price', market: ref.value, direction: CROSS_WORDS[kw]!, level: price.value });
}

const QUICKBUY_MAX = new Decimal(1000);

function parseQuickbuy(words: string[]): FeatureParse {
  if (words.length === 0) return yes({ name: 'quickbuy' });
  if (words.length === 1 && onOff(words[0]) === false) return yes({ name: 'quickbuy', below: null });
  const m = /^\$?(\d+(?:\.\d{1,2})?)\$?$/.exec(words.join(''));
  if (!m) return no(`I couldn't read ${JSON.stringify(words.join(' '))} as a dollar amount.`, '/quickbuy $10', '/quickbuy off');
  const below = new Decimal(m[1]!);
  if (below.lte(0)) return no('The amount must be more than $0; to always confirm, say off.', '/quickbuy $10', '/quickbuy off');
  if (below.gt(QUICKBUY_MAX)) return no(`At most $${QUICKBUY_MAX.toFixed()}: larger orders always ask first.`, '/quickbuy $100');
  return yes({ name: 'quickbuy', below });
}
