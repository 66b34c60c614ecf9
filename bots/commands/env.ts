/** What every command handler receives: the services, the confirmation store, and the caller. */
import type { Services } from '../../core/services.ts';
import type { CreateSniperInput } from '../../core/automation/types.ts';
import type { CreateFollowInput } from '../../core/following/types.ts';
import type { Decimal } from '../../core/money.ts';
import type { PlaceOrderInput } from '../../core/trading/types.ts';
import type { UserView } from '../../core/users/types.ts';
import type { ConfirmationStore } from './confirm.ts';
import type { ChatContext } from './replies.ts';

/** The order a confirmation will place, and how to talk about it. */
export interface PendingTrade {
  /** Venue pinned to the one quoted, so the user gets what they confirmed. */
  input: Omit<PlaceOrderInput, 'idempotencyKey' | 'source'>;
  /** The command to send again after an expiry, e.g. "/buy fed-cut yes $25". */
  retry: string;
  marketTitle: string;
  /** /buy … tp 60c sl 30c: levels to set on the position once the buy has filled. */
  tpsl?: { takeProfitPrice?: Decimal; stopLossPrice?: Decimal };
  /** A /snipe: Confirm arms this sniper instead of placing `input` (the buy it will place when it fires). */
  sniper?: CreateSniperInput;
  /** A /counter or /copy: Confirm starts this follow instead of placing `input` (a placeholder then). */
  follow?: CreateFollowInput;
}

/** Minimal structured logger (pino-compatible). */
export interface CommandLog {
  error(obj: unknown, msg?: string): void;
  warn?(obj: unknown, msg?: string): void;
}

export interface HandlerEnv {
  services: Services;
  confirmations: ConfirmationStore<PendingTrade>;
  /** Place orders without asking (tests, trusted scripts). */
  skipConfirm: boolean;
  log?: CommandLog;
}

/** The person behind the command. */
export interface Caller {
  ctx: ChatContext;
  user: UserView;
  /** `${platform}:${externalId}`: who may answer a confirmation. */
  owner: string;
}

export function ownerOf(ctx: Pick<ChatContext, 'platform' | 'userExternalId'>): string {
  return `${ctx.platform}:${ctx.userExternalId}`;
}
