/**
 * The order state machine: a transition table, the only code that decides whether an order's
 * status may change. The seed's diagram plus partial → cancelled (ARCHITECTURE.md):
 *
 *   created ──▶ pending ──▶ partial ──▶ filled
 *      │           │  └──▶ filled      │
 *      │           ├──▶ cancelled      ├──▶ partial (more fills)
 *      │           └──▶ failed         └──▶ cancelled
 *      ├──▶ filled
 *      ├──▶ cancelled
 *      └──▶ failed
 *
 * filled, cancelled and failed are terminal: nothing leaves them.
 */
import type { OrderStatus } from '../trading/types.ts';

export const ORDER_STATUSES = ['created', 'pending', 'partial', 'filled', 'cancelled', 'failed'] as const satisfies readonly OrderStatus[];

export const TRANSITIONS = {
  created: ['pending', 'filled', 'cancelled', 'failed'],
  pending: ['partial', 'filled', 'cancelled', 'failed'],
  partial: ['partial', 'filled', 'cancelled'],
  filled: [],
  cancelled: [],
  failed: [],
} as const satisfies Record<OrderStatus, readonly OrderStatus[]>;

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['filled', 'cancelled', 'failed'];

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return (TRANSITIONS[from] as readonly OrderStatus[]).includes(to);
}

/** The statuses from which `to` can be reached in one step (for compare-and-set WHERE clauses). */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => canTransition(from, to));
}

export class IllegalTransitionError extends Error {
  constructor(readonly from: OrderStatus, readonly to: OrderStatus) {
    super(`order status cannot go from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** Throws IllegalTransitionError unless from → to is in the table. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/**
 * The status an order should be in given its venue-reported situation, from where it is now.
 * Returns null when no transition is needed (or allowed): terminal orders absorb everything.
 */
export function nextStatusFor(args: {
  current: OrderStatus;
  filled: boolean;
  anyFill: boolean;
  venueStatus: 'open' | 'filled' | 'cancelled' | 'rejected' | 'accepted';
}): OrderStatus | null {
  const { current, filled, anyFill, venueStatus } = args;
  if (isTerminal(current)) return null;
  let target: OrderStatus;
  if (filled) target = 'filled';
  else if (venueStatus === 'cancelled') target = 'cancelled';
  else if (venueStatus === 'rejected') target = anyFill ? 'cancelled' : 'failed';
  else if (anyFill) target = 'partial';
  else target = 'pending';
  if (target === current) return null;
  if (!canTransition(current, target)) {
    // created with a partial fill: go through pending first is not needed; created → partial is not allowed,
    // so the caller applies created → pending, then pending → partial.
    if (current === 'created' && target === 'partial') return 'pending';
    return null;
  }
  return target;
}
