/**
 * HTTP metrics in the Prometheus text exposition format (0.0.4), kept in memory without a client
 * library: a request counter by method, route template and status, a latency histogram by method
 * and route, and an in-flight gauge. Route labels are templates (`/api/v1/trading/orders/:id`), and
 * unmatched URLs share one label, so cardinality stays bounded.
 */

/** Histogram bucket upper bounds in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Histogram {
  method: string;
  route: string;
  counts: number[];
  sum: number;
  count: number;
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Counters and histograms of HTTP requests; render() gives Prometheus text. */
export class HttpMetrics {
  private readonly requests = new Map<string, { method: string; route: string; status: string; n: number }>();
  private readonly durations = new Map<string, Histogram>();
  private inFlight = 0;

  started(): void {
    this.inFlight++;
  }

  /** Records one finished request. `route` is the route template or "unmatched". */
  observe(args: { method: string; route: string; status: number; seconds: number }): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const status = String(args.status);
    const rk = `${args.method} ${args.route} ${status}`;
    const r = this.requests.get(rk);
    if (r) r.n++;
    else this.requests.set(rk, { method: args.method, route: args.route, status, n: 1 });

    const hk = `${args.method} ${args.route}`;
    let h = this.durations.get(hk);
    if (!h) {
      h = { method: args.method, route: args.route, counts: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.durations.set(hk, h);
    }
    for (let i = 0; i < DURATION_BUCKETS.length; i++) if (args.seconds <= DURATION_BUCKETS[i]!) h.counts[i]!++;
    h.sum += args.seconds;
    h.count++;
  }

  render(): string {
    const lines: string[] = [];
    lines.push('# HELP yesno_http_requests_total HTTP requests by method, route and status code.');
    lines.push('# TYPE yesno_http_requests_total counter');
    for (const r of this.requests.values()) {
      lines.push(`yesno_http_requests_total{method="${esc(r.method)}",route="${esc(r.route)}",status="${r.status}"} ${r.n}`);
    }
    lines.push('# HELP yesno_http_request_duration_seconds HTTP request latency by method and route.');
    lines.push('# TYPE yesno_http_request_duration_seconds histogram');
    for (const h of this.durations.values()) {
      const l = `method="${esc(h.method)}",route="${esc(h.route)}"`;
      DURATION_BUCKETS.forEach((le, i) => lines.push(`yesno_http_request_duration_seconds_bucket{${l},le="${le}"} ${h.counts[i]}`));
      lines.push(`yesno_http_request_duration_seconds_bucket{${l},le="+Inf"} ${h.count}`);
      lines.push(`yesno_http_request_duration_seconds_sum{${l}} ${h.sum}`);
      lines.push(`yesno_http_request_duration_seconds_count{${l}} ${h.count}`);
    }
    lines.push('# HELP yesno_http_requests_in_flight HTTP requests being handled now.');
    lines.push('# TYPE yesno_http_requests_in_flight gauge');
    lines.push(`yesno_http_requests_in_flight ${this.inFlight}`);
    return lines.join('\n') + '\n';
  }
}
