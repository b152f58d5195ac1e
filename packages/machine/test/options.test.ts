import { InvalidArgumentError, type OrderQuery } from '@tradestate/protocol';
import { of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createMemorySnapshotStore,
  resumeWatches,
  type Schedule,
  schedules,
  type WatchOrderOptions,
  type WatchRequest,
  watchOrder,
  watchOrders,
} from '../src/index.ts';
import { DRIVERS, startWatch } from './drivers.ts';
import { ScriptedClient, stateOutcome } from './fixtures.ts';
import { VirtualClock } from './virtual-time.ts';

const client = new ScriptedClient([stateOutcome('B1', 'NOTPAY')]);
const good: WatchOrderOptions = { client, query: { outTradeNo: 'B1' }, schedule: schedules.native, deadline: 60_000 };

/** Every bad option, as a caller could write it (through `any`, from JSON, from an environment variable). */
const BAD: readonly [string, Record<string, unknown>][] = [
  ['deadline NaN', { deadline: Number.NaN }],
  ['deadline Infinity', { deadline: Number.POSITIVE_INFINITY }],
  ['a negative deadline', { deadline: -1 }],
  ['an invalid Date deadline', { deadline: new Date('not a date') }],
  ['a string deadline', { deadline: '60000' }],
  ['no deadline', { deadline: undefined }],
  ['notFoundGraceMs NaN', { notFoundGraceMs: Number.NaN }],
  ['a negative notFoundGraceMs', { notFoundGraceMs: -5 }],
  ['notFoundGraceMs Infinity', { notFoundGraceMs: Number.POSITIVE_INFINITY }],
  ['a schedule that is not a function', { schedule: 'native' }],
  ['no schedule', { schedule: undefined }],
  ['no client', { client: undefined }],
  ['a client without queryOrder', { client: {} }],
  ['a limiter without acquire', { limiter: { pending: 0 } }],
  ['a store without list', { store: { get() {}, set() {}, delete() {} } }],
  ['a scheduler without now', { scheduler: { schedule() {} } }],
  ['jitter.ratio NaN', { jitter: { ratio: Number.NaN } }],
  ['jitter.ratio above 1', { jitter: { ratio: 2 } }],
  ['jitter.random not a function', { jitter: { random: 0.5 } }],
  ['followRefunds not a boolean', { followRefunds: 'yes' }],
  ['expect.totalFee NaN', { expect: { totalFee: Number.NaN } }],
  ['expect.totalFee 0', { expect: { totalFee: 0 } }],
  ['expect.totalFee in yuan', { expect: { totalFee: 1.5 } }],
  ['expect.totalFee as a string', { expect: { totalFee: '100' } }],
  ['expect without totalFee', { expect: { feeType: 'CNY' } }],
  ['expect.feeType lower case', { expect: { totalFee: 100, feeType: 'cny' } }],
  ['a merchant naming nothing', { merchant: {} }],
  ['a merchant with a numeric mchId', { merchant: { mchId: 10000100 } }],
  ['a merchant with an empty appId', { merchant: { appId: '' } }],
];

const BAD_QUERIES: readonly [string, unknown][] = [
  ['an empty query', {}],
  ['an empty outTradeNo', { outTradeNo: '' }],
  ['both ids', { outTradeNo: 'A', transactionId: '4200' }],
  ['a number', { outTradeNo: 42 }],
];

