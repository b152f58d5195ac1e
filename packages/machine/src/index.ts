// What users write, and nothing else: the watches, their schedules, limiter and stores, and the types of their
// options and emissions. The machine definition, its events and context live under `@tradestate/machine/xstate`,
// the SQLite store under `@tradestate/machine/sqlite`; engines, timer queues and actors are not exported at all.
export { keepNotification } from './inbox.ts';
export { createLimiter, type Limiter, type LimiterOptions } from './limiter.ts';
export type { NotificationInput, UnverifiedNotification, WatchNotification } from './outcome.ts';
export { queryKey } from './outcome.ts';
export { type ResumeWatchesOptions, resumeWatches } from './resume-watches.ts';
export {
  backoff,
  every,
  type JitterOptions,
  type LastOutcome,
  type Schedule,
  type SchedulePreset,
  scaleSchedule,
  schedules,
  seededRandom,
  within,
} from './schedules.ts';
export type { AtDeadline, SettleClient, SettleTiming } from './settle.ts';
export {
  createMemorySnapshotStore,
  type KeptNotification,
  type NotificationInbox,
  type PersistedOrderSnapshot,
  type SnapshotStore,
  type StoredWatch,
} from './snapshot-store.ts';
export type {
  Anomaly,
  DeadlineEnd,
  ErrorEnd,
  MerchantIds,
  OrderWatch,
  OtherEnd,
  PaidEnd,
  SettleProgress,
  WatchEnd,
  WatchError,
  WatchErrorCode,
  WatchExpectation,
  WatchingOrder,
  WeChatErrCode,
} from './types.ts';
export type { WatchOptions, WatchRequest } from './watch-options.ts';
export { type WatchOrderOptions, watchOrder } from './watch-order.ts';
export { type WatchOrdersOptions, watchOrders } from './watch-orders.ts';
