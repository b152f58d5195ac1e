// Prints a results.json as Markdown tables (the README's performance section is made from it).
// Usage: tsx src/tools/results-to-markdown.ts [results.json]
import { readFileSync } from 'node:fs';
import { type BenchResults, validateResults } from '../harness/results.ts';
import { renderMarkdownTable } from '../harness/table.ts';

/** Renders every section and the targets of a results document as Markdown. */
export function resultsToMarkdown(results: BenchResults): string {
  const out: string[] = [];
  const { machine } = results;
  out.push(
    `Measured ${results.finishedAt.slice(0, 10)} with \`${results.command}\` (${results.mode}, ${Math.round(results.durationMs / 1000)} s) on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, library code run from ${results.runFrom === 'source' ? 'TypeScript sources (tsx)' : 'dist'}.`,
  );
  for (const section of results.sections) {
    out.push('', `### ${section.title}`, '');
    out.push(
      renderMarkdownTable(
        section.columns.map((c) => c.label),
        section.rows.map((row) => section.columns.map((c) => row[c.key] ?? undefined)),
      ),
    );
    if (section.notes.length > 0) out.push('', ...section.notes.map((n) => `- ${n}`));
  }
  out.push('', '### Targets', '');
  out.push(
    renderMarkdownTable(
      ['target', 'measured', 'limit', 'met', 'detail'],
      results.targets.map((t) => [
        t.description,
        t.measured ?? undefined,
        `${t.kind === 'max' ? '≤' : '≥'} ${t.limit}`,
        t.met === null ? 'not run' : t.met ? 'met' : '**missed**',
        t.detail,
      ]),
    ),
  );
  return out.join('\n');
}

const file = process.argv[2];
if (file !== undefined) {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const problems = validateResults(parsed);
  if (problems.length > 0) throw new Error(`invalid results: ${problems.join('; ')}`);
  console.log(resultsToMarkdown(parsed as BenchResults));
}
