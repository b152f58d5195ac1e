import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

interface Frame {
  readonly frame: number;
  readonly notification: { kind: 'N' | 'C' | 'E'; value?: unknown; error?: unknown };
}

/**
 * rxjs's TestScheduler as the clock of code that also awaits promises (a client's answer). `TestScheduler.run`
 * flushes virtual time synchronously, before any promise settles; this clock instead fires one instant at a
 * time and lets promises settle in between, so marbles still describe exact virtual times.
 */
export class VirtualClock {
  readonly scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

  now(): number {
    return this.scheduler.now();
  }

  /** Lets pending promise callbacks run (they are microtasks; one macrotask turn drains them all). */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Advances virtual time to `until` ms, firing every timer due on the way in order. */
  async advanceTo(until: number): Promise<void> {
    for (;;) {
      await this.settle();
      const next = this.scheduler.actions[0] as unknown as { delay: number } | undefined;
      if (next === undefined || next.delay > until) break;
      this.scheduler.maxFrames = next.delay;
      this.scheduler.flush();
    }
    this.scheduler.frame = Math.max(this.scheduler.frame, until);
    await this.settle();
  }

  /** Advances by `ms`. */
  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.now() + ms);
  }

  /** Subscribes and records every notification with its virtual time, to compare with a marble diagram. */
  record<T>(source: Observable<T>) {
    const frames: Frame[] = [];
    const subscription = source.subscribe({
      next: (value) => frames.push({ frame: this.now(), notification: { kind: 'N', value } }),
      error: (error) => frames.push({ frame: this.now(), notification: { kind: 'E', error } }),
      complete: () => frames.push({ frame: this.now(), notification: { kind: 'C' } }),
    });
    return { frames, subscription };
  }
}

/** Parses a marble diagram in run mode (time progression like `1999ms`, one frame = 1 ms). */
export function marbles(diagram: string, values?: Record<string, unknown>): Frame[] {
  // One character is one frame of 1 ms, as inside `TestScheduler.run`.
  const factor = TestScheduler.frameTimeFactor;
  TestScheduler.frameTimeFactor = 1;
  try {
    return parse(diagram, values);
  } finally {
    TestScheduler.frameTimeFactor = factor;
  }
}

function parse(diagram: string, values?: Record<string, unknown>): Frame[] {
  return TestScheduler.parseMarbles(diagram, values, undefined, false, true).map(({ frame, notification }) => ({
    frame,
    notification:
      notification.kind === 'N'
        ? { kind: 'N', value: notification.value }
        : notification.kind === 'E'
          ? { kind: 'E', error: notification.error }
          : { kind: 'C' },
  }));
}
