/** Data behind the pictures: a market's price history (/chart) and a trader's PnL (/pnl). */
import type { Decimal } from '../money.ts';
import type { Venue } from '../exchanges/types.ts';
import type { PositionView } from '../trading/types.ts';

export interface PricePoint {
  at: Date;
  /** YES mid. */
  mid: Decimal;
}

/** One venue's YES mid over time. */
export interface PriceSeries {
  venue: Venue;
  listingId: string;
  points: PricePoint[];
}

export interface PriceHistory {
  marketId: string;
  title: string;
  slug: string;
  /** The window asked for, ending at `until`. */
  hours: number;
  until: Date;
  /** Where the time axis starts: the window's start, or the first stored price when history is shorter. */
  from?: Date;
  series: PriceSeries[];
  /** True when there was no stored history and the series hold only the current quote. */
  fromQuote: boolean;
}

export interface PnlSummary {
  /** Open positions, valued at the best bid. */
  positions: PositionView[];
  /** Cost basis of the open positions. */
  cost: Decimal;
  /** Market value of the open positions (at the bid). */
  value: Decimal;
  unrealized: Decimal;
  /** Realized PnL over every position, open or closed. */
  realized: Decimal;
  /** unrealized + realized. */
  total: Decimal;
  /** Cash on the venues. */
  cash: Decimal;
  paper: boolean;
}

/** What /chart and /pnl read. */
export interface ChartsApi {
  /** The YES mid per venue over the last `hours` (bucketed to about `points` points). */
  priceHistory(args: { marketId: string; hours: number; points?: number }): Promise<PriceHistory>;
  pnlSummary(args: { userId: string }): Promise<PnlSummary>;
}

/** The longest /chart window: PriceTick rows are kept for PRICE_HISTORY_HOURS (default 24). */
export const MAX_CHART_HOURS = 24 * 7;
