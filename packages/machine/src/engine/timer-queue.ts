import type { SchedulerLike } from 'rxjs';
import { type Cancellable, scheduleAt } from './clock.ts';

interface Item {
  readonly at: number;
  readonly key: string;
  readonly token: number;
}

/**
 * Many due times behind one timer: a binary min-heap of `(at, key)` and a single scheduler timer armed for
 * the earliest. Rescheduling a key supersedes its earlier entry (lazy deletion by token), so thousands of
 * watches cost one timer, not one each.
 *
 * @example
 * ```ts
 * const timers = new TimerQueue(asyncScheduler, (key, at) => console.log(key, 'due at', at));
 * timers.set('out_trade_no:A1', Date.now() + 2000);
 * ```
 */
export class TimerQueue {
  private readonly heap: Item[] = [];
  /** Reused by `fire`, which never runs inside itself (only the scheduler calls it). */
  private readonly due: string[] = [];
  private readonly tokens = new Map<string, number>();
  private nextToken = 0;
  private timer: Cancellable | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly onDue: (key: string, now: number) => void,
  ) {}

  /** Due keys waiting (superseded entries excluded). */
  get size(): number {
    return this.tokens.size;
  }

  /** Entries held in the heap, superseded ones included (what `compact` bounds). */
  get held(): number {
    return this.heap.length;
  }

  set(key: string, at: number): void {
    const token = ++this.nextToken;
    this.tokens.set(key, token);
    this.push({ at, key, token });
    this.compactIfStale();
    this.arm();
  }

  delete(key: string): void {
    this.tokens.delete(key);
    this.compactIfStale();
  }

  clear(): void {
    this.tokens.clear();
    this.heap.length = 0;
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private arm(): void {
    this.dropSuperseded();
    const top = this.heap[0];
    if (top === undefined || (this.timer !== undefined && this.timerAt <= top.at)) return;
    this.timer?.unsubscribe();
    this.timerAt = top.at;
    this.timer = scheduleAt(this.scheduler, top.at, () => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.fire();
    });
  }

  private fire(): void {
    const now = this.scheduler.now();
    // Keys due at one instant are collected before any is handled: handling one may reschedule others.
    const due = this.due;
    due.length = 0;
    for (;;) {
      this.dropSuperseded();
      const top = this.heap[0];
      if (top === undefined || top.at > now) break;
      this.pop();
      this.tokens.delete(top.key);
      due.push(top.key);
    }
    for (let i = 0; i < due.length; i++) this.onDue(due[i] as string, now);
    due.length = 0;
    this.arm();
  }

  /**
   * A superseded entry leaves the heap only when it reaches the top. One due far ahead (a watch's deadline,
   * set while it queries and superseded by the next due time a moment later) would sit there for the whole
   * watch, one per poll: rebuild the heap from the live entries once the superseded ones outnumber them.
   */
  private compactIfStale(): void {
    const heap = this.heap;
    if (heap.length < 1024 || heap.length <= 2 * this.tokens.size) return;
    let live = 0;
    for (const item of heap) if (this.tokens.get(item.key) === item.token) heap[live++] = item;
    heap.length = live;
    for (let i = (live >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private dropSuperseded(): void {
    for (let top = this.heap[0]; top !== undefined && this.tokens.get(top.key) !== top.token; top = this.heap[0]) {
      this.pop();
    }
  }

  private push(item: Item): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= item.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const size = heap.length;
    const item = heap[start] as Item;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      let smallestAt = item.at;
      if (left < size && (heap[left] as Item).at < smallestAt) {
        smallest = left;
        smallestAt = (heap[left] as Item).at;
      }
      if (right < size && (heap[right] as Item).at < smallestAt) smallest = right;
      if (smallest === i) break;
      heap[i] = heap[smallest] as Item;
      i = smallest;
    }
    heap[i] = item;
  }
}
