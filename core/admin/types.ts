/** Admin operations: the global trading halt, listings for operators, the audit log. */
import type { OrderStatus, OrderView } from '../trading/types.ts';

export interface HaltState {
  halted: boolean;
  reason: string | null;
  since: Date | null;
  by: string | null;
}

export interface AdminApi {
  halt(args: { actor: string; reason?: string }): Promise<HaltState>;
  resume(args: { actor: string }): Promise<HaltState>;
  haltState(): Promise<HaltState>;
  listOrders(args: { status?: OrderStatus[]; userId?: string; limit?: number }): Promise<OrderView[]>;
  audit(args: { actor: string; action: string; subject?: string; details?: Record<string, unknown> }): Promise<void>;
}
