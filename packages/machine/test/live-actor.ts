import { Observable } from 'rxjs';
import { createActor } from 'xstate';
import type { NotificationInput } from '../src/definition/notification.ts';
import { toWatchOutcome } from '../src/definition/outcome.ts';
import type { OrderWatch } from '../src/definition/types.ts';
import { toOrderWatch, watchChanged } from '../src/streams/emission.ts';
import { watchInput } from '../src/streams/watch-options.ts';
import type { WatchOrderOptions } from '../src/streams/watch-order.ts';
import { createOrderMachine } from '../src/xstate.ts';

/**
 * The second driver of the one machine: a live xstate actor of `createOrderMachine` (invoked `wait` and
 * `queryOrder` actors), emitting what `watchOrder` would on every change. The model test holds `watchOrder`
 * (the engine) to what this actor does, event by event.
 */
export function watchWithActor(options: WatchOrderOptions): Observable<OrderWatch> {
  return new Observable<OrderWatch>((subscriber) => {
    const scheduler = options.scheduler;
    if (scheduler === undefined) throw new TypeError('the live-actor driver needs a virtual scheduler');
    const machine = createOrderMachine(options);
    const actor = createActor(machine, { input: watchInput(options, { query: options.query }, scheduler) });
    let last: OrderWatch | undefined;
    const publish = () => {
      const snapshot = actor.getSnapshot();
      const watch = toOrderWatch(snapshot.value, snapshot.context, last);
      if (!watchChanged(last, watch)) return;
      last = watch;
      subscriber.next(watch);
      if (watch.done) subscriber.complete();
    };
    const subscription = actor.subscribe({ next: publish, error: (error) => subscriber.error(error) });
    actor.start();
    publish();
    const notifications = options.notifications?.subscribe((n) => {
      if (actor.getSnapshot().status !== 'active') return;
      if ('kind' in n && n.kind === 'unverified') actor.send({ type: 'ASK', at: scheduler.now() });
      else actor.send({ type: 'NOTIFY', outcome: toWatchOutcome(n as NotificationInput), at: scheduler.now() });
    });
    return () => {
      notifications?.unsubscribe();
      subscription.unsubscribe();
      actor.stop();
    };
  });
}
