// xstate's public `transition()` against the engine's cached transition plans (`createPureStepper().advance`),
// on the poll cycle every watch spends its life in (DUE → querying, ANSWER NOTPAY → waiting): µs per step.
// It answers the question "is xstate's public transition() fast enough to drop the plans?".
// Usage: tsx --conditions=@tradestate/source src/tools/transition-vs-plans.ts [steps=200000]
import { transition } from 'xstate';
import { pureOrderMachine } from '../../../packages/machine/src/definition/machine.ts';
import type { OrderEvent, StoredOrder } from '../../../packages/machine/src/definition/types.ts';
import { createPureStepper } from '../../../packages/machine/src/engine/pure-step.ts';

const steps = Number(process.argv[2] ?? 200_000);
const order = { outTradeNo: 'B1', transactionId: '4200', totalFee: 1000, mchId: '10000100' } as unknown as StoredOrder;
const input = { query: { outTradeNo: 'B1' }, startedAt: 0, deadlineAt: 1e15, firstQueryAt: 0 };
const eventAt = (i: number): OrderEvent =>
  i % 2 === 0
    ? { type: 'DUE', at: i }
    : { type: 'ANSWER', outcome: { kind: 'order', tradeState: 'NOTPAY', order }, at: i, nextDelayMs: 1 };

function timePlans(): number {
  const step = createPureStepper();
  const first = step.initial(input);
  let state = { value: first.value, context: first.context };
  const started = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) state = step.advance(state, eventAt(i));
  return Number(process.hrtime.bigint() - started) / 1000 / steps;
}

function timePublic(): number {
  const step = createPureStepper();
  let snapshot = step.initial(input);
  const started = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) snapshot = transition(pureOrderMachine, snapshot, eventAt(i))[0];
  return Number(process.hrtime.bigint() - started) / 1000 / steps;
}

// Warm both paths, then three rounds each; the medians are reported.
timePlans();
timePublic();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] as number;
const plans = median([timePlans(), timePlans(), timePlans()]);
const pub = median([timePublic(), timePublic(), timePublic()]);
console.log(
  `per step: cached plans ${plans.toFixed(2)} µs · xstate transition() ${pub.toFixed(2)} µs · ratio ${(pub / plans).toFixed(1)}×`,
);
