export { FAULT_KINDS } from './faults.ts';
export { defaultMerchant } from './merchants.ts';
export { NOTIFY_RETRY_DELAYS_MS } from './notifier.ts';
export { CLOSE_MIN_AGE_MS } from './pay-api.ts';
export { TransitionRefusedError, UnknownOrderError } from './sandbox-errors.ts';
export { startSandbox } from './server.ts';
export type {
  CouponSpec,
  FaultKind,
  FaultRates,
  MerchantConfig,
  NotificationStatus,
  OrderSpec,
  Sandbox,
  SandboxCounters,
  SandboxOptions,
  SandboxOrder,
  ScriptStep,
  StateChange,
  TradeType,
} from './types.ts';
// APIv3 (issue 14)
export type { MerchantV3Config, SandboxV3Credentials, V3FaultRates } from './v3/types.ts';
