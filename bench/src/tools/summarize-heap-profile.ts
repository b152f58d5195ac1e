// Summarises a V8 sampling heap profile (.heapprofile, as the poll-loop client writes with
// TRADESTATE_BENCH_HEAP_PROF): bytes allocated per function (self), so the garbage of a poll can be traced.
// Usage: tsx src/tools/summarize-heap-profile.ts FILE.heapprofile [top=30] [divisor, e.g. the polls]
import { readFileSync } from 'node:fs';

interface HeapNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

const [file, topArg = '30', divisorArg = '1'] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: summarize-heap-profile.ts FILE.heapprofile [top] [divisor]');
const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
const divisor = Number(divisorArg);
const self = new Map<string, number>();
let total = 0;
const label = (node: HeapNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
  return url === ''
    ? functionName
    : `${functionName || '(anonymous)'} ${where.replace(/^.*\/work\/main\//, '')}:${lineNumber + 1}`;
};
// Built-ins (no script: Map, keys, exec…) are named with their caller, so they can be traced.
const walk = (node: HeapNode, parent: string): void => {
  const own = label(node);
  const key = node.callFrame.url === '' ? `${own} < ${parent}` : own;
  self.set(key, (self.get(key) ?? 0) + node.selfSize);
  total += node.selfSize;
  for (const child of node.children) walk(child, own);
};
walk(head, '(root)');
console.log(
  `sampled ${(total / 1024 / 1024).toFixed(1)} MB allocated; per divisor unit ${(total / divisor).toFixed(0)} B`,
);
for (const [key, bytes] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) {
  console.log(
    `${(bytes / divisor).toFixed(0).padStart(8)} B ${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${key}`,
  );
}
