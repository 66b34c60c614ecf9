/**
 * The command grammar: a chat line → a validated Command, or an error that says what was wrong
 * and the right form ("… Try: /buy fed-cut yes $25"). Pure: no services, no I/O.
 *
 *   /buy  <market> <yes|no> $<amount> | <shares> [@<price>] [on polymarket|kalshi]
 *   /sell <market> <yes|no> <shares>|all [@<price>] [on polymarket|kalshi]
 *
 * The market is every word before the last yes/no, so titles with spaces need no quotes
 * (`/buy fed cut yes $25`); quotes are needed only when the title itself contains "yes" or "no".
 */
import type { Decimal } from '../../core/money.ts';
import type { Venue } from '../../core/exchanges/types.ts';
import { findCommand, specOf, type Command, type CommandName, type TradeCommand } from './commands.ts';
import { parseAutomation, readBuyLevel } from './automation.ts';
import { parseFeature } from './feature-specs.ts';
import { parseFollow } from './follow-specs.ts';
import { parseAccount } from './account-specs.ts';
import { editDistance, suggestCommand } from './suggest.ts';
import { tokenize, TokenizeError, type Token } from './tokenize.ts';
import { isUnitWord, readMarketRef, readOutcome, readPrice, readSize, readVenue, type MarketRef } from './values.ts';

export type ParseResult =
  | { kind: 'command'; command: Command }
  | { kind: 'error'; message: string; command?: CommandName }
  | { kind: 'empty' };

/** Thrown inside parsers; becomes { kind: 'error' }. */
class SyntaxProblem extends Error {}

function fail(problem: string, tryThis: string | string[]): never {
  const forms = Array.isArray(tryThis) ? tryThis : [tryThis];
  throw new SyntaxProblem(`${problem} Try: ${forms.join('  or  ')}`);
}

/** Parses one chat line. A leading "/" is optional; "@botname" after the command is ignored. */
export function parseCommand(text: string): ParseResult {
  let line;
  try {
    line = tokenize(text);
  } catch (err) {
    if (err instanceof TokenizeError) return { kind: 'error', message: `${err.message} Try: /buy "fed cut" yes $25` };
    throw err;
  }
  if (!line.name) return { kind: 'empty' };
  const spec = findCommand(line.name);
  if (!spec) {
    const guess = suggestCommand(line.name);
    const shown = `/${line.name}`;
    return {
      kind: 'error',
      message: guess
        ? `I don't know ${shown}. Did you mean /${guess.name}? For example: ${guess.examples[0]}  (/help lists every command)`
        : `I don't know ${shown}. Send /help to see every command.`,
    };
  }
  try {
    return { kind: 'command', command: parseArgs(spec.name, line.args) };
  } catch (err) {
    if (err instanceof SyntaxProblem) return { kind: 'error', message: err.message, command: spec.name };
    throw err;
  }
}

