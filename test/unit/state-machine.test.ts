import { describe, expect, it } from 'vitest';
import {
  ORDER_STATUSES,
  TERMINAL_STATUSES,
  assertTransition,
  canTransition,
  isTerminal,
  nextStatusFor,
  IllegalTransitionError,
} from '../../core/orders/state-machine.ts';
import type { OrderStatus } from '../../core/trading/types.ts';

const allowed: [OrderStatus, OrderStatus][] = [
  ['created', 'pending'],
  ['created', 'filled'],
  ['created', 'cancelled'],
  ['created', 'failed'],
  ['pending', 'partial'],
  ['pending', 'filled'],
  ['pending', 'cancelled'],
  ['pending', 'failed'],
  ['partial', 'partial'],
  ['partial', 'filled'],
  ['partial', 'cancelled'],
];

describe('order state machine', () => {
  it('allows exactly the transitions of ARCHITECTURE.md', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });

  it('rejects every forbidden transition with IllegalTransitionError', () => {
    let forbidden = 0;
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        if (allowed.some(([f, t]) => f === from && t === to)) continue;
        forbidden++;
        expect(() => assertTransition(from, to)).toThrow(IllegalTransitionError);
      }
    }
    expect(forbidden).toBe(36 - allowed.length);
  });

  it('treats filled, cancelled and failed as terminal and absorbing', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['cancelled', 'failed', 'filled']);
    for (const t of TERMINAL_STATUSES) {
      expect(isTerminal(t)).toBe(true);
      for (const to of ORDER_STATUSES) expect(canTransition(t, to)).toBe(false);
      expect(nextStatusFor({ current: t, filled: true, anyFill: true, venueStatus: 'filled' })).toBeNull();
    }
    expect(isTerminal('created')).toBe(false);
    expect(isTerminal('pending')).toBe(false);
    expect(isTerminal('partial')).toBe(false);
  });

  it('maps venue situations to the next status', () => {
    expect(nextStatusFor({ current: 'created', filled: false, anyFill: false, venueStatus: 'open' })).toBe('pending');
    expect(nextStatusFor({ current: 'created', filled: true, anyFill: true, venueStatus: 'filled' })).toBe('filled');
    // created → partial is not in the table: go through pending first.
    expect(nextStatusFor({ current: 'created', filled: false, anyFill: true, venueStatus: 'open' })).toBe('pending');
    expect(nextStatusFor({ current: 'pending', filled: false, anyFill: true, venueStatus: 'open' })).toBe('partial');
    expect(nextStatusFor({ current: 'partial', filled: false, anyFill: true, venueStatus: 'open' })).toBeNull();
    expect(nextStatusFor({ current: 'partial', filled: false, anyFill: true, venueStatus: 'cancelled' })).toBe('cancelled');
    expect(nextStatusFor({ current: 'created', filled: false, anyFill: false, venueStatus: 'rejected' })).toBe('failed');
    expect(nextStatusFor({ current: 'pending', filled: false, anyFill: false, venueStatus: 'cancelled' })).toBe('cancelled');
    // partial cannot fail: a venue rejection after fills cancels the rest.
    expect(nextStatusFor({ current: 'partial', filled: false, anyFill: true, venueStatus: 'rejected' })).toBe('cancelled');
  });
});
