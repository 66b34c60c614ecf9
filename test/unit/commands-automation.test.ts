/**
 * Chat commands for snipers and take-profit / stop-loss (issue 5) over the in-memory stub: every
 * form of /snipe, /snipers, /unsnipe, /tp, /sl and "/buy … tp 60c sl 30c"; the confirmation of a
 * sniper; and bad input for each, which must say what was wrong and the right form, and change nothing.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import type { SnipeCommand, TpslCommand } from '../../bots/commands/automation-specs.ts';
import { AUTOMATION_COMMANDS } from '../../bots/commands/automation-specs.ts';
import { durationText, readDateTime, readDuration, worstPrice } from '../../bots/commands/automation.ts';
import type { Command, TradeCommand } from '../../bots/commands/commands.ts';
import { createCommandHandler } from '../../bots/commands/dispatcher.ts';
import { parseCommand } from '../../bots/commands/grammar.ts';
import { helpFor, helpOverview } from '../../bots/commands/help.ts';
import type { ChatContext, Reply } from '../../bots/commands/replies.ts';
import { sniperView } from './automation-stub.ts';
import { createStubServices, position, type StubOptions } from './commands-stub.ts';

const d = (s: string) => new Decimal(s);
const me: ChatContext = { platform: 'telegram', userExternalId: '111', userName: 'ann', chatId: 'chat-1', isGroup: false };
const other: ChatContext = { ...me, userExternalId: '222', userName: 'bob' };

function ok(text: string): Command {
  const r = parseCommand(text);
  if (r.kind !== 'command') throw new Error(`expected a command for ${JSON.stringify(text)}, got ${JSON.stringify(r)}`);
  return r.command;
}

function snipe(text: string): SnipeCommand {
  const c = ok(text);
  if (c.name !== 'snipe') throw new Error(`not a snipe: ${c.name}`);
  return c;
}

function tpsl(text: string): TpslCommand {
  const c = ok(text);
  if (c.name !== 'tp' && c.name !== 'sl') throw new Error(`not tp/sl: ${c.name}`);
  return c;
}

function err(text: string): string {
  const r = parseCommand(text);
  if (r.kind !== 'error') throw new Error(`expected an error for ${JSON.stringify(text)}, got ${JSON.stringify(r)}`);
  return r.message;
}

function setup(opts: StubOptions & { skipConfirm?: boolean } = {}) {
  const services = createStubServices(opts);
  const handler = createCommandHandler({ services, skipConfirm: opts.skipConfirm });
  const say = async (text: string, ctx: ChatContext = me) => handler.handleText(ctx, text);
  const one = async (text: string, ctx: ChatContext = me): Promise<Reply> => {
    const r = await say(text, ctx);
    expect(r).toHaveLength(1);
    return r[0]!;
  };
  const userId = async (ctx: ChatContext = me) => (await services.users.ensureChatUser({ platform: ctx.platform, externalId: ctx.userExternalId, name: ctx.userName })).id;
  const created = () => services.automation.calls.filter((c) => c.method === 'createSniper').length;
  const setCalls = () => services.automation.calls.filter((c) => c.method === 'setTpsl');
  return { services, handler, say, one, userId, created, setCalls };
}

// ---------------------------------------------------------------------------------------------
// Grammar
// ---------------------------------------------------------------------------------------------

describe('/snipe grammar', () => {
  it('reads the full form in any order', () => {
    const c = snipe('/snipe fed-cut yes $25 @42c slippage 3% for 2h repeat on kalshi');
    expect({ market: c.market.candidates, side: c.side, amount: c.amount.toFixed(), trigger: c.triggerPrice.toFixed(), slip: c.slippage?.toFixed(), repeat: c.repeat, venue: c.venue }).toEqual({
      market: ['fed-cut'], side: 'yes', amount: '25', trigger: '0.42', slip: '0.03', repeat: true, venue: 'kalshi',
    });
    expect(c.expiry).toEqual({ kind: 'in', ms: 2 * 3600_000, text: '2h' });
    const d2 = snipe('/snipe fed cut no repeat @0.35 until 2026-12-01 $10.50');
    expect(d2.market.candidates).toEqual(['fed cut']);
    expect(d2.side).toBe('no');
    expect(d2.amount.toFixed()).toBe('10.5');
    expect(d2.triggerPrice.toFixed()).toBe('0.35');
    expect(d2.expiry).toMatchObject({ kind: 'at', at: new Date('2026-12-01T00:00:00Z') });
    expect(d2.slippage).toBeUndefined();
    expect(d2.repeat).toBe(true);
  });

  it('price forms as /buy: 0.42, .42, 42c, 42¢, @ 42 c, at 42c, a bare 42c', () => {
    for (const p of ['@0.42', '@.42', '@42c', '@42¢', '@ 42 c', 'at 42c', '@42', '42c']) {
      expect(snipe(`/snipe fed-cut yes $25 ${p}`).triggerPrice.toFixed()).toBe('0.42');
    }
  });

  it('slippage forms: slippage 3%, slip 3%, 2.5 %, 0%, 50%', () => {
    expect(snipe('/snipe fed-cut yes $25 @42c slippage 3%').slippage?.toFixed()).toBe('0.03');
    expect(snipe('/snipe fed-cut yes $25 @42c slip 3%').slippage?.toFixed()).toBe('0.03');
    expect(snipe('/snipe fed-cut yes $25 @42c slip 2.5 %').slippage?.toFixed()).toBe('0.025');
    expect(snipe('/snipe fed-cut yes $25 @42c slippage 3 percent').slippage?.toFixed()).toBe('0.03');
    expect(snipe('/snipe fed-cut yes $25 @42c slippage 0%').slippage?.toFixed()).toBe('0');
    expect(snipe('/snipe fed-cut yes $25 @42c slippage 50%').slippage?.toFixed()).toBe('0.5');
  });

  it('expiry forms: for 2h, for 30m, expires 30m, for 2 hours, 1h30m, until a date, a date and time, expires <date>', () => {
    expect(snipe('/snipe fed-cut yes $25 @42c for 30m').expiry).toMatchObject({ kind: 'in', ms: 30 * 60_000 });
    expect(snipe('/snipe fed-cut yes $25 @42c expires 30m').expiry).toMatchObject({ kind: 'in', ms: 30 * 60_000 });
    expect(snipe('/snipe fed-cut yes $25 @42c for 2 hours').expiry).toMatchObject({ kind: 'in', ms: 2 * 3600_000 });
    expect(snipe('/snipe fed-cut yes $25 @42c for 1h30m').expiry).toMatchObject({ kind: 'in', ms: 90 * 60_000 });
    expect(snipe('/snipe fed-cut yes $25 @42c for 3d').expiry).toMatchObject({ kind: 'in', ms: 3 * 86_400_000 });
    expect(snipe('/snipe fed-cut yes $25 @42c until 2026-12-01T18:00Z').expiry).toMatchObject({ kind: 'at', at: new Date('2026-12-01T18:00:00Z') });
    expect(snipe('/snipe fed-cut yes $25 @42c until 2026-12-01 18:00 UTC').expiry).toMatchObject({ kind: 'at', at: new Date('2026-12-01T18:00:00Z') });
    expect(snipe('/snipe fed-cut yes $25 @42c until 2026-12-01T18:00+02:00').expiry).toMatchObject({ kind: 'at', at: new Date('2026-12-01T16:00:00Z') });
    expect(snipe('/snipe fed-cut yes $25 @42c expires 2026-12-01').expiry).toMatchObject({ kind: 'at', at: new Date('2026-12-01T00:00:00Z') });
  });

  it('cancel and list forms, aliases', () => {
    expect(ok('/snipe cancel 1a2b3c4d')).toEqual({ name: 'unsnipe', id: '1a2b3c4d' });
    expect(ok('/snipe stop #1A2B3C4D')).toEqual({ name: 'unsnipe', id: '1a2b3c4d' });
    expect(ok('/unsnipe 1a2b3c4d')).toEqual({ name: 'unsnipe', id: '1a2b3c4d' });
    expect(ok('/snipe list')).toEqual({ name: 'snipers', scope: 'active' });
    expect(ok('/snipers')).toEqual({ name: 'snipers', scope: 'active' });
    expect(ok('/snipes')).toEqual({ name: 'snipers', scope: 'active' });
    expect(ok('/snipers all')).toEqual({ name: 'snipers', scope: 'all' });
    expect(ok('/snipers 1a2b3c4d')).toEqual({ name: 'snipers', scope: 'all', id: '1a2b3c4d' });
    expect(ok('/sniper fed-cut yes $5 @40c').name).toBe('snipe');
  });

  it('helpers: durations, dates, worst price', () => {
    expect(readDuration('2h')).toBe(7_200_000);
    expect(readDuration('soon')).toBeNull();
    expect(readDuration('2x')).toBeNull();
    expect(readDateTime('2026-02-30')).toBeNull();
    expect(readDateTime('2026-12-01T25:00')).toBeNull();
    expect(durationText(2 * 86_400_000 + 4 * 3600_000)).toBe('2d 4h');
    expect(durationText(90 * 60_000)).toBe('1h 30m');
    expect(worstPrice(d('0.42'), d('0.02')).toFixed()).toBe('0.4284');
  });

  const bad: [string, RegExp][] = [
    ['/snipe', /^What should the sniper buy\? Give the market, yes or no, the \$ amount and the @trigger price\. Try: \/snipe fed-cut yes \$25 @42c/],
    ['/snipe fed-cut $25 @42c', /^Say which side to buy, yes or no, after the market\. Try: \/snipe fed-cut yes \$25 @42c/],
    ['/snipe yes $25 @42c', /^Which market\? Put it before yes\/no\./],
    ['/snipe fed-cut yes @42c', /^How much should it spend when it fires\? Give dollars like \$25\. Try: \/snipe fed-cut yes \$25 @42c$/],
    ['/snipe fed-cut yes $25', /^At what price should it buy\? Add the trigger price: @42c fires when the ask is 42¢ or lower\. Try: \/snipe fed-cut yes \$25 @42c$/],
    ['/snipe fed-cut yes', /^How much, and at what price\?/],
    // trigger outside 0–1
    ['/snipe fed-cut yes $25 @1.2', /^"@1\.2" is not a price between 0 and 1\. Write dollars below \$1 like 0\.42, or cents like 1\.2c\. Try: \/snipe fed-cut yes \$25 @42c$/],
    ['/snipe fed-cut yes $25 @$1.50', /A price must be between 1¢ and 99¢ \(0\.01 to 0\.99\); you wrote "@\$1\.50"/],
    ['/snipe fed-cut yes $25 @100', /A price must be between 1¢ and 99¢/],
    ['/snipe fed-cut yes $25 @120c', /A price must be between 1¢ and 99¢/],
    ['/snipe fed-cut yes $25 @0', /A price must be between 1¢ and 99¢/],
    ['/snipe fed-cut yes $25 @-0.4', /A price must be between 1¢ and 99¢/],
    ['/snipe fed-cut yes $25 @cheap', /I couldn't read "@cheap" as a price\. Write it as 0\.42 or 42c\./],
    ['/snipe fed-cut yes $25 @', /The price is missing after "@"/],
    ['/snipe fed-cut yes $25 @42c @40c', /^Give one trigger price only\./],
    // negative / zero / non-dollar amounts
    ['/snipe fed-cut yes $-5 @42c', /^The amount must be more than zero \(you wrote "\$-5"\)\. Try: \/snipe fed-cut yes \$25 @42c$/],
    ['/snipe fed-cut yes -$5 @42c', /^The amount must be more than zero \(you wrote "-\$5"\)/],
    ['/snipe fed-cut yes $0 @42c', /^The amount must be more than zero \(you wrote "\$0"\)/],
    ['/snipe fed-cut yes 25 @42c', /^A sniper spends dollars: write the amount as \$25 \(a plain number would be shares\)\./],
    ['/snipe fed-cut yes 10 shares @42c', /^A sniper spends dollars/],
    ['/snipe fed-cut yes $25 0.42', /^Put @ before the trigger price \(@0\.42\), and give the amount in dollars like \$25\./],
    ['/snipe fed-cut yes $abc @42c', /I couldn't read "\$abc" as an amount/],
    ['/snipe fed-cut yes $25 $30 @42c', /^Give one amount only\./],
    // slippage
    ['/snipe fed-cut yes $25 @42c slippage 60%', /^Slippage can be at most 50% \(you wrote "60%"\)\. Try: \/snipe fed-cut yes \$25 @42c slippage 3% for 2h$/],
    ['/snipe fed-cut yes $25 @42c slippage 50.01%', /^Slippage can be at most 50%/],
    ['/snipe fed-cut yes $25 @42c slippage -1%', /^Slippage can't be negative \(you wrote "-1%"\); use 0% for no worse than the trigger\./],
    ['/snipe fed-cut yes $25 @42c slip 3', /^Write slippage as a percentage: "3%" \(you wrote "3"\)\./],
    ['/snipe fed-cut yes $25 @42c slippage lots', /^I couldn't read "lots" as slippage\. Write it as a percentage such as 3%\./],
    ['/snipe fed-cut yes $25 @42c slippage 2.555%', /^Slippage has at most 2 decimal places, e.g\. 2\.5%/],
    ['/snipe fed-cut yes $25 @42c slippage', /^How much slippage\? Write it as a percentage, e\.g\. slippage 3%\./],
    ['/snipe fed-cut yes $25 @42c slip 2% slip 3%', /^Give the slippage once\./],
    // expiry
    ['/snipe fed-cut yes $25 @42c for 0m', /^An expiry must be at least 1 minute away \(you wrote "0m"\)\./],
    ['/snipe fed-cut yes $25 @42c for 30s', /^An expiry must be at least 1 minute away/],
    ['/snipe fed-cut yes $25 @42c for 400d', /^An expiry can be at most a year away \(you wrote "400d"\); leave it out for no expiry\./],
    ['/snipe fed-cut yes $25 @42c for -2h', /^A duration can't be negative/],
    ['/snipe fed-cut yes $25 @42c for ever', /^I couldn't read "ever" as a duration\. Write it like 30m, 2h, 3d or 1w/],
    ['/snipe fed-cut yes $25 @42c until tomorrow', /^I couldn't read "tomorrow" as a date\. Write it as 2026-12-01 or 2026-12-01T18:00Z \(UTC\), or a duration like for 2h\./],
    ['/snipe fed-cut yes $25 @42c until 2026-02-30', /^I couldn't read "2026-02-30" as a date/],
    ['/snipe fed-cut yes $25 @42c until 12/01/2026', /^I couldn't read "12\/01\/2026" as a date/],
    ['/snipe fed-cut yes $25 @42c for', /^When should it expire\? Say for 2h, for 30m, until 2026-12-01 or until 2026-12-01T18:00Z\./],
    ['/snipe fed-cut yes $25 @42c for 2h until 2026-12-01', /^Give one expiry only\./],
    // venue and stray words
    ['/snipe fed-cut yes $25 @42c on nyse', /^I don't know the venue "nyse"; yesno trades on polymarket and kalshi\. Try: \/snipe fed-cut yes \$25 @42c on kalshi$/],
    ['/snipe fed-cut yes $25 @42c on', /^Which venue\? Say "on polymarket" or "on kalshi"\./],
    ['/snipe fed-cut yes $25 @42c now please', /^I didn't understand "now please"\. Try: \/snipe fed-cut yes \$25 @42c/],
    // ids
    ['/snipe cancel', /^Which sniper\? Give its id from \/snipers\. Try: \/snipe cancel 1a2b3c4d$/],
    ['/unsnipe', /^Which sniper\? Give its id from \/snipers\. Try: \/unsnipe 1a2b3c4d$/],
    ['/unsnipe 123', /^Give at least 6 characters of the sniper id \(you gave "123"\)\. Try: \/unsnipe 1a2b3c4d$/],
    ['/unsnipe xyz-not-an-id', /^"xyz-not-an-id" is not a sniper id \(ids look like 1a2b3c4d, as \/snipers shows them\)\./],
    ['/unsnipe 1a2b3c4d 5e6f7a8b', /^\/unsnipe takes one sniper id; you gave 2 words\./],
    ['/unsnipe ' + 'a'.repeat(37), /is not a sniper id/],
    ['/snipers 12', /^Give at least 6 characters of the sniper id \(you gave "12"\)\. Try: \/snipers 1a2b3c4d$/],
    ['/snipers foo', /^I don't know "foo" here: \/snipers shows the watching ones, \/snipers all every one, \/snipers <id> one in detail\./],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(err(text)).toMatch(message);
    });
  }
});

describe('/tp and /sl grammar', () => {
  it('market and side, a level or off, a venue; or a position id with or without the side', () => {
    expect(tpsl('/tp fed-cut yes @60c')).toMatchObject({ name: 'tp', target: { kind: 'market', side: 'yes' }, price: d('0.6') });
    expect(tpsl('/tp fed cut yes 0.6').price?.toFixed()).toBe('0.6');
    expect(tpsl('/sl fed-cut no at 30 c')).toMatchObject({ name: 'sl', target: { kind: 'market', side: 'no' }, price: d('0.3') });
    expect(tpsl('/tp fed-cut yes off').price).toBeNull();
    expect(tpsl('/sl fed-cut yes clear').price).toBeNull();
    expect(tpsl('/tp fed-cut yes @60c on kalshi').target).toMatchObject({ kind: 'market', venue: 'kalshi' });
    expect(tpsl('/tp #1A2B3C4D @60c')).toMatchObject({ target: { kind: 'position', id: '1a2b3c4d' }, price: d('0.6') });
    expect(tpsl('/sl 1a2b3c4d yes off')).toMatchObject({ target: { kind: 'position', id: '1a2b3c4d', side: 'yes' }, price: null });
    expect(ok('/takeprofit fed-cut yes 60c').name).toBe('tp');
    expect(ok('/stoploss fed-cut yes 30c').name).toBe('sl');
  });

  const bad: [string, RegExp][] = [
    ['/tp', /^Which position, and at what price\? Give the market and side \(or a position id from \/positions\) and @<price>, or off to remove the take-profit\. Try: \/tp fed-cut yes @60c  or  \/tp fed-cut yes off  or  \/tp #1a2b3c4d @60c$/],
    ['/tp fed-cut yes', /^At what price\? Give @<price> to set the take-profit, or off to remove it\. Try: \/tp fed-cut yes @60c  or  \/tp fed-cut yes off$/],
    ['/sl fed-cut yes', /^At what price\? Give @<price> to set the stop-loss, or off to remove it\. Try: \/sl fed-cut yes @30c/],
    ['/tp fed-cut @60c', /^Say which side you hold, yes or no, after the market \(or give the position id from \/positions\)\./],
    ['/tp yes @60c', /^Which market\? Put it before yes\/no/],
    ['/tp fed-cut yes @1.5', /^"@1\.5" is not a price between 0 and 1\. Write dollars below \$1 like 0\.42, or cents like 1\.5c\. Try: \/tp fed-cut yes @60c$/],
    ['/tp fed-cut yes @0', /A price must be between 1¢ and 99¢/],
    ['/sl fed-cut yes @-0.3', /A price must be between 1¢ and 99¢/],
    ['/tp fed-cut yes @120c', /A price must be between 1¢ and 99¢/],
    ['/tp fed-cut yes 1.2', /^"1\.2" is not a price between 0 and 1/],
    ['/tp fed-cut yes @60c @70c', /^Give one level only: a price, or off\./],
    ['/tp fed-cut yes @60c off', /^Give one level only: a price, or off\./],
    ['/tp fed-cut yes @60c on nyse', /^I don't know the venue "nyse"/],
    ['/tp fed-cut yes @60c please', /^I didn't understand "please"\. Try: \/tp fed-cut yes @60c  or  \/tp fed-cut yes off$/],
    ['/tp #1a2b3c4d @60c on kalshi', /^A position id already says which venue; leave out "on …"\./],
    ['/tp #zzzzzz @60c', /^"#zzzzzz" is not a position id \(ids look like 1a2b3c4d, as \/positions shows them\)\. Try: \/tp #1a2b3c4d @60c$/],
    ['/sl #123 @30c', /^Give at least 6 characters of the position id \(you gave "#123"\)\. Try: \/sl #1a2b3c4d @30c$/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(err(text)).toMatch(message);
    });
  }
});

describe('/buy … tp … sl … grammar', () => {
  function buy(text: string): TradeCommand {
    const c = ok(text);
    if (c.name !== 'buy') throw new Error(c.name);
    return c;
  }
  it('reads tp and sl after the amount, in any order, with the /buy price forms', () => {
    const c = buy('/buy fed-cut yes $25 tp 60c sl 30c');
    expect([c.takeProfit?.toFixed(), c.stopLoss?.toFixed()]).toEqual(['0.6', '0.3']);
    const e = buy('/buy fed-cut yes 10 @42c sl @0.3 on kalshi tp 0.6');
    expect([e.price?.toFixed(), e.takeProfit?.toFixed(), e.stopLoss?.toFixed(), e.venue]).toEqual(['0.42', '0.6', '0.3', 'kalshi']);
    expect(buy('/buy fed-cut yes $25 take-profit 60 c').takeProfit?.toFixed()).toBe('0.6');
    expect(buy('/buy fed-cut yes $25').takeProfit).toBeUndefined();
  });
  const bad: [string, RegExp][] = [
    ['/buy fed-cut yes $25 tp', /^The take-profit price is missing after "tp"\. Write it as tp 60c or tp 0\.6\. Try: \/buy fed-cut yes \$25 tp 60c sl 30c$/],
    ['/buy fed-cut yes $25 sl 1.5', /^stop-loss: "1\.5" is not a price between 0 and 1/],
    ['/buy fed-cut yes $25 tp 120c', /^take-profit: A price must be between 1¢ and 99¢/],
    ['/buy fed-cut yes $25 tp 30c sl 60c', /^The take-profit \(tp\) must be above the stop-loss \(sl\)\. Try: \/buy fed-cut yes \$25 tp 60c sl 30c$/],
    ['/buy fed-cut yes $25 tp 60c tp 70c', /^Give tp once\./],
    ['/buy fed-cut yes 10 @42c tp 40c', /^The take-profit \(tp\) must be above the price you buy at\./],
    ['/buy fed-cut yes 10 @42c sl 45c', /^The stop-loss \(sl\) must be below the price you buy at\./],
    ['/sell fed-cut yes 10 tp 60c', /^tp and sl go with \/buy; to change them on what you hold, use \/tp and \/sl\. Try: \/tp fed-cut yes @60c  or  \/sl fed-cut yes @30c$/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(err(text)).toMatch(message);
    });
  }
});

describe('/help', () => {
  it('has each automation command with forms and runnable examples; every example parses', () => {
    for (const spec of AUTOMATION_COMMANDS) {
      const h = helpFor(spec.name);
      expect(h.found).toBe(true);
      expect(h.text).toContain('Examples:');
      for (const ex of spec.examples) {
        expect(h.text).toContain(ex);
        expect(parseCommand(ex).kind, ex).toBe('command');
      }
    }
    const overview = helpOverview();
    for (const n of ['snipe', 'snipers', 'unsnipe', 'tp', 'sl']) expect(overview).toMatch(new RegExp(`^/${n} - `, 'm'));
  });

  it('/help snipe says it asks to confirm and why', () => {
    const t = helpFor('snipe').text;
    expect(t).toMatch(/answer Confirm or Cancel within 60 seconds/);
    expect(t).toMatch(/Nothing is spent when you arm it/);
    expect(t).toMatch(/worst price = trigger × \(1 \+ slippage\); default 2%, at most 50%/);
    expect(helpFor('buy').text).toContain('/buy fed-cut yes $25 tp 60c sl 30c');
  });
});

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

describe('/snipe: summary, confirmation, creation', () => {
  it('shows trigger, worst price, amount, expiry and repeat; arms nothing until Confirm; Confirm arms exactly one', async () => {
    const t = setup();
    const r = await t.one('/snipe fed-cut yes $25 @42c slippage 3% for 2h repeat');
    expect(r.kind).toBe('confirm');
    expect(r.text).toMatch(/^Arm this sniper\? Buy \$25\.00 of YES when the YES ask is 42¢ or lower\n  Fed cuts rates in December\?\n/);
    expect(r.text).toContain('trigger 42¢ · worst price 43¢ [43.26¢ rounded down to the 1¢ tick] (3% slippage)');
    expect(r.text).toContain('amount $25.00, spent only when it fires · on whichever venue has the lowest ask');
    expect(r.text).toMatch(/expires \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(in 2h\)/);
    expect(r.text).toContain('repeats: after each fill it re-arms once the ask has risen back above the trigger');
    expect(r.text).toContain('YES ask now: polymarket 43¢ · kalshi 44¢');
    expect(r.text).toMatch(/Nothing is spent now\. Confirm within 60s to arm it, or cancel\.$/);
    expect(r.buttons?.[0]?.map((b) => b.label)).toEqual(['Confirm', 'Cancel']);
    expect(t.created()).toBe(0);

    const [a, b] = await Promise.all([t.say('/confirm'), t.handler.handleButton(me, r.buttons![0]![0]!.id)]);
    expect(t.created()).toBe(1);
    const s = t.services.automation.snipers[0]!;
    expect(s).toMatchObject({ side: 'yes', marketId: 'mkt-fed', repeat: true, userId: await t.userId() });
    expect([s.triggerPrice.toFixed(), s.amount.toFixed(), s.slippage.toFixed()]).toEqual(['0.42', '25', '0.03']);
    expect(Math.abs(s.expiresAt!.getTime() - (Date.now() + 2 * 3600_000))).toBeLessThan(10_000);
    const texts = [...a!, ...b].map((x) => x.text).join('\n');
    expect(texts).toContain(`Sniper ${s.id.slice(0, 8)} armed: buy $25.00 of YES when the ask is ≤ 42¢ (worst 43.26¢).`);
    expect(texts).toMatch(/Already confirmed; nothing new was placed\./);
  });

  it('defaults: 2% slippage, no expiry, fires once, any venue; "on kalshi" restricts; the ask already at the trigger is pointed out', async () => {
    const t = setup();
    const r = await t.one('/snipe fed-cut no $10 @0.60 on kalshi');
    expect(r.text).toContain('worst price 61¢ [61.2¢ rounded down to the 1¢ tick] (2% slippage, the default');
    expect(r.text).toContain('no expiry: it watches until it fires or you /unsnipe it');
    expect(r.text).toContain('fires once');
    expect(r.text).toContain('on kalshi only');
    expect(r.text).toContain('NO ask now: kalshi 60¢');
    expect(r.text).toContain('note: the ask is already at or below the trigger, so it would fire on the next price update');
    await t.say('y');
    const s = t.services.automation.snipers[0]!;
    expect(s.exchange).toBe('kalshi');
    const input = t.services.automation.calls[0]!.args as Record<string, unknown>;
    expect(input.slippage).toBeUndefined();
    expect(input.expiresAt).toBeUndefined();
    expect(input.repeat).toBe(false);
  });

  it('Cancel (typed or button) arms nothing; an expired confirmation arms nothing', async () => {
    const t = setup();
    const r = await t.one('/snipe fed-cut yes $25 @42c');
    const c = await t.one(`/cancel ${r.buttons![0]![1]!.command!.split(' ')[1]}`);
    expect(c.text).toBe('Cancelled; nothing was placed. (/snipe fed-cut yes $25 @42c)');
    await t.one('/snipe fed-cut yes $25 @42c');
    await t.handler.handleButton(me, (await t.one('/snipe fed-cut yes $26 @42c')).buttons![0]![1]!.id);
    expect(t.created()).toBe(0);
  });

  it('someone else cannot confirm my sniper', async () => {
    const t = setup();
    const r = await t.one('/snipe fed-cut yes $25 @42c');
    const x = await t.handler.handleButton({ ...other, chatId: me.chatId }, r.buttons![0]![0]!.id);
    expect(x[0]!.text).toMatch(/belongs to someone else/);
    expect(t.created()).toBe(0);
  });

  it('without confirmation (skipConfirm, or under the user\'s skip threshold) it arms at once', async () => {
    const t = setup({ skipConfirm: true });
    const r = await t.one('/snipe fed-cut yes $25 @42c until 2030-01-01 repeat');
    expect(r.kind).toBe('text');
    expect(r.text).toMatch(/^Sniper [0-9a-f]{8} armed: buy \$25\.00 of YES when the ask is ≤ 42¢ \(worst 42\.84¢\)\.\n  Fed cuts rates in December\?\n  expires 2030-01-01 00:00 UTC · repeats after each fill\nYou'll get a message when it fires\. \/snipers lists yours; \/unsnipe [0-9a-f]{8} cancels it\.$/);
    const u = setup({ skipConfirmBelowUsd: d('30') });
    expect((await u.one('/snipe fed-cut yes $25 @42c')).kind).toBe('text');
    expect((await u.one('/snipe fed-cut yes $35 @42c')).kind).toBe('confirm');
    expect(u.created()).toBe(1);
  });

  const refused: [string, RegExp][] = [
    ['/snipe nothing-like-this yes $25 @42c', /^No market matches "nothing-like-this"\. Try \/markets to search\.$/],
    ['/snipe fed yes $25 @42c', /matches 2 markets.*Use the market id\./],
    ['/snipe fed-hike-jan yes $25 @42c', /^Fed hikes rates in January\? is closed; a sniper needs an open market\. Find one with \/markets\.$/],
    ['/snipe btc-100k yes $25 @42c on kalshi', /^Bitcoin above \$100k on Dec 31\? is not listed on kalshi; it trades on polymarket\. Leave out "on <venue>" and yesno picks a venue that lists it\.$/],
    ['/snipe fed-cut yes $25 @42c until 2020-01-01', /^That expiry \(2020-01-01 00:00 UTC\) is already past; it is .* UTC now\. Give a later one, e\.g\. \/snipe fed-cut yes \$25 @42c for 2h$/],
    ['/snipe fed-cut yes $0.30 @42c', /^\$0\.30 at 42¢ buys about 0\.71 shares; this market's minimum is 1 shares \(at least \$0\.42 at that price\)\. Try: \/snipe fed-cut yes \$2 @42c/],
  ];
  for (const [text, message] of refused) {
    it(`refuses ${JSON.stringify(text)} before asking to confirm, and arms nothing`, async () => {
      const t = setup();
      const r = await t.one(text);
      expect(r.kind).toBe('error');
      expect(r.text).toMatch(message);
      expect(t.created()).toBe(0);
      expect(t.handler.confirmations.size).toBe(0);
    });
  }

  it('refuses an amount above the user\'s maximum order', async () => {
    const t = setup();
    const userId = await t.userId();
    const u = (await t.services.users.get(userId))!;
    u.maxOrderUsd = d('100');
    const r = await t.one('/snipe fed-cut yes $250 @42c');
    expect(r.text).toBe('$250.00 is above your maximum order of $100.00; a sniper places one order for its whole amount. Try a smaller amount.');
    expect(t.created()).toBe(0);
  });

  it('a refusal from the service on Confirm is shown and arms nothing', async () => {
    const t = setup();
    await t.one('/snipe fed-cut yes $25 @42c');
    t.services.automation.createSniper = async () => {
      const { TradingError } = await import('../../core/trading/types.ts');
      throw new TradingError('trading_halted', 'Trading is halted: maintenance.');
    };
    const r = await t.one('y');
    expect(r.kind).toBe('error');
    expect(r.text).toBe('Trading is halted: maintenance. The sniper was not armed.');
    expect(t.services.automation.snipers).toHaveLength(0);
  });
});

describe('/snipers and /unsnipe', () => {
  async function seeded() {
    const t = setup();
    const userId = await t.userId();
    const watching = sniperView({ userId, id: 'aaaa1111-0000-4000-8000-000000000001', marketId: 'mkt-fed', marketTitle: 'Fed cuts rates in December?', expiresAt: new Date('2026-12-01T00:00:00Z'), repeat: true });
    const filled = sniperView({
      userId,
      id: 'bbbb2222-0000-4000-8000-000000000002',
      status: 'FILLED',
      fireCount: 1,
      orderIds: ['cccc3333-0000-4000-8000-000000000003'],
      exchange: 'kalshi',
    });
    const twin = sniperView({ userId, id: 'aaaa1112-0000-4000-8000-000000000004' });
    const foreign = sniperView({ userId: 'someone-else', id: 'dddd4444-0000-4000-8000-000000000005' });
    t.services.automation.snipers.push(watching, filled, twin, foreign);
    return { t, watching, filled, twin, foreign };
  }

  it('/snipers lists the watching ones; /snipers all every one; /snipers <id> one with its orders', async () => {
    const { t } = await seeded();
    const list = await t.one('/snipers');
    expect(list.text.split('\n')).toEqual([
      'Your snipers (2 watching):',
      'aaaa1111  watching  YES ≤ 42¢ · $25.00 · slip 2% · expires 2026-12-01 00:00 UTC · repeat · Fed cuts rates in December?',
      'aaaa1112  watching  YES ≤ 42¢ · $25.00 · slip 2% · Will the Fed cut rates in December?',
      'Details: /snipers aaaa1111 · cancel: /unsnipe aaaa1111',
    ]);
    expect(list.ephemeral).toBe(true);
    const all = await t.one('/snipers all');
    expect(all.text).toContain('bbbb2222  filled    YES ≤ 42¢ · $25.00 · slip 2% · on kalshi · fired 1×');
    expect(all.text).not.toContain('dddd4444');
    const one = await t.one('/snipers bbbb22');
    expect(one.text).toContain('Sniper bbbb2222 · filled');
    expect(one.text).toContain('orders: cccc3333 (/order cccc3333)');
  });

  it('/unsnipe <prefix> cancels a watching one; nothing else changes', async () => {
    const { t, watching, twin } = await seeded();
    const r = await t.one('/unsnipe aaaa1111');
    expect(r.text).toBe('Sniper aaaa1111 cancelled; it will not buy. (It was: buy $25.00 of YES when the ask is ≤ 42¢ (worst 42.84¢), Fed cuts rates in December?.)');
    expect(watching.status).toBe('CANCELLED');
    expect(twin.status).toBe('WATCHING');
    const again = await t.one('/snipe cancel aaaa1111-0000-4000-8000-000000000001');
    expect(again.text).toBe('Sniper aaaa1111 is cancelled; it can no longer be cancelled.');
  });

  const refused: [string, RegExp][] = [
    ['/unsnipe bbbb2222', /^Sniper bbbb2222 is filled; it can no longer be cancelled\.$/],
    ['/unsnipe aaaa11', /^"aaaa11" matches 2 of your snipers \(aaaa1111-000, aaaa1112-000…\); give more characters of the id\./],
    ['/unsnipe dddd4444', /^You have no sniper whose id starts with "dddd4444"\. \/snipers all lists yours\.$/],
    ['/unsnipe eeee5555', /^You have no sniper whose id starts with "eeee5555"\./],
    ['/snipers dddd4444', /^You have no sniper whose id starts with "dddd4444"/],
  ];
  for (const [text, message] of refused) {
    it(`refuses ${JSON.stringify(text)} and changes nothing`, async () => {
      const { t, watching, filled, twin, foreign } = await seeded();
      const r = await t.one(text);
      expect(r.kind).toBe('error');
      expect(r.text).toMatch(message);
      expect([watching.status, filled.status, twin.status, foreign.status]).toEqual(['WATCHING', 'FILLED', 'WATCHING', 'WATCHING']);
    });
  }

  it('an empty list says how to arm one', async () => {
    const t = setup();
    expect((await t.one('/snipers')).text).toBe('No snipers are watching. Arm one: /snipe fed-cut yes $25 @42c  (/snipers all shows earlier ones)');
    expect((await t.one('/snipers all')).text).toBe('You have no snipers yet. Arm one: /snipe fed-cut yes $25 @42c');
  });
});

describe('/tp and /sl', () => {
  function withPositions() {
    const t = setup();
    const fed = position({ marketId: 'mkt-fed', side: 'yes', quantity: d('100'), exchange: 'polymarket', id: '1a2b3c4d-0000-4000-8000-000000000001' });
    const btcP = position({ marketId: 'mkt-btc', side: 'yes', quantity: d('10'), exchange: 'polymarket', id: '2b3c4d5e-0000-4000-8000-000000000002' });
    const btcK = position({ marketId: 'mkt-btc', side: 'yes', quantity: d('5'), exchange: 'kalshi', id: '3c4d5e6f-0000-4000-8000-000000000003' });
    t.services.positions.push(fed, btcP, btcK);
    return { t, fed, btcP, btcK };
  }

  it('sets and clears by market and side, and by position id; /positions shows the ids', async () => {
    const { t, fed } = withPositions();
    expect((await t.one('/positions')).text).toContain('Fed cuts rates in December? - YES on polymarket · #1a2b3c4d');
    const r = await t.one('/tp fed-cut yes @60c');
    expect(r.text).toBe(
      [
        'Take-profit set at 60¢ on your 100.00 YES shares of Fed cuts rates in December? on polymarket: they sell when the bid rises to 60¢ or higher.',
        'Bid now 45¢.',
        'Now: take-profit 60¢ · stop-loss none (position #1a2b3c4d).',
      ].join('\n'),
    );
    expect(fed.takeProfitPrice?.toFixed()).toBe('0.6');
    await t.one('/sl #1a2b3c @0.3');
    expect(fed.stopLossPrice?.toFixed()).toBe('0.3');
    const off = await t.one('/tp fed-cut yes off');
    expect(off.text).toBe('Take-profit removed from your 100.00 YES shares of Fed cuts rates in December? on polymarket.\nNow: take-profit none · stop-loss 30¢ (position #1a2b3c4d).');
    expect(fed.takeProfitPrice).toBeNull();
    expect(t.setCalls().map((c) => c.args)).toEqual([
      { userId: expect.any(String), positionId: fed.id, takeProfitPrice: d('0.6') },
      { userId: expect.any(String), positionId: fed.id, stopLossPrice: d('0.3') },
      { userId: expect.any(String), positionId: fed.id, takeProfitPrice: null },
    ]);
  });

  it('held on two venues: asks which, with both commands; "on kalshi" picks one', async () => {
    const { t, btcP, btcK } = withPositions();
    const r = await t.one('/tp btc-100k yes @70c');
    expect(r.kind).toBe('error');
    expect(r.text).toBe(
      'You hold YES of Bitcoin above $100k on Dec 31? on polymarket (10.00 shares) and kalshi (5.00 shares). Say which: /tp btc-100k yes @70c on polymarket  or  /tp btc-100k yes @70c on kalshi',
    );
    expect(t.setCalls()).toHaveLength(0);
    await t.one('/tp btc-100k yes @70c on kalshi');
    expect(btcK.takeProfitPrice?.toFixed()).toBe('0.7');
    expect(btcP.takeProfitPrice).toBeNull();
  });

  const refused: [string, RegExp][] = [
    ['/tp nyc-rain yes @50c', /^You hold no YES shares of Rain in NYC tomorrow\?, so there is nothing for a take-profit to sell\. See \/positions, or set it when buying: \/buy nyc-rain yes \$25 tp 60c$/],
    ['/sl fed-cut no @30c', /^You hold no NO shares of Fed cuts rates in December\?, so there is nothing for a stop-loss to sell\. You hold YES on polymarket there\./],
    ['/tp fed-cut yes @60c on kalshi', /^You hold no YES shares of Fed cuts rates in December\? on kalshi/],
    ['/tp nothing-like-this yes @60c', /^No market matches "nothing-like-this"\./],
    ['/tp #ffffff00 @60c', /^You have no open position whose id starts with "ffffff00"\. \/positions shows yours with their ids\.$/],
    ['/tp #1a2b3c4d no @60c', /^Position #1a2b3c4d is YES, not NO\. Try: \/tp #1a2b3c4d @60c$/],
  ];
  for (const [text, message] of refused) {
    it(`refuses ${JSON.stringify(text)}; no level changes`, async () => {
      const { t, fed, btcP, btcK } = withPositions();
      const r = await t.one(text);
      expect(r.kind).toBe('error');
      expect(r.text).toMatch(message);
      expect(t.setCalls()).toHaveLength(0);
      for (const p of [fed, btcP, btcK]) expect([p.takeProfitPrice, p.stopLossPrice]).toEqual([null, null]);
    });
  }

  it('take-profit must stay above the stop-loss (and the other way round); nothing changes', async () => {
    const { t, fed } = withPositions();
    fed.stopLossPrice = d('0.4');
    const r = await t.one('/tp fed-cut yes @35c');
    expect(r.text).toBe('A take-profit of 35¢ must be above your stop-loss of 40¢ on this position. Pick a higher price, or move the stop-loss first with /sl.');
    fed.stopLossPrice = null;
    fed.takeProfitPrice = d('0.6');
    const s = await t.one('/sl fed-cut yes @65c');
    expect(s.text).toBe('A stop-loss of 65¢ must be below your take-profit of 60¢ on this position. Pick a lower price, or move the take-profit first with /tp.');
    expect(t.setCalls()).toHaveLength(0);
  });

  it("someone else's position is not found (its id gives nothing away)", async () => {
    const { t, fed } = withPositions();
    const real = t.services.trading.listPositions;
    const bobId = await t.userId(other);
    t.services.trading.listPositions = async (args) => (args.userId === bobId ? [] : real(args));
    const r = await t.one('/tp #1a2b3c4d @60c', other);
    expect(r.text).toBe('You have no open position whose id starts with "1a2b3c4d". /positions shows yours with their ids.');
    expect(fed.takeProfitPrice).toBeNull();
    expect(t.setCalls()).toHaveLength(0);
  });
});

describe('/buy … tp … sl …', () => {
  it('the quote says what will be set; after the fill both levels are set on the position and the reply says so', async () => {
    const t = setup();
    const fed = position({ marketId: 'mkt-fed', side: 'yes', quantity: d('58.13'), exchange: 'polymarket', id: '1a2b3c4d-0000-4000-8000-000000000001' });
    t.services.positions.push(fed);
    const q = await t.one('/buy fed-cut yes $25 tp 60c sl 30c');
    expect(q.kind).toBe('confirm');
    expect(q.text).toMatch(/\n  after it fills: take-profit 60¢ and stop-loss 30¢ on the position\nConfirm within 60s, or cancel\.$/);
    expect(t.setCalls()).toHaveLength(0);
    const r = await t.one('y');
    expect(r.text).toMatch(/^Bought 58\.13 YES at avg 43¢ on polymarket/);
    expect(r.text).toMatch(/\nSet on your 58\.13 YES shares on polymarket: take-profit 60¢ · stop-loss 30¢ \(position #1a2b3c4d\)\.$/);
    expect([fed.takeProfitPrice?.toFixed(), fed.stopLossPrice?.toFixed()]).toEqual(['0.6', '0.3']);
    expect(t.setCalls()).toHaveLength(1);
  });

  it('a limit buy that has not filled sets nothing yet and says how to set them later', async () => {
    const t = setup({ skipConfirm: true });
    const r = await t.one('/buy fed-cut yes 10 @40c tp 60c');
    expect(r.text).toMatch(/\nThe take-profit 60¢ is not set yet: nothing has filled\. Once it fills, set it with \/tp mkt-fed yes @60c\.$/);
    expect(t.setCalls()).toHaveLength(0);
  });

  it('a failed buy sets nothing', async () => {
    const t = setup({ skipConfirm: true, placeStatus: 'failed' });
    const r = await t.one('/buy fed-cut yes $25 sl 30c');
    expect(r.text).toMatch(/\nNo stop-loss 30¢ was set: nothing was bought\.$/);
    expect(t.setCalls()).toHaveLength(0);
  });

  it('when the levels cannot be set, the buy still stands and the reply says what to send', async () => {
    const t = setup({ skipConfirm: true });
    t.services.positions.push(position({ marketId: 'mkt-fed', side: 'yes', quantity: d('58.13'), exchange: 'polymarket', stopLossPrice: d('0.7') }));
    const r = await t.one('/buy fed-cut yes $25 tp 60c');
    expect(r.text).toMatch(/^Bought 58\.13 YES/);
    expect(r.text).toMatch(/\nThe take-profit 60¢ is not set: the take-profit \(60¢\) must be above the stop-loss \(70¢\) on this position\. Set them with \/tp and \/sl\.$/);
    t.services.automation.setTpsl = async () => {
      const { TradingError } = await import('../../core/trading/types.ts');
      throw new TradingError('market_closed', 'Fed cuts rates in December? is closed; TP/SL cannot be set on it.');
    };
    t.services.positions[0]!.stopLossPrice = null;
    const s = await t.one('/buy fed-cut yes $25 tp 60c');
    expect(s.text).toMatch(/\nThe buy went through, but the take-profit 60¢ could not be set \(Fed cuts rates in December\? is closed; TP\/SL cannot be set on it\)\. Set it with \/tp mkt-fed yes @60c\.$/);
    expect(t.services.orders).toHaveLength(2);
  });
});