describe('bad options fail fast, at the call, with InvalidArgumentError', () => {
  it.each(BAD)('watchOrder refuses %s', (_name, bad) => {
    const options = { ...good, ...bad } as unknown as WatchOrderOptions;
    expect(() => watchOrder(options)).toThrow(InvalidArgumentError);
  });

  it.each(BAD)('watchOrders refuses %s', (_name, bad) => {
    const options = { ...good, ...bad } as unknown as WatchOrderOptions;
    expect(() => watchOrders(of({ outTradeNo: 'B1' }), options)).toThrow(InvalidArgumentError);
  });

  it.each(BAD.filter(([name]) => !/deadline|client/.test(name)))('resumeWatches refuses %s', (_name, bad) => {
    const options = { schedule: schedules.native, ...bad } as unknown as Parameters<typeof resumeWatches>[2];
    expect(() => resumeWatches(createMemorySnapshotStore(), client, options)).toThrow(InvalidArgumentError);
  });

  it('resumeWatches refuses a store or client that is not one', () => {
    const options = { schedule: schedules.native };
    expect(() => resumeWatches({} as never, client, options)).toThrow(InvalidArgumentError);
    expect(() => resumeWatches(createMemorySnapshotStore(), {} as never, options)).toThrow(InvalidArgumentError);
    expect(() => resumeWatches(createMemorySnapshotStore(), client, { ...options, deadline: Number.NaN })).toThrow(
      InvalidArgumentError,
    );
  });

  it.each(BAD_QUERIES)('watchOrder refuses %s as the query', (_name, query) => {
    expect(() => watchOrder({ ...good, query: query as OrderQuery })).toThrow(InvalidArgumentError);
  });

  it('says which option and what it must be, quoting only numbers', () => {
    expect(() => watchOrder({ ...good, deadline: Number.NaN })).toThrow(
      'watchOrder: deadline must be milliseconds after the start (finite, 0 or more) or a valid Date (got NaN)',
    );
    expect(() => watchOrder({ ...good, expect: { totalFee: 100, feeType: 'c;ny' } })).toThrow(/got a string\)$/);
  });

  it('a bad request on the stream of watchOrders errors it with InvalidArgumentError', async () => {
    const clock = new VirtualClock();
    const requests = new Subject<OrderQuery | WatchRequest>();
    const recording = clock.record(watchOrders(requests, { ...good, scheduler: clock.scheduler }));
    requests.next({ outTradeNo: 'B1' });
    requests.next({ query: { outTradeNo: 'B2' }, expect: { totalFee: Number.NaN } });
    await clock.settle();
    const last = recording.frames.at(-1)?.notification;
    expect(last?.kind).toBe('E');
    expect(last?.error).toBeInstanceOf(InvalidArgumentError);
    expect(String((last?.error as Error | undefined)?.message)).toMatch(/expect\.totalFee/);
  });

  it('a per-order deadline NaN is refused as well', async () => {
    const clock = new VirtualClock();
    const recording = clock.record(
      watchOrders(of({ query: { outTradeNo: 'B1' }, deadline: Number.NaN }), { ...good, scheduler: clock.scheduler }),
    );
    await clock.settle();
    expect(recording.frames.at(-1)?.notification.error).toBeInstanceOf(InvalidArgumentError);
  });
});

describe.each(DRIVERS)('%s: a schedule that returns no usable delay ends the watch ERROR, never a spin', (driver) => {
  it.each<[string, Schedule]>([
    ['NaN first', () => Number.NaN],
    ['a negative delay first', () => -1],
    ['Infinity first', () => Number.POSITIVE_INFINITY],
    ['NaN after the first answer', (attempt) => (attempt === 0 ? 10 : Number.NaN)],
    ['Infinity after the first answer', (attempt) => (attempt === 0 ? 10 : Number.POSITIVE_INFINITY)],
    ['a string', () => '2000' as unknown as number],
  ])('%s', async (_name, schedule) => {
    const { clock, client, last, recording } = startWatch(driver, [stateOutcome('W1', 'NOTPAY')], { schedule });
    await clock.advanceTo(120_000);
    expect(last()).toMatchObject({ done: true, end: 'ERROR', error: { code: 'SCHEDULE', retryable: false } });
    expect(last()?.error?.message).toMatch(/a schedule returned/);
    expect(client.times.length).toBeLessThanOrEqual(1);
    expect(recording.frames.at(-1)?.notification.kind).toBe('C');
  });
});
