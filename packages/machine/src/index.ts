export {
  bindWatchDependencies,
  createQueryActor,
  createWaitActor,
  type QueryActorDeps,
  type QueryActorInput,
  systemQueryActor,
  systemWaitActor,
  type WaitActorInput,
} from './actors.ts';
export { type Cancellable, scheduleAt } from './clock.ts';
export { createOrderMachine } from './create-order-machine.ts';
export { keepNotification } from './inbox.ts';
export { createLimiter, type Limiter, type LimiterOptions } from './limiter.ts';
export { type OrderSnapshot, orderMachine, pureOrderMachine } from './machine.ts';
export { endOf, stateNameOf, toOrderWatch, watchChanged } from './order-watch.ts';
export {
  concernsOrder,
  fromStoredOrder,
  type NotificationInput,
  queryKey,
  toStoredOrder,
  toWatchError,
  toWatchOutcome,
  type UnverifiedNotification,
  type WatchNotification,
} from './outcome.ts';
export { type ResumeWatchesOptions, resumeWatches } from './resume-watches.ts';
export { type QueryEvent, runQuery } from './run-query.ts';
export {
  backoff,
  every,
  type JitterOptions,
  type LastOutcome,
  nextDelay,
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
export { TimerQueue } from './timer-queue.ts';
export {
  ACTIVE_STATES,
  classifyOutcome,
  END_STATES,
  type OrderStateName,
  type OutcomeClass,
  rankOf,
  stateFor,
  TRADE_STATE_RANK,
} from './transitions.ts';
export type * from './types.ts';
export type {
  DeadlineEnd,
  ErrorEnd,
  OtherEnd,
  PaidEnd,
  WatchErrorCode,
  WatchingOrder,
  WeChatErrCode,
} from './types.ts';
export { WatchEngine } from './watch-engine.ts';
export type { WatchOptions, WatchRequest } from './watch-options.ts';
export { type WatchOrderOptions, watchOrder } from './watch-order.ts';
export { type WatchOrdersOptions, watchOrders } from './watch-orders.ts';
