/**
 * The load generator, run in a worker thread so the clients' own CPU work (HTTP framing, JSON)
 * does not run on the server's event loop. N closed-loop clients, each with its own user (API
 * token) and its own keep-alive connection: send an order, wait for the answer, send the next.
 *
 * Protocol (parentPort messages):
 *   in:  { type: 'run', phase: PhaseRequest }
 *   out: { type: 'measuring' }            when the warm-up ends and the measured window starts
 *        { type: 'measured' }             when the measured window ends (in-flight requests still finish)
 *        { type: 'done', result: PhaseResult }
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadClient {
  token: string;
}

export interface PhaseRequest {
  clients: number;
  warmupMs: number;
  measureMs: number;
}

export interface PhaseResult {
  clients: number;
  /** Length of the measured window (ms). */
  windowMs: number;
  /** Responses received in the window, and their latencies (ms), unsorted. */
  ok: number;
  latencies: number[];
  /** Non-201 responses and transport errors in the window, keyed "status code" or "error message". */
  errors: Record<string, number>;
  /** Order status of the 201 answers in the window (filled / cancelled / pending / failed / ...). */
  statuses: Record<string, number>;
  /** The same, during the warm-up. */
  warmupErrors: Record<string, number>;
}

export interface WorkerInit {
  address: string;
  clients: LoadClient[];
  /** Market ids to spread orders over. */
  markets: string[];
  /** "market": market buys of `amount` USD; "mixed": alternate market buys and limit buys (GTC) below the ask. */
  mode: 'market' | 'mixed';
  amount: string;
}

const init = workerData as WorkerInit;
const url = new URL('/api/v1/trading/order', init.address);

function post(agent: http.Agent, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function bodyFor(i: number, seq: number): string {
  const marketId = init.markets[(i * 7 + seq) % init.markets.length]!;
  if (init.mode === 'mixed' && seq % 2 === 1) {
    // A small limit buy at a low price: it rests (GTC) unless the book comes down to it.
    return JSON.stringify({ marketId, side: 'yes', action: 'buy', type: 'limit', quantity: '5', price: '0.05' });
  }
  return JSON.stringify({ marketId, side: 'yes', action: 'buy', type: 'market', amount: init.amount });
}

function errorKey(status: number, text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { code?: string }; code?: string };
    return `${status} ${j.error?.code ?? j.code ?? ''}`.trim();
  } catch {
    return `${status}`;
  }
}

function bump(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

async function runPhase(p: PhaseRequest): Promise<PhaseResult> {
  // One agent with one socket per client: keep-alive, no connection churn.
  const agent = new http.Agent({ keepAlive: true, maxSockets: p.clients, maxFreeSockets: p.clients });
  const start = performance.now();
  const measureFrom = start + p.warmupMs;
  const measureTo = measureFrom + p.measureMs;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const warmupErrors: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let ok = 0;
  setTimeout(() => parentPort!.postMessage({ type: 'measuring' }), p.warmupMs);
  // 'measured' always precedes 'done': the last request can end (and the phase with it) before this
  // timer runs, and the main thread must take its end-of-window samples first.
  let measuredSent = false;
  const sendMeasured = () => {
    if (measuredSent) return;
    measuredSent = true;
    parentPort!.postMessage({ type: 'measured' });
  };
  const measuredTimer = setTimeout(sendMeasured, p.warmupMs + p.measureMs);

  const client = async (i: number) => {
    const token = init.clients[i]!.token;
    let seq = 0;
    while (performance.now() < measureTo) {
      const body = bodyFor(i, seq++);
      const t0 = performance.now();
      let status = 0;
      let text = '';
      let failure: string | null = null;
      try {
        ({ status, text } = await post(agent, token, body));
      } catch (err) {
        failure = `transport ${(err as Error).message}`;
      }
      const t1 = performance.now();
      // Throughput and latency: the requests that completed inside the window.
      const inWindow = t1 >= measureFrom && t1 <= measureTo;
      const target = inWindow ? errors : t1 < measureFrom ? warmupErrors : null;
      if (failure) {
        if (target) bump(target, failure);
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      if (status !== 201) {
        if (target) bump(target, errorKey(status, text));
        continue;
      }
      if (inWindow) {
        ok++;
        latencies.push(t1 - t0);
        const m = text.match(/"status":"(\w+)"/);
        bump(statuses, m?.[1] ?? 'unknown');
      }
    }
  };
  await Promise.all(Array.from({ length: p.clients }, (_, i) => client(i)));
  clearTimeout(measuredTimer);
  sendMeasured();
  agent.destroy();
  return { clients: p.clients, windowMs: p.measureMs, ok, latencies, errors, statuses, warmupErrors };
}

parentPort!.on('message', (msg: { type: 'run'; phase: PhaseRequest }) => {
  if (msg.type !== 'run') return;
  runPhase(msg.phase).then(
    (result) => parentPort!.postMessage({ type: 'done', result }),
    (err: unknown) => parentPort!.postMessage({ type: 'failed', message: (err as Error).stack ?? String(err) }),
  );
});
