/**
 * TradingError codes → what a trader reads: the service's own sentence (already written for
 * people) plus what to do next. Unknown failures never leak internals.
 */
import { TradingError, type TradingErrorCode } from '../../core/trading/types.ts';

/** What the user was doing, so the hint can quote their own command. */
export interface ErrorContext {
  /** e.g. "/buy fed-cut yes $25" (a runnable example of the command that failed). */
  example?: string;
  /** The command name. */
  command?: string;
}

const HINTS: Record<TradingErrorCode, (e: TradingError, c: ErrorContext) => string | null> = {
  invalid_input: (_e, c) => (c.example ? `Try: ${c.example}` : 'Send /help for the right form.'),
  market_not_found: () => 'Search with /markets <words>, or paste the market link.',
  market_ambiguous: (e, c) => {
    const first = (e.details?.candidates as string[] | undefined)?.[0];
    return first && c.example ? `Try: ${c.example.replace(/^(\/\w+) (\S+|"[^"]*")/, `$1 ${first}`)}` : 'Use the market id from /markets.';
  },
  market_closed: () => 'Find an open market with /markets.',
  venue_not_listed: () => 'Leave out "on <venue>" and yesno picks a venue that lists it.',
  order_not_found: () => 'Your orders and their ids are in /orders all.',
  not_cancellable: () => null,
  no_position: () => 'See what you hold with /positions.',
  insufficient_position: () => 'Sell up to what you hold, or say "all" (see /positions).',
  insufficient_liquidity: () => 'Try a smaller size, or a limit order such as /buy fed-cut yes 10 @42c that waits on the book.',
  max_order_size: () => 'Try a smaller amount.',
  below_minimum: () => 'Try a larger size.',
  trading_halted: () => null,
  rejected: () => 'Nothing was placed.',
  venue_unavailable: () => 'Nothing was placed; try again in a moment.',
  idempotency_conflict: () => 'Send the command again.',
  starting_up: () => null,
};

/** Friendly text for any error a command can hit. */
export function describeError(err: unknown, ctx: ErrorContext = {}): string {
  if (err instanceof TradingError) {
    const hint = HINTS[err.code]?.(err, ctx);
    const msg = err.message.trim();
    // The message may already say what to send (e.g. "Try /markets to search.").
    if (!hint || msg.includes(hint) || /(^|\s)\/[a-z]+\b/.test(msg)) return msg;
    return `${msg} ${hint}`;
  }
  return ctx.command === 'buy' || ctx.command === 'sell' || ctx.command === 'confirm'
    ? 'Something went wrong on our side while placing the order. Check /orders before you try again.'
    : 'Something went wrong on our side. Please try again in a moment.';
}

export function isTradingError(err: unknown): err is TradingError {
  return err instanceof TradingError;
}
