/** The fake Polymarket CLOB V2 for tests: see server.ts. */
export { FakeClob, type ClobFault, type FakeClobOptions } from './server.ts';
export { ClobEngine, type FakeMarket, type FakeTrade, type TradeStatus } from './engine.ts';
export { EXCHANGE_V2, NEG_RISK_EXCHANGE_V2 } from './auth.ts';
