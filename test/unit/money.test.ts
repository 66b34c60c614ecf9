import { describe, expect, it } from 'vitest';
import { Decimal, cents, fmt, isMultipleOf, parseDecimal, roundToStep, usd } from '../../core/money.ts';
import { walkBook } from '../../core/routing/quote.ts';

const d = (s: string) => new Decimal(s);

describe('money', () => {
  it('parses human and JSON decimals strictly', () => {
    expect(parseDecimal('12')!.toFixed()).toBe('12');
    expect(parseDecimal('$12.50')!.toFixed()).toBe('12.5');
    expect(parseDecimal('.5')!.toFixed()).toBe('0.5');
    expect(parseDecimal('1,000')!.toFixed()).toBe('1000');
    for (const bad of ['', 'abc', '-1', '1e3', 'NaN', 'Infinity', '1.2.3', '$', ' ']) expect(parseDecimal(bad), bad).toBeNull();
    expect(parseDecimal(12)).toBeNull();
  });

  it('has no float noise', () => {
    expect(d('0.1').add(d('0.2')).toFixed()).toBe('0.3');
    expect(d('57.638').mul(1).toFixed()).toBe('57.638');
  });

  it('rounds to ticks and share steps', () => {
    expect(roundToStep(d('0.4271'), d('0.01'), 'down').toFixed()).toBe('0.42');
    expect(roundToStep(d('0.4211'), d('0.01'), 'up').toFixed()).toBe('0.43');
    expect(roundToStep(d('0.425'), d('0.01'), 'nearest').toFixed()).toBe('0.43');
    expect(roundToStep(d('0.4271'), d('0.005'), 'down').toFixed()).toBe('0.425');
    expect(roundToStep(d('0.4271'), d('0.0025'), 'up').toFixed()).toBe('0.4275');
    expect(roundToStep(d('12.3456'), d('0.01'), 'down').toFixed()).toBe('12.34');
    expect(roundToStep(d('12.9'), d('1'), 'down').toFixed()).toBe('12');
    expect(isMultipleOf(d('0.42'), d('0.01'))).toBe(true);
    expect(isMultipleOf(d('0.425'), d('0.01'))).toBe(false);
  });

  it('formats for people and JSON', () => {
    expect(usd(d('12.345'))).toBe('$12.35');
    expect(usd(d('-3'))).toBe('-$3.00');
    expect(cents(d('0.4234'))).toBe('42.34¢');
    expect(fmt(d('1.50000000'))).toBe('1.5');
    expect(fmt(null)).toBeNull();
  });
});

describe('walkBook', () => {
  const asks = [
    { price: d('0.40'), size: d('10') },
    { price: d('0.42'), size: d('10') },
    { price: d('0.50'), size: d('100') },
  ];

  it('walks levels for a quantity', () => {
    const w = walkBook({ levels: asks, side: 'buy', quantity: d('15'), step: d('0.01') });
    expect(w.quantity.toFixed()).toBe('15');
    expect(w.notional.toFixed()).toBe('6.1');
    expect(w.worstPrice!.toFixed()).toBe('0.42');
    expect(w.complete).toBe(true);
  });

  it('never spends more than the amount, fees included', () => {
    const fee = (p: Decimal, q: Decimal) => q.mul(p).mul('0.02');
    const w = walkBook({ levels: asks, side: 'buy', amount: d('10'), step: d('0.01'), feeFor: fee });
    const spent = w.notional.add(fee(w.avgPrice!, w.quantity));
    expect(spent.lte(10)).toBe(true);
    expect(spent.gt('9.9')).toBe(true);
    expect(w.complete).toBe(true);
  });

  it('stops at the limit price and reports incomplete', () => {
    const w = walkBook({ levels: asks, side: 'buy', quantity: d('50'), limitPrice: d('0.42'), step: d('1') });
    expect(w.quantity.toFixed()).toBe('20');
    expect(w.complete).toBe(false);
  });

  it('reports an empty book', () => {
    const w = walkBook({ levels: [], side: 'sell', quantity: d('5'), step: d('1') });
    expect(w.quantity.isZero()).toBe(true);
    expect(w.avgPrice).toBeNull();
    expect(w.complete).toBe(false);
  });
});
