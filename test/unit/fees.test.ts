import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { feeModelFor, kalshiFee, polymarketTakerFee } from '../../core/exchanges/fees.ts';

const d = (s: string | number) => new Decimal(s);

describe('Kalshi fees', () => {
  it('taker fee is ceil-to-cent(0.07 × C × P × (1 − P))', () => {
    const k = feeModelFor('kalshi');
    // 0.07 × 100 × 0.5 × 0.5 = 1.75
    expect(k.taker(d('0.5'), d(100)).toFixed(2)).toBe('1.75');
    // 0.07 × 1 × 0.5 × 0.5 = 0.0175 → 0.02
    expect(k.taker(d('0.5'), d(1)).toFixed(2)).toBe('0.02');
    // 0.07 × 10 × 0.3 × 0.7 = 0.147 → 0.15
    expect(k.taker(d('0.3'), d(10)).toFixed(2)).toBe('0.15');
    // 0.07 × 1 × 0.01 × 0.99 = 0.000693 → 0.01
    expect(k.taker(d('0.01'), d(1)).toFixed(2)).toBe('0.01');
    // exact cents are not bumped: 0.07 × 400 × 0.5 × 0.5 = 7.00
    expect(k.taker(d('0.5'), d(400)).toFixed()).toBe('7');
    expect(k.taker(d('0.5'), d(0)).isZero()).toBe(true);
  });

  it('maker fee uses 0.0175; coefficients are configurable', () => {
    const k = feeModelFor('kalshi');
    // 0.0175 × 100 × 0.5 × 0.5 = 0.4375 → 0.44
    expect(k.maker(d('0.5'), d(100)).toFixed(2)).toBe('0.44');
    const custom = feeModelFor('kalshi', { kalshi: { takerCoefficient: '0.035', makerCoefficient: 0 } });
    // 0.035 × 100 × 0.5 × 0.5 = 0.875 → 0.88
    expect(custom.taker(d('0.5'), d(100)).toFixed(2)).toBe('0.88');
    expect(custom.maker(d('0.5'), d(100)).isZero()).toBe(true);
    expect(kalshiFee(d('0.4'), d(25)).toFixed(2)).toBe('0.42'); // 0.07×25×0.24 = 0.42
  });
});

describe('Polymarket fees', () => {
  it('is fee-free by default, for takers and makers', () => {
    const p = feeModelFor('polymarket');
    expect(p.taker(d('0.5'), d(1000)).isZero()).toBe(true);
    expect(p.maker(d('0.5'), d(1000)).isZero()).toBe(true);
  });

  it('charges C × rate × (p(1 − p))^exponent where a market sets fee parameters', () => {
    const p = feeModelFor('polymarket', { polymarket: { rate: '0.25', exponent: 2 } });
    // 100 × 0.25 × (0.25)^2 = 1.5625
    expect(p.taker(d('0.5'), d(100)).toFixed()).toBe('1.5625');
    // 10 × 0.25 × (0.09)^2 = 0.02025 → 4 dp half-up 0.0203
    expect(p.taker(d('0.1'), d(10)).toFixed()).toBe('0.0203');
    expect(p.maker(d('0.5'), d(100)).isZero()).toBe(true);
    expect(polymarketTakerFee(d('0.5'), d(100), { rate: '0.1', exponent: 1 }).toFixed()).toBe('2.5');
    expect(polymarketTakerFee(d('0.5'), d(100), { rate: 0, exponent: 1 }).isZero()).toBe(true);
  });
});
