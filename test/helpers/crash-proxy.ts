/**
 * An HTTP proxy in front of a fake venue (test/fakes/kalshi, test/fakes/polymarket) for the crash
 * test: the child process talks to the proxy; the proxy forwards every request untouched (signatures
 * cover method, path and body, not the host) and, when armed, kills the child with SIGKILL around the
 * n-th order placement or cancel:
 *   - before-act:    the request is not forwarded (the venue never sees it);
 *   - after-act:     forwarded, the venue acted and answered, the child dies, the answer is dropped;
 *   - after-respond: the answer is relayed, the child dies `delayMs` later (racing its write).
 *
 *   const proxy = await CrashProxy.start({ upstream: fake.url, classify: (m, p) => ... });
 *   proxy.arm({ on: 'place', nth: 2, point: 'after-act', kill: () => child.kill() });
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KillPlan, KillPoint } from '../fakes/crash-venue.ts';

export type RequestKind = 'place' | 'cancel' | null;

export class CrashProxy {
  private plan: (KillPlan & { seen: number }) | null = null;
  private fired: Promise<KillPoint> | null = null;
  private fire: ((p: KillPoint) => void) | null = null;
  readonly counts = { place: 0, cancel: 0, other: 0 };
  url = '';

  private constructor(
    private readonly server: http.Server,
    private readonly upstream: URL,
  ) {}

  /** `upstream` is the fake's base URL; the proxy's `url` has the same path. */
  static async start(args: { upstream: string; classify: (method: string, path: string) => RequestKind }): Promise<CrashProxy> {
    const upstream = new URL(args.upstream);
    let proxy!: CrashProxy;
    const server = http.createServer((req, res) => {
      proxy.handle(req, res, args.classify).catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    });
    proxy = new CrashProxy(server, upstream);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    proxy.url = `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, '')}`;
    return proxy;
  }

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

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private trigger(kind: RequestKind): KillPlan | null {
    const plan = this.plan;
    if (!kind || !plan || plan.on !== kind) return null;
    plan.seen++;
    if (plan.seen < plan.nth) return null;
    this.plan = null;
    return plan;
  }

  private async kill(plan: KillPlan): Promise<void> {
    await plan.kill();
    this.fire?.(plan.point);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, classify: (method: string, path: string) => RequestKind): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const kind = classify(method, path);
    this.counts[kind ?? 'other']++;
    const plan = this.trigger(kind);
    if (plan?.point === 'before-act') {
      await this.kill(plan);
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding'].includes(k)) headers[k] = v;
    }
    const target = new URL(req.url ?? '/', this.upstream.origin);
    const up = await fetch(target, { method, headers, body: body.length > 0 ? body : undefined });
    const answer = Buffer.from(await up.arrayBuffer());
    if (plan?.point === 'after-act') {
      await this.kill(plan);
      req.socket.destroy();
      return;
    }
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
    res.end(answer);
    if (plan?.point === 'after-respond') setTimeout(() => void this.kill(plan), plan.delayMs ?? 0);
  }
}
