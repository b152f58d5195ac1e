import { FAULT_KINDS } from './faults.ts';
import type { FaultKind, SandboxCounters } from './types.ts';

function zeroFaults(): Record<FaultKind, number> {
  const out = {} as Record<FaultKind, number>;
  for (const kind of FAULT_KINDS) out[kind] = 0;
  return out;
}

/** Mutable tallies behind {@link SandboxCounters}; cheap to bump on the request path. */
export class Counters {
  requests = 0;
  abandoned = 0;
  byEndpoint = new Map<string, number>();
  byAnswer = new Map<string, number>();
  faults = zeroFaults();
  notifications = { sent: 0, acknowledged: 0, failed: 0 };

  endpoint(path: string): void {
    this.requests++;
    this.byEndpoint.set(path, (this.byEndpoint.get(path) ?? 0) + 1);
  }

  answer(what: string): void {
    this.byAnswer.set(what, (this.byAnswer.get(what) ?? 0) + 1);
  }

  fault(kind: FaultKind): void {
    this.faults[kind]++;
  }

  reset(): void {
    this.requests = 0;
    this.abandoned = 0;
    this.byEndpoint.clear();
    this.byAnswer.clear();
    this.faults = zeroFaults();
    this.notifications = { sent: 0, acknowledged: 0, failed: 0 };
  }

  snapshot(queriesByOrder: Record<string, number>): SandboxCounters {
    return {
      requests: this.requests,
      abandoned: this.abandoned,
      byEndpoint: Object.fromEntries(this.byEndpoint),
      byAnswer: Object.fromEntries(this.byAnswer),
      faultsInjected: { ...this.faults },
      notifications: { ...this.notifications },
      queriesByOrder,
    };
  }
}
