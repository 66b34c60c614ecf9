/** The fake CLOB's authenticated endpoints (filled in below). */
import type { FakeClob, RequestCtx, RouteResult } from './server.ts';

export async function handleTrading(_clob: FakeClob, _ctx: RequestCtx): Promise<RouteResult | null> {
  return null;
}
