import { describe, expect, it } from 'vitest';
import { createLiveView } from '../src/render/live-view.ts';
import type { OrderRow } from '../src/render/order-row.ts';
import { renderSummaryTable } from '../src/render/summary-table.ts';
import { collect } from './collect.ts';

const ESC = '\u001b[';

function rowsHolder() {
  let rows: OrderRow[] = [
    { label: 'a', timeline: [], queries: 0, elapsedMs: 0, status: 'running' },
    { label: 'bb', timeline: ['USERPAYING'], queries: 1, elapsedMs: 0, status: 'running' },
  ];
  return {
    rows: () => rows,
    set: (label: string, change: Partial<OrderRow>) => {
      rows = rows.map((row) => (row.label === label ? { ...row, ...change } : row));
    },
  };
}

describe('createLiveView when piped', () => {
  it('prints one plain line per state change, none for elapsed time alone, and no escape codes', () => {
    const out = collect({ tty: false });
    const holder = rowsHolder();
    let now = 0;
    const view = createLiveView(out, holder.rows, { now: () => now });
    view.refresh();
    now = 1200;
    holder.set('a', { elapsedMs: 1200 });
    view.refresh();
    holder.set('bb', { timeline: ['USERPAYING', 'SUCCESS'], queries: 3, elapsedMs: 1200, status: 'ok' });
    view.refresh();
    view.stop();

    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/\+0ms .* a .*\(no answer yet\)/);
    expect(lines[1]).toMatch(/USERPAYING\s+1 query/);
    expect(lines[2]).toMatch(/^\s*\+1\.2s\s+✔ bb\s+USERPAYING → SUCCESS\s+3 queries\s+1\.2s$/);
    expect(out.text()).not.toContain(ESC);
  });
});

describe('createLiveView on a terminal', () => {
  it('redraws every row in place with colours, and leaves the last frame on screen', () => {
    const out = collect({ tty: true });
    const holder = rowsHolder();
    const view = createLiveView(out, holder.rows, { tickMs: 10_000 });
    view.refresh();
    holder.set('a', { timeline: ['NOTPAY', 'CLOSED'], status: 'failed', note: 'expected SUCCESS' });
    view.stop();
    const text = out.text();
    expect(text).toContain(ESC); // cursor movement and colours
    // Each frame carries both rows; the last one shows the failure and its note.
    expect(text.match(/bb/g)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toContain('NOTPAY → CLOSED');
    expect(text).toContain('expected SUCCESS');
  });
});

describe('renderSummaryTable', () => {
  it('tabulates each order, and stays plain text without colour', () => {
    const table = renderSummaryTable(
      [
        { label: 'x', timeline: ['NOTPAY', 'SUCCESS'], queries: 4, elapsedMs: 2500, status: 'ok', expected: 'SUCCESS' },
        {
          label: 'y',
          timeline: ['NOTPAY', 'DEADLINE'],
          queries: 9,
          elapsedMs: 6000,
          status: 'failed',
          note: 'expected CLOSED',
          expected: 'CLOSED',
        },
      ],
      { color: false },
    );
    expect(table).not.toContain(ESC);
    const lines = table.split('\n');
    expect(lines.find((line) => line.includes(' x '))).toMatch(/NOTPAY → SUCCESS.*SUCCESS.*4.*2\.5s.*as scripted/);
    expect(lines.find((line) => line.includes(' y '))).toMatch(/DEADLINE.*CLOSED.*9.*6\.0s.*expected CLOSED/);
  });
});
