/**
 * A tiny HTTP venue for the crash test (test/integration/crash-recovery.test.ts), run in the test
 * process while yesno runs in a child process that the test kills with SIGKILL.
 *
 *   POST   /orders                     { clientOrderId, venueOrderId?, market, outcome, action, price, quantity }
 *                                      → 201 order; venueOrderId given (Polymarket-like: the signed
 *                                        order's hash, known before sending) or assigned ("ord-N", Kalshi-like)
 *   GET    /orders/:id                 → 200 order | 404 { error: "order not found" }
 *   GET    /orders?client_order_id=X   → 200 { orders: [...] }
 *   DELETE /orders/:id                 → 200 order (cancelled, or as it was when already done)
 *
 * Unlike a real venue it ACCEPTS a duplicate client order id as a second order: the test counts
 * orders per client id, so a resubmission by yesno shows up as a duplicate instead of being hidden.
 *
 * Matching is deterministic by price: ≥ 0.50 fills at once; 0.35–0.49 fills half at once and
 * rests; below rests. `trade()` fills resting orders and `venueCancel()` cancels some while the
 * child is down. `arm()` makes the n-th next placement (or cancel) kill the child at a given point:
 * before the venue acts (and drop the request), after it acts (and drop the response), or a few ms
 * after it answered (racing the child's write of the answer).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTrade {
  id: string;
  price: string;
  quantity: string;
  fee: string;
  at: string;
}

export interface FakeOrder {
  id: string;
  clientOrderId: string;
  market: string;
  outcome: string;
  action: string;
  price: string;
  /** Whole contracts (the adapter's quantity step is 1). */
  quantity: number;
  status: 'open' | 'filled' | 'cancelled';
  trades: FakeTrade[];
}

export type KillPoint = 'before-act' | 'after-act' | 'after-respond';

export interface KillPlan {
  /** Which request counts (placements or cancels). */
  on: 'place' | 'cancel';
  /** Trigger on the n-th such request from now (1 = the next one). */
  nth: number;
  point: KillPoint;
  /** after-respond: kill this many ms after the answer was written. */
  delayMs?: number;
  /** Kills the child and resolves when it has exited. */
  kill: () => Promise<void>;
}

export class CrashVenue {
  readonly orders: FakeOrder[] = [];
  private readonly server: http.Server;
  private seq = 0;
  private tradeSeq = 0;
  private plan: (KillPlan & { seen: number }) | null = null;
  /** Requests by kind, for the report. */
  readonly counts = { place: 0, cancel: 0, get: 0, list: 0, killed: 0 };
  /** Resolves when an armed plan fired (or null when none is armed). */
  private fired: Promise<KillPoint> | null = null;
  private fire: ((p: KillPoint) => void) | null = null;

  constructor(private readonly name: string) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(err) }));
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Arms a kill; `firedAt()` resolves when it happened. */
  arm(plan: KillPlan): void {
    this.plan = { ...plan, seen: 0 };
    this.fired = new Promise((r) => (this.fire = r));
  }

  disarm(): void {
    this.plan = null;
  }

  firedAt(): Promise<KillPoint> | null {
    return this.fired;
  }

  /** Fills part of every resting order (as if other traders took them while yesno was down). */
  trade(rng: () => number): void {
    for (const o of this.orders) {
      if (o.status !== 'open' || rng() < 0.4) continue;
      const left = o.quantity - filled(o);
      const take = Math.max(1, Math.floor(left * (rng() < 0.5 ? 0.5 : 1)));
      this.addTrade(o, take);
    }
  }

  /** Cancels some resting orders on the venue's side. */
  venueCancel(rng: () => number): void {
    for (const o of this.orders) if (o.status === 'open' && rng() < 0.15) o.status = 'cancelled';
  }

  private addTrade(o: FakeOrder, qty: number): void {
    o.trades.push({ id: `${this.name}-t${++this.tradeSeq}`, price: o.price, quantity: String(qty), fee: '0', at: new Date().toISOString() });
    if (filled(o) >= o.quantity) o.status = 'filled';
  }

  private match(o: FakeOrder): void {
    const p = Number(o.price);
    if (p >= 0.5) this.addTrade(o, o.quantity);
    else if (p >= 0.35) this.addTrade(o, Math.max(1, Math.floor(o.quantity / 2)));
  }

  /** Whether this request triggers the armed plan. */
  private trigger(kind: 'place' | 'cancel'): KillPlan | null {
    const plan = this.plan;
    if (!plan || plan.on !== kind) return null;
    plan.seen++;
    if (plan.seen < plan.nth) return null;
    this.plan = null;
    return plan;
  }

  private async kill(plan: KillPlan): Promise<void> {
    await plan.kill();
    this.counts.killed++;
    this.fire?.(plan.point);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = req.method === 'POST' ? JSON.parse(await readBody(req)) : null;
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const m = url.pathname.match(/^\/orders(?:\/([^/]+))?$/);
    if (!m) return send(404, { error: 'not found' });
    const id = m[1] ? decodeURIComponent(m[1]) : undefined;

    if (req.method === 'POST' && !id) {
      this.counts.place++;
      const plan = this.trigger('place');
      if (plan?.point === 'before-act') {
        await this.kill(plan);
        req.socket.destroy();
        return;
      }
      const o: FakeOrder = {
        id: body.venueOrderId ?? `${this.name}-ord-${++this.seq}`,
        clientOrderId: body.clientOrderId,
        market: body.market,
        outcome: body.outcome,
        action: body.action,
        price: body.price,
        quantity: Number(body.quantity),
        status: 'open',
        trades: [],
      };
      this.orders.push(o);
      this.match(o);
      return this.answer(plan, req, res, () => send(201, o));
    }
    if (req.method === 'GET' && !id) {
      this.counts.list++;
      const cid = url.searchParams.get('client_order_id');
      return send(200, { orders: this.orders.filter((o) => o.clientOrderId === cid) });
    }
    const order = id ? this.orders.find((o) => o.id === id) : undefined;
    if (req.method === 'GET') {
      this.counts.get++;
      return order ? send(200, order) : send(404, { error: 'order not found' });
    }
    if (req.method === 'DELETE') {
      this.counts.cancel++;
      if (!order) return send(404, { error: 'order not found' });
      const plan = this.trigger('cancel');
      if (plan?.point === 'before-act') {
        await this.kill(plan);
        req.socket.destroy();
        return;
      }
      if (order.status === 'open') order.status = 'cancelled';
      return this.answer(plan, req, res, () => send(200, order));
    }
    send(405, { error: 'method not allowed' });
  }

  /** Answers, or kills the child around the answer as planned. */
  private async answer(plan: KillPlan | null, req: http.IncomingMessage, res: http.ServerResponse, respond: () => void): Promise<void> {
    if (plan?.point === 'after-act') {
      await this.kill(plan);
      req.socket.destroy();
      return;
    }
    respond();
    if (plan?.point === 'after-respond') setTimeout(() => void this.kill(plan), plan.delayMs ?? 0);
  }
}

export function filled(o: FakeOrder): number {
  return o.trades.reduce((n, t) => n + Number(t.quantity), 0);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}
