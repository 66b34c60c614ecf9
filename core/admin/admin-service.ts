/** Admin operations: the global trading halt (a Setting row, cached briefly), order listings, the audit log. */
import type { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import { orderView } from '../trading/views.ts';
import type { OrderStatus, OrderView } from '../trading/types.ts';
import type { AdminApi, HaltState } from './types.ts';

const HALT_KEY = 'trading.halt';

export class AdminService implements AdminApi {
  private cached: { state: HaltState; at: number } | null = null;

  constructor(private readonly deps: { prisma: Db; directory: MarketDirectory; cacheMs?: number }) {}

  /** Fast check for the order path; other processes see a change within cacheMs (default 1 s). */
  async isHalted(): Promise<boolean> {
    const ttl = this.deps.cacheMs ?? 1_000;
    if (this.cached && Date.now() - this.cached.at < ttl) return this.cached.state.halted;
    return (await this.haltState()).halted;
  }

  async haltState(): Promise<HaltState> {
    const row = await this.deps.prisma.setting.findUnique({ where: { key: HALT_KEY } });
    const v = (row?.value ?? {}) as { halted?: boolean; reason?: string | null; since?: string | null; by?: string | null };
    const state: HaltState = { halted: Boolean(v.halted), reason: v.reason ?? null, since: v.since ? new Date(v.since) : null, by: v.by ?? null };
    this.cached = { state, at: Date.now() };
    return state;
  }

  async halt(args: { actor: string; reason?: string }): Promise<HaltState> {
    return this.setHalt({ halted: true, reason: args.reason ?? null, since: new Date().toISOString(), by: args.actor }, args.actor, 'trading.halt');
  }

  async resume(args: { actor: string }): Promise<HaltState> {
    return this.setHalt({ halted: false, reason: null, since: null, by: args.actor }, args.actor, 'trading.resume');
  }

  private async setHalt(value: Record<string, unknown>, actor: string, action: string): Promise<HaltState> {
    await this.deps.prisma.$transaction([
      this.deps.prisma.setting.upsert({ where: { key: HALT_KEY }, create: { key: HALT_KEY, value: value as Prisma.InputJsonValue }, update: { value: value as Prisma.InputJsonValue } }),
      this.deps.prisma.auditLog.create({ data: { actor, action, details: value as Prisma.InputJsonValue } }),
    ]);
    return this.haltState();
  }

  async listOrders(args: { status?: OrderStatus[]; userId?: string; limit?: number }): Promise<OrderView[]> {
    const rows = await this.deps.prisma.order.findMany({
      where: { ...(args.status?.length ? { status: { in: args.status } } : {}), ...(args.userId ? { userId: args.userId } : {}) },
      orderBy: { createdAt: 'desc' },
      take: Math.min(Math.max(args.limit ?? 100, 1), 1000),
    });
    return rows.map((o) => orderView(o, this.deps.directory.get(o.marketId)?.title ?? o.marketId));
  }

  async audit(args: { actor: string; action: string; subject?: string; details?: Record<string, unknown> }): Promise<void> {
    await this.deps.prisma.auditLog.create({
      data: { actor: args.actor, action: args.action, subject: args.subject ?? null, details: (args.details ?? undefined) as Prisma.InputJsonValue | undefined },
    });
  }
}
