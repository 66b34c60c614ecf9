/** The chat command grammar: every form, aliases, quoted terms, links, and bad input with its message. */
import { describe, expect, it } from 'vitest';
import { parseCommand, type ParseResult } from '../../bots/commands/grammar.ts';
import type { Command, TradeCommand } from '../../bots/commands/commands.ts';
import { COMMANDS } from '../../bots/commands/commands.ts';
import { helpFor, helpOverview } from '../../bots/commands/help.ts';
import { tokenize } from '../../bots/commands/tokenize.ts';
import { readMarketRef, readPrice, readSize } from '../../bots/commands/values.ts';
import { editDistance, suggestCommand } from '../../bots/commands/suggest.ts';

function ok(text: string): Command {
  const r = parseCommand(text);
  if (r.kind !== 'command') throw new Error(`expected a command for ${JSON.stringify(text)}, got ${JSON.stringify(r)}`);
  return r.command;
}

function trade(text: string): TradeCommand {
  const c = ok(text);
  if (c.name !== 'buy' && c.name !== 'sell') throw new Error(`not a trade: ${c.name}`);
  return c;
}

function err(text: string): string {
  const r: ParseResult = parseCommand(text);
  if (r.kind !== 'error') throw new Error(`expected an error for ${JSON.stringify(text)}, got ${JSON.stringify(r)}`);
  return r.message;
}

/** A compact, comparable view of a trade command. */
function view(c: TradeCommand) {
  return {
    name: c.name,
    market: c.market.candidates,
    side: c.side,
    size: c.size.kind === 'usd' ? `$${c.size.amount.toFixed()}` : c.size.kind === 'shares' ? c.size.quantity.toFixed() : 'all',
    price: c.price?.toFixed(),
    venue: c.venue,
  };
}

describe('tokenize', () => {
  it('splits words, keeps quoted groups, strips the slash and a Telegram @botname', () => {
    expect(tokenize('/buy@yesno_bot "fed  cut" yes $25')).toEqual({
      name: 'buy',
      slash: true,
      args: [
        { value: 'fed cut', quoted: true },
        { value: 'yes', quoted: false },
        { value: '$25', quoted: false },
      ],
    });
    expect(tokenize('  BUY   x  ').name).toBe('buy');
    expect(tokenize('').name).toBe('');
  });

  it('accepts typographic quotes (phones) and single quotes, and keeps apostrophes inside words', () => {
    expect(tokenize('/price “fed cut”').args).toEqual([{ value: 'fed cut', quoted: true }]);
    expect(tokenize("/price 'fed cut'").args).toEqual([{ value: 'fed cut', quoted: true }]);
    expect(tokenize("/price trump's approval").args.map((t) => t.value)).toEqual(["trump's", 'approval']);
  });

  it('reports an unclosed quote', () => {
    expect(err('/buy "fed cut yes $25')).toMatch(/quote before "fed cut yes \$25" is never closed\. Try: \/buy "fed cut" yes \$25/);
  });
});