function parseArgs(name: CommandName, args: Token[]): Command {
  const words = args.map((t) => t.value);
  switch (name) {
    case 'help':
      return { name, topic: words[0]?.replace(/^\//, '').toLowerCase() || undefined };
    case 'start':
    case 'positions':
    case 'balance':
      // Read-only and argument-free: extra words (e.g. a Telegram /start payload) change nothing.
      return { name };
    case 'markets': {
      const query = words.join(' ').trim();
      return { name, query: query || undefined };
    }
    case 'price': {
      if (words.length === 0) fail('Which market?', specOf('price').examples.slice(0, 2));
      const ref = readMarketRef(words);
      if (!ref.ok) fail(ref.problem, '/price fed-cut');
      return { name, market: ref.value };
    }
    case 'buy':
    case 'sell':
      return parseTrade(name, args);
    case 'orders': {
      const scope = (words[0] ?? 'open').toLowerCase();
      if (['open', 'active', 'pending'].includes(scope)) return { name, scope: 'open' };
      if (['all', 'history', 'recent', 'closed'].includes(scope)) return { name, scope: 'all' };
      fail(`I don't know ${JSON.stringify(words[0])} here: /orders shows open orders, /orders all shows recent ones too.`, ['/orders', '/orders all']);
    }
    case 'order': {
      if (words.length === 0) fail('Which order? Order ids are in /orders.', '/order 1a2b3c4d');
      return { name, id: readOrderId(words, '/order') };
    }
    case 'cancel':
      if (words.length === 0) return { name };
      return { name, id: readOrderId(words, '/cancel') };
    case 'confirm':
    case 'decline':
      return { name, id: words[0] ? readOrderId(words, `/${name}`) : undefined };
    case 'snipe':
    case 'snipers':
    case 'unsnipe':
    case 'tp':
    case 'sl': {
      const r = parseAutomation(name, args);
      if (!r.ok) fail(r.problem, r.tryThis);
      return r.command;
    }
    case 'counter':
    case 'copy':
    case 'follows': {
      const r = parseFollow(name, args);
      if (!r.ok) fail(r.problem, r.tryThis);
      return r.command;
    }
    case 'wallet': {
      const r = parseAccount(args);
      if (!r.ok) fail(r.problem, r.tryThis);
      return r.command;
    }
    case 'link':
    case 'alerts':
    case 'sharefills':
    case 'chart':
    case 'pnl':
    case 'notify':
    case 'quickbuy': {
      const r = parseFeature(name, args);
      if (!r.ok) fail(r.problem, r.tryThis);
      return r.command;
    }
  }
}

const ID_RE = /^[0-9a-f][0-9a-f-]*$/i;

function readOrderId(words: string[], cmd: string): string {
  if (words.length > 1) fail(`${cmd} takes one id; you gave ${words.length} words.`, `${cmd} 1a2b3c4d`);
  const id = words[0]!.trim().replace(/^#/, '').toLowerCase();
  if (!ID_RE.test(id) || id.length > 36) fail(`${JSON.stringify(words[0])} is not an order id (ids look like 1a2b3c4d, as /orders shows them).`, `${cmd} 1a2b3c4d`);
  if (id.replace(/-/g, '').length < 6) fail(`Give at least 6 characters of the id (you gave ${JSON.stringify(words[0])}).`, `${cmd} 1a2b3c4d`);
  return id;
}

const SIDE_LIKE = new Set(['maybe', 'true', 'false', 'up', 'down', 'long', 'short', 'over', 'under', 'yeah', 'yep', 'yea', 'nah', 'nope', 'si', 'ja', 'nein', 'oui', 'non']);

function looksLikeSide(word: string): boolean {
  const w = word.toLowerCase();
  return SIDE_LIKE.has(w) || (w.length <= 4 && (editDistance(w, 'yes') <= 1 || (w.startsWith('n') && editDistance(w, 'no') <= 1)));
}

/** How the user's market reads back in an example: their words when short, else a sample id. */
function marketHint(ref: MarketRef | undefined): string {
  if (!ref || ref.link || ref.text.length > 32) return 'fed-cut';
  return /\s|\b(yes|no|y|n)\b/i.test(ref.text) ? `"${ref.text}"` : ref.text;
}

function parseTrade(action: 'buy' | 'sell', args: Token[]): TradeCommand {
  const sample = (m: string, side = 'yes') =>
    action === 'buy' ? [`/${action} ${m} ${side} $25`, `/${action} ${m} ${side} 10 @42c`] : [`/${action} ${m} ${side} 10`, `/${action} ${m} ${side} all`];
  if (args.length === 0) {
    fail(action === 'buy' ? 'What do you want to buy? Give the market, yes or no, and how much.' : 'What do you want to sell? Give the market, yes or no, and how many shares.', sample('fed-cut'));
  }

  // The outcome is the last unquoted yes/no; everything before it names the market.
  let o = -1;
  for (let i = args.length - 1; i >= 0; i--) {
    if (!args[i]!.quoted && readOutcome(args[i]!.value)) {
      o = i;
      break;
    }
  }
  if (o < 0) {
    // Words up to the first size-, price- or venue-like word are probably the market.
    const stop = args.findIndex((t) => !t.quoted && (/^[@$]/.test(t.value) || /^(on|at)$/i.test(t.value) || (readSize(t.value).ok && !/^(all|max|everything)$/i.test(t.value))));
    let end = stop < 0 ? args.length : stop;
    const before = args[end - 1];
    // A word where the side should be that looks like an attempt at one ("yse", "maybe", "true").
    const wrongSide = end > 1 && before && !before.quoted && looksLikeSide(before.value) ? before.value : undefined;
    if (wrongSide) end--;
    const guess = readMarketRef(args.slice(0, end).map((t) => t.value));
    fail(
      wrongSide ? `${JSON.stringify(wrongSide)} is not a side: say yes or no after the market.` : 'Say which side, yes or no, after the market.',
      sample(marketHint(guess.ok ? guess.value : undefined)),
    );
  }
  if (o === 0) fail('Which market? Put it before yes/no.', sample('fed-cut'));
  const ref = readMarketRef(args.slice(0, o).map((t) => t.value));
  if (!ref.ok) fail(ref.problem, sample('fed-cut'));
  const market = ref.value;
  const side = readOutcome(args[o]!.value)!;
  const m = marketHint(market);

  const rest = args.slice(o + 1).map((t) => t.value);
  if (rest.length === 0) {
    fail(action === 'buy' ? 'How much? Give dollars like $25 or a number of shares like 10.' : 'How many shares? Give a number like 10, or all.', sample(m, side));
  }
  let i = 0;
  let sizeRaw = rest[i++]!;
  if (sizeRaw.startsWith('@') || sizeRaw.toLowerCase() === 'at') {
    fail(action === 'buy' ? 'How much? Put the amount (dollars like $25, or shares like 10) before the price.' : 'How many shares? Put them before the price.', sample(m, side));
  }
  if (sizeRaw === '$' && rest[i] !== undefined) sizeRaw += rest[i++]!;
  const unit = rest[i] !== undefined ? isUnitWord(rest[i]!) : null;
  if (unit) i++;
  const size = readSize(sizeRaw, unit);
  if (!size.ok) fail(size.problem, sample(m, side));
  if (action === 'buy' && size.value.kind === 'all') {
    fail('A buy needs an amount: dollars like $25 or shares like 10 ("all" works only for /sell).', sample(m, side));
  }
  if (action === 'sell' && size.value.kind === 'usd') {
    fail('Sell by shares, not dollars: give a number of shares, or all.', sample(m, side));
  }

  let price: Decimal | undefined;
  let venue: Venue | undefined;
  let takeProfit: Decimal | undefined;
  let stopLoss: Decimal | undefined;
  while (i < rest.length) {
    const w = rest[i]!;
    const lw = w.toLowerCase();
    const level = readBuyLevel(rest, i);
    if (level) {
      const ex = `/buy ${m} ${side} $25 tp 60c sl 30c`;
      if (action === 'sell') fail('tp and sl go with /buy; to change them on what you hold, use /tp and /sl.', [`/tp ${m} ${side} @60c`, `/sl ${m} ${side} @30c`]);
      if ('problem' in level) fail(level.problem, ex);
      if ((level.kind === 'tp' ? takeProfit : stopLoss) !== undefined) fail(`Give ${level.kind} once.`, ex);
      if (level.kind === 'tp') takeProfit = level.price;
      else stopLoss = level.price;
      i = level.next;
      continue;
    }
    if (lw.startsWith('@') || lw === 'at') {
      let raw = lw === '@' || lw === 'at' ? rest[i + 1] : w;
      i += lw === '@' || lw === 'at' ? 2 : 1;
      // "@ 42 cents", "@42 c"
      if (raw !== undefined && rest[i] !== undefined && /^(c|¢|cents?)$/i.test(rest[i]!)) raw += rest[i++]!;
      if (raw === undefined) fail('The price is missing after "@". Write it as 0.42 or 42c.', `/${action} ${m} ${side} 10 @42c`);
      const p = readPrice(raw);
      if (!p.ok) fail(p.problem, `/${action} ${m} ${side} 10 @42c`);
      if (price) fail('Give one price only.', `/${action} ${m} ${side} 10 @42c`);
      price = p.value;
      continue;
    }
    if (lw === 'on' || lw === 'via') {
      const name = rest[i + 1];
      const v = name ? readVenue(name) : null;
      if (!v) {
        fail(
          name ? `I don't know the venue ${JSON.stringify(name)}; yesno trades on polymarket and kalshi.` : 'Which venue? Say "on polymarket" or "on kalshi".',
          `/${action} ${m} ${side} ${action === 'buy' ? '$25' : '10'} on kalshi`,
        );
      }
      if (venue && venue !== v) fail('Give one venue only.', `/${action} ${m} ${side} ${action === 'buy' ? '$25' : '10'} on kalshi`);
      venue = v;
      i += 2;
      continue;
    }
    const bare = readVenue(lw);
    if (bare && (lw === 'polymarket' || lw === 'kalshi')) {
      venue = bare;
      i++;
      continue;
    }
    fail(`I didn't understand ${JSON.stringify(rest.slice(i).join(' '))} after the amount.`, [...sample(m, side), `/${action} ${m} ${side} 10 on kalshi`]);
  }
  if (takeProfit && stopLoss && takeProfit.lte(stopLoss)) {
    fail('The take-profit (tp) must be above the stop-loss (sl).', `/buy ${m} ${side} $25 tp 60c sl 30c`);
  }
  if (price && takeProfit && takeProfit.lte(price)) fail('The take-profit (tp) must be above the price you buy at.', `/buy ${m} ${side} 10 @42c tp 60c`);
  if (price && stopLoss && stopLoss.gte(price)) fail('The stop-loss (sl) must be below the price you buy at.', `/buy ${m} ${side} 10 @42c sl 30c`);
  return {
    name: action,
    market,
    side,
    size: size.value,
    ...(price ? { price } : {}),
    ...(venue ? { venue } : {}),
    ...(takeProfit ? { takeProfit } : {}),
    ...(stopLoss ? { stopLoss } : {}),
  };
}
