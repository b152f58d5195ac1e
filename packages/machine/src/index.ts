// What users write, and nothing else: the watches, their schedules, limiter and stores, and the types of their
// options and emissions. The machine definition, its events and context live under `@tradestate/machine/xstate`,
// the SQLite store under `@tradestate/machine/sqlite`; engines, timer queues and actors are not exported at all.

export type { NotificationInput, UnverifiedNotification, WatchNotification } from './definition/notification.ts';
export { queryKey } from './definition/outcome.ts';
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
} from './definition/types.ts';
export type { AtDeadline, SettleClient, SettleTiming } from './engine/settle.ts';
export { createLimiter, type Limiter, type LimiterOptions } from './limiter/limiter.ts';
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
} from './schedules/schedules.ts';
export { keepNotification } from './stores/inbox.ts';
export {
  createMemorySnapshotStore,
  type KeptNotification,
  type NotificationInbox,
  type PersistedOrderSnapshot,
  type SnapshotStore,
  type StoredWatch,
} from './stores/snapshot-store.ts';
export { type ResumeWatchesOptions, resumeWatches } from './streams/resume-watches.ts';
export type { WatchOptions, WatchRequest } from './streams/watch-options.ts';
export { type WatchOrderOptions, watchOrder } from './streams/watch-order.ts';
export { type WatchOrdersOptions, watchOrders } from './streams/watch-orders.ts';