describe('buy', () => {
  it('market buy for dollars: $25, 25$, $ 25, 25 usd, $1,000, $.5', () => {
    expect(view(trade('/buy fed-cut yes $25'))).toEqual({ name: 'buy', market: ['fed-cut'], side: 'yes', size: '$25', price: undefined, venue: undefined });
    expect(view(trade('/buy fed-cut no 25$')).size).toBe('$25');
    expect(view(trade('/buy fed-cut no $ 25')).size).toBe('$25');
    expect(view(trade('/buy fed-cut no 25 usd')).size).toBe('$25');
    expect(view(trade('/buy fed-cut no $1,000')).size).toBe('$1000');
    expect(view(trade('/buy fed-cut no $.5')).size).toBe('$0.5');
    expect(view(trade('/buy fed-cut YES $12.50')).side).toBe('yes');
  });

  it('market buy of shares: 10, 10.5, 10 shares, 10sh', () => {
    expect(view(trade('/buy fed-cut yes 10'))).toMatchObject({ size: '10', price: undefined });
    expect(view(trade('/buy fed-cut yes 10.5')).size).toBe('10.5');
    expect(view(trade('/buy fed-cut yes 10 shares')).size).toBe('10');
    expect(view(trade('/buy fed-cut yes 10sh')).size).toBe('10');
  });

  it('limit buy: @0.42, @.42, @42c, @42¢, @42 (cents), @ 42c, at 42c, @42.5c', () => {
    for (const p of ['@0.42', '@.42', '@42c', '@42¢', '@42', '@ 42c', 'at 42c', '@$0.42']) {
      expect(view(trade(`/buy fed-cut yes 10 ${p}`)), p).toMatchObject({ size: '10', price: '0.42' });
    }
    expect(view(trade('/buy fed-cut yes 10 @42.5c')).price).toBe('0.425');
    expect(view(trade('/buy fed-cut yes $25 @42c'))).toMatchObject({ size: '$25', price: '0.42' });
  });

  it('forces a venue with "on <venue>" (and short names), in any order after the size', () => {
    expect(view(trade('/buy fed-cut yes $25 on kalshi')).venue).toBe('kalshi');
    expect(view(trade('/buy fed-cut yes $25 on poly')).venue).toBe('polymarket');
    expect(view(trade('/buy fed-cut yes 10 on polymarket @42c'))).toMatchObject({ venue: 'polymarket', price: '0.42' });
    expect(view(trade('/buy fed-cut yes 10 @42c on kalshi'))).toMatchObject({ venue: 'kalshi', price: '0.42' });
    expect(view(trade('/buy fed-cut yes 10 kalshi')).venue).toBe('kalshi');
  });

  it('takes bare words and quoted titles as the market, even words containing yes/no', () => {
    expect(view(trade('/buy fed cut december yes $5')).market).toEqual(['fed cut december']);
    expect(view(trade('/buy "fed cut" no 10')).market).toEqual(['fed cut']);
    // The outcome is the LAST yes/no; quoted words are never the outcome.
    expect(view(trade('/buy will it be yes or no no 10')).market).toEqual(['will it be yes or no']);
    expect(view(trade('/buy "yes or no" yes 10')).market).toEqual(['yes or no']);
    expect(view(trade('/buy KXFEDCUT-26DEC y 3'))).toMatchObject({ market: ['KXFEDCUT-26DEC'], side: 'yes' });
  });

  it('has aliases /b and /long, and works without a slash', () => {
    expect(trade('/b fed-cut yes $25').name).toBe('buy');
    expect(trade('/long fed-cut yes $25').name).toBe('buy');
    expect(trade('buy fed-cut yes $25').name).toBe('buy');
  });

  it('says what was wrong and the right form', () => {
    expect(err('/buy fed-cut yes abc')).toBe('I couldn\'t read "abc" as an amount. Try: /buy fed-cut yes $25  or  /buy fed-cut yes 10 @42c');
    expect(err('/buy')).toBe('What do you want to buy? Give the market, yes or no, and how much. Try: /buy fed-cut yes $25  or  /buy fed-cut yes 10 @42c');
    expect(err('/buy fed-cut yes')).toBe('How much? Give dollars like $25 or a number of shares like 10. Try: /buy fed-cut yes $25  or  /buy fed-cut yes 10 @42c');
    expect(err('/buy fed-cut $25')).toBe('Say which side, yes or no, after the market. Try: /buy fed-cut yes $25  or  /buy fed-cut yes 10 @42c');
    expect(err('/buy fed cut 25')).toMatch(/^Say which side, yes or no, after the market\. Try: \/buy "fed cut" yes \$25/);
    expect(err('/buy yes $25')).toMatch(/^Which market\? Put it before yes\/no\. Try: \/buy fed-cut yes \$25/);
    expect(err('/buy fed-cut no $0')).toMatch(/^The amount must be more than zero \(you wrote "\$0"\)\. Try: \/buy fed-cut no \$25/);
    expect(err('/buy fed-cut yes -5')).toMatch(/^The amount must be more than zero/);
    expect(err('/buy fed-cut yes 1e3')).toMatch(/^I couldn't read "1e3" as an amount/);
    expect(err('/buy fed-cut yes all')).toMatch(/^A buy needs an amount: dollars like \$25 or shares like 10 \("all" works only for \/sell\)\. Try:/);
    expect(err('/buy fed-cut yes 10 @abc')).toBe('I couldn\'t read "@abc" as a price. Write it as 0.42 or 42c. Try: /buy fed-cut yes 10 @42c');
    expect(err('/buy fed-cut yes 10 @')).toMatch(/^The price is missing after "@"/);
    expect(err('/buy fed-cut yes 10 @0')).toMatch(/^A price must be between 1¢ and 99¢/);
    expect(err('/buy fed-cut yes 10 @1.00$')).toMatch(/^I couldn't read "@1.00\$" as a price/);
    expect(err('/buy fed-cut yes 10 @100c')).toMatch(/^A price must be between 1¢ and 99¢ \(0.01 to 0.99\); you wrote "@100c"/);
    expect(err('/buy fed-cut yes 10 @42c @43c')).toMatch(/^Give one price only/);
    expect(err('/buy fed-cut yes $25 on binance')).toBe(
      'I don\'t know the venue "binance"; yesno trades on polymarket and kalshi. Try: /buy fed-cut yes $25 on kalshi',
    );
    expect(err('/buy fed-cut yes $25 on')).toMatch(/^Which venue\? Say "on polymarket" or "on kalshi"\./);
    expect(err('/buy fed-cut yes $25 please')).toMatch(/^I didn't understand "please" after the amount\. Try: \/buy fed-cut yes \$25/);
    expect(err('/buy fed-cut yes @42c')).toMatch(/^How much\? Put the amount \(dollars like \$25, or shares like 10\) before the price\. Try:/);
    expect(err('/buy fed-cut maybe $5')).toMatch(/^"maybe" is not a side: say yes or no after the market\. Try: \/buy fed-cut yes \$25/);
    expect(err('/buy fed cut yse 10')).toMatch(/^"yse" is not a side: say yes or no after the market\. Try: \/buy "fed cut" yes \$25/);
    expect(view(trade('/buy fed-cut yes 10 @ 42 cents')).price).toBe('0.42');
  });
});

describe('sell', () => {
  it('shares, all, limit, venue, aliases /s and /close', () => {
    expect(view(trade('/sell fed-cut yes 10'))).toMatchObject({ name: 'sell', size: '10', price: undefined });
    expect(view(trade('/sell fed-cut no all'))).toMatchObject({ side: 'no', size: 'all' });
    expect(view(trade('/sell fed-cut no all @61c'))).toMatchObject({ size: 'all', price: '0.61' });
    expect(view(trade('/s fed-cut yes 5 @0.6 on kalshi'))).toMatchObject({ name: 'sell', size: '5', price: '0.6', venue: 'kalshi' });
    expect(trade('/close fed-cut yes all').name).toBe('sell');
  });

  it('refuses dollars and explains', () => {
    expect(err('/sell fed-cut yes $5')).toBe('Sell by shares, not dollars: give a number of shares, or all. Try: /sell fed-cut yes 10  or  /sell fed-cut yes all');
    expect(err('/sell fed-cut yes')).toBe('How many shares? Give a number like 10, or all. Try: /sell fed-cut yes 10  or  /sell fed-cut yes all');
    expect(err('/sell')).toMatch(/^What do you want to sell\?/);
  });
});

describe('market links', () => {
  it('Polymarket event and market links give the slugs to look up', () => {
    expect(view(trade('/buy https://polymarket.com/event/fed-decision-in-december/fed-cut-dec-2026 yes $10')).market).toEqual([
      'fed-cut-dec-2026',
      'fed-decision-in-december',
    ]);
    expect(view(trade('/buy https://polymarket.com/event/fed-cut-dec-2026?tid=123 yes $10')).market).toEqual(['fed-cut-dec-2026']);
    expect(view(trade('/buy polymarket.com/market/fed-cut-dec-2026 yes $10')).market).toEqual(['fed-cut-dec-2026']);
    expect(view(trade('/buy https://www.polymarket.com/es/event/fed-cut-dec-2026 yes $10')).market).toEqual(['fed-cut-dec-2026']);
    const c = trade('/buy https://polymarket.com/event/fed-cut-dec-2026 yes $10');
    expect(c.market.link?.venue).toBe('polymarket');
  });

  it('Kalshi links give the ticker (upper-cased), then the series', () => {
    expect(view(trade('/buy https://kalshi.com/markets/kxfedcut/fed-rate-cut/kxfedcut-26dec no 5')).market).toEqual([
      'KXFEDCUT-26DEC',
      'KXFEDCUT',
      'fed rate cut',
    ]);
    expect(view(trade('/buy kalshi.com/events/KXFEDCUT-26DEC yes 1')).market).toEqual(['KXFEDCUT-26DEC']);
    const p = ok('/price https://kalshi.com/markets/kxgta6/gta-vi/kxgta6-26nov');
    expect(p.name === 'price' && p.market.candidates[0]).toBe('KXGTA6-26NOV');
  });

  it('rejects links that do not point at a market, and links mixed with words', () => {
    expect(err('/price https://polymarket.com/leaderboard')).toMatch(/^That Polymarket link doesn't point at a market \(expected polymarket.com\/event\/<market>\)\. Try: \/price fed-cut/);
    expect(err('/buy https://polymarket.com/event/x and more yes $5')).toMatch(/^Give either a market link or words from its title, not both\./);
  });

  it('readMarketRef: plain words pass through as one term', () => {
    const r = readMarketRef(['fed', 'cut']);
    expect(r.ok && r.value).toEqual({ text: 'fed cut', candidates: ['fed cut'] });
  });
});

describe('other commands', () => {
  it('/help, /h, /?, /help <command> with or without slash', () => {
    expect(ok('/help')).toEqual({ name: 'help', topic: undefined });
    expect(ok('/h buy')).toEqual({ name: 'help', topic: 'buy' });
    expect(ok('/? /sell')).toEqual({ name: 'help', topic: 'sell' });
  });

  it('/start ignores a deep-link payload; /positions /pos /pf; /balance /bal', () => {
    expect(ok('/start ref-abc')).toEqual({ name: 'start' });
    expect(ok('/positions')).toEqual({ name: 'positions' });
    expect(ok('/pos')).toEqual({ name: 'positions' });
    expect(ok('/pf')).toEqual({ name: 'positions' });
    expect(ok('/balance')).toEqual({ name: 'balance' });
    expect(ok('/bal')).toEqual({ name: 'balance' });
  });

  it('/markets [words], /m', () => {
    expect(ok('/markets')).toEqual({ name: 'markets', query: undefined });
    expect(ok('/m fed  cut')).toEqual({ name: 'markets', query: 'fed cut' });
    expect(ok('/markets "fed cut"')).toEqual({ name: 'markets', query: 'fed cut' });
  });

  it('/price <market>, /p; missing market', () => {
    const p = ok('/p "fed cut"');
    expect(p.name === 'price' && p.market.candidates).toEqual(['fed cut']);
    expect(err('/price')).toBe('Which market? Try: /price fed-cut  or  /price "fed cut"');
  });

  it('/orders [open|all], /o', () => {
    expect(ok('/orders')).toEqual({ name: 'orders', scope: 'open' });
    expect(ok('/o all')).toEqual({ name: 'orders', scope: 'all' });
    expect(ok('/orders history')).toEqual({ name: 'orders', scope: 'all' });
    expect(err('/orders yesterday')).toBe('I don\'t know "yesterday" here: /orders shows open orders, /orders all shows recent ones too. Try: /orders  or  /orders all');
  });

  it('/order <id> and /cancel <id>: full ids and prefixes of 6+', () => {
    expect(ok('/order 1a2b3c4d')).toEqual({ name: 'order', id: '1a2b3c4d' });
    expect(ok('/order 1A2B3C4D-0000-4000-8000-000000000000')).toEqual({ name: 'order', id: '1a2b3c4d-0000-4000-8000-000000000000' });
    expect(ok('/cancel #1a2b3c')).toEqual({ name: 'cancel', id: '1a2b3c' });
    expect(ok('/c 1a2b3c')).toEqual({ name: 'cancel', id: '1a2b3c' });
    expect(ok('/cancel')).toEqual({ name: 'cancel' });
    expect(err('/order')).toBe('Which order? Order ids are in /orders. Try: /order 1a2b3c4d');
    expect(err('/order 1a2b')).toBe('Give at least 6 characters of the id (you gave "1a2b"). Try: /order 1a2b3c4d');
    expect(err('/cancel xyz123')).toBe('"xyz123" is not an order id (ids look like 1a2b3c4d, as /orders shows them). Try: /cancel 1a2b3c4d');
    expect(err('/cancel 1a2b3c 4d5e6f')).toBe('/cancel takes one id; you gave 2 words. Try: /cancel 1a2b3c4d');
  });

  it('/confirm, /yes, /y, /decline, /no, /n', () => {
    expect(ok('/confirm')).toEqual({ name: 'confirm', id: undefined });
    expect(ok('y')).toEqual({ name: 'confirm', id: undefined });
    expect(ok('YES')).toEqual({ name: 'confirm', id: undefined });
    expect(ok('confirm a1b2c3d4')).toEqual({ name: 'confirm', id: 'a1b2c3d4' });
    expect(ok('n')).toEqual({ name: 'decline', id: undefined });
    expect(ok('/no')).toEqual({ name: 'decline', id: undefined });
  });

  it('empty lines are empty', () => {
    expect(parseCommand('   ').kind).toBe('empty');
  });
});

describe('unknown commands', () => {
  it('suggests the closest command', () => {
    expect(err('/byu fed-cut yes $5')).toBe('I don\'t know /byu. Did you mean /buy? For example: /buy fed-cut yes $25  (/help lists every command)');
    expect(err('/posiitons')).toMatch(/^I don't know \/posiitons\. Did you mean \/positions\?/);
    expect(err('/balanse')).toMatch(/Did you mean \/balance\?/);
    expect(err('/ordr 1a2b3c')).toMatch(/Did you mean \/order\?/);
    expect(err('/marktes')).toMatch(/Did you mean \/markets\?/);
    expect(err('/sel fed-cut yes 1')).toMatch(/Did you mean \/sell\?/);
    expect(err('/xyzzyplugh')).toBe("I don't know /xyzzyplugh. Send /help to see every command.");
  });

  it('edit distance counts transpositions as one', () => {
    expect(editDistance('byu', 'buy')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(suggestCommand('pric')?.name).toBe('price');
  });
});

describe('values', () => {
  it('sizes and prices never pass through JS numbers', () => {
    const s = readSize('$0.1');
    expect(s.ok && s.value.kind === 'usd' && s.value.amount.add('0.2').toFixed()).toBe('0.3');
    const p = readPrice('57.638c');
    expect(p.ok && p.value.toFixed()).toBe('0.57638');
  });
});

describe('help', () => {
  it('lists every visible command with an example, and explains <market>, amounts, confirmations and shortcuts', () => {
    const text = helpOverview();
    for (const spec of COMMANDS.filter((c) => !c.hidden)) expect(text).toContain(`/${spec.name} - `);
    expect(text).toMatch(/<market>: a market id or slug/);
    expect(text).toMatch(/y or n on the next line, also in scripts/);
    expect(text).toMatch(/\/b buy, \/s sell, \/p price, \/pos positions, \/bal balance/);
  });

  it('every command has usage, examples that parse, and /help <command>', () => {
    for (const spec of COMMANDS) {
      expect(spec.usage.length, spec.name).toBeGreaterThan(0);
      expect(spec.examples.length, spec.name).toBeGreaterThan(0);
      for (const ex of spec.examples) expect(parseCommand(ex).kind, ex).toBe('command');
      const h = helpFor(spec.name);
      expect(h.found).toBe(true);
      expect(h.text).toContain('Examples:');
    }
    expect(helpFor('buy').text).toContain('/buy <market> <yes|no> <shares> @<price>');
    expect(helpFor('b').text).toMatch(/^\/buy - /);
  });

  it('/help <unknown> suggests', () => {
    expect(helpFor('sel')).toEqual({ found: false, text: 'There is no /sel command. Did you mean /sell? Try: /help sell' });
  });
});
