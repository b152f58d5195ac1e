import { renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The version tag of bench/results.json; bump it when the shape changes. */
export const RESULTS_SCHEMA = 'tradestate-bench/1';

export type Figure = string | number | null;

export interface Column {
  readonly key: string;
  readonly label: string;
}

/** One benchmark's table: rows keyed by column, plus the notes a reader needs to trust the figures. */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly columns: readonly Column[];
  readonly rows: readonly Readonly<Record<string, Figure>>[];
  readonly notes: readonly string[];
}

/** A target of issue 6 and whether this run met it; `met` is null when this run did not measure it. */
export interface TargetResult {
  readonly id: string;
  readonly description: string;
  /** The measured figure, in the unit of `limit`. */
  readonly measured: number | null;
  readonly limit: number;
  /** `max`: measured must be ≤ limit; `min`: measured must be ≥ limit. */
  readonly kind: 'max' | 'min';
  readonly met: boolean | null;
  readonly detail: string;
}

export interface BenchResults {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly mode: 'full' | 'quick';
  readonly command: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly machine: {
    readonly node: string;
    readonly platform: string;
    readonly arch: string;
    readonly cpus: number;
    readonly cpuModel: string;
  };
  /** How the library code ran: TypeScript sources through tsx (`source`) or the built dist (`dist`). */
  readonly runFrom: 'source' | 'dist';
  readonly sections: readonly Section[];
  readonly targets: readonly TargetResult[];
}

/** Describes the machine the figures come from. */
export function machineInfo(): BenchResults['machine'] {
  const list = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
  };
}

/** Judges a measured figure against a target limit. */
export function judge(measured: number | null, limit: number, kind: 'max' | 'min'): boolean | null {
  if (measured === null || !Number.isFinite(measured)) return null;
  return kind === 'max' ? measured <= limit : measured >= limit;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFigure(value: unknown): value is Figure {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function checkSection(section: unknown, at: string, problems: string[]): void {
  if (!isRecord(section)) {
    problems.push(`${at} is not an object`);
    return;
  }
  for (const field of ['id', 'title'] as const) {
    if (typeof section[field] !== 'string' || section[field] === '') problems.push(`${at}.${field} must be a string`);
  }
  const columns = section['columns'];
  const keys: string[] = [];
  if (!Array.isArray(columns) || columns.length === 0) problems.push(`${at}.columns must be a non-empty array`);
  else {
    columns.forEach((column, i) => {
      if (!isRecord(column) || typeof column['key'] !== 'string' || typeof column['label'] !== 'string') {
        problems.push(`${at}.columns[${i}] needs a string key and label`);
      } else keys.push(column['key']);
    });
  }
  const rows = section['rows'];
  if (!Array.isArray(rows)) problems.push(`${at}.rows must be an array`);
  else {
    rows.forEach((row, i) => {
      if (!isRecord(row)) {
        problems.push(`${at}.rows[${i}] is not an object`);
        return;
      }
      for (const key of keys) {
        if (!(key in row)) problems.push(`${at}.rows[${i}] lacks ${key}`);
        else if (!isFigure(row[key])) problems.push(`${at}.rows[${i}].${key} is not a finite number, string or null`);
      }
    });
  }
  const notes = section['notes'];
  if (!Array.isArray(notes) || !notes.every((n) => typeof n === 'string')) problems.push(`${at}.notes must be strings`);
}

function checkTarget(target: unknown, at: string, problems: string[]): void {
  if (!isRecord(target)) {
    problems.push(`${at} is not an object`);
    return;
  }
  for (const field of ['id', 'description', 'detail'] as const) {
    if (typeof target[field] !== 'string') problems.push(`${at}.${field} must be a string`);
  }
  const measured = target['measured'];
  if (!(measured === null || (typeof measured === 'number' && Number.isFinite(measured)))) {
    problems.push(`${at}.measured must be a finite number or null`);
  }
  if (typeof target['limit'] !== 'number' || !Number.isFinite(target['limit']))
    problems.push(`${at}.limit must be finite`);
  if (target['kind'] !== 'max' && target['kind'] !== 'min') problems.push(`${at}.kind must be max or min`);
  const met = target['met'];
  if (!(met === null || typeof met === 'boolean')) problems.push(`${at}.met must be a boolean or null`);
  else if (
    typeof measured === 'number' &&
    typeof target['limit'] === 'number' &&
    (target['kind'] === 'max' || target['kind'] === 'min') &&
    met !== judge(measured, target['limit'], target['kind'])
  ) {
    problems.push(`${at}.met disagrees with measured and limit`);
  }
}

/** Lists what is wrong with a parsed results.json; an empty list means it is valid. */
export function validateResults(value: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(value)) return ['results is not an object'];
  if (value['schema'] !== RESULTS_SCHEMA) problems.push(`schema must be ${RESULTS_SCHEMA}`);
  if (value['mode'] !== 'full' && value['mode'] !== 'quick') problems.push('mode must be full or quick');
  if (value['runFrom'] !== 'source' && value['runFrom'] !== 'dist') problems.push('runFrom must be source or dist');
  if (typeof value['command'] !== 'string') problems.push('command must be a string');
  for (const field of ['startedAt', 'finishedAt'] as const) {
    const instant = value[field];
    if (typeof instant !== 'string' || Number.isNaN(Date.parse(instant)))
      problems.push(`${field} must be an ISO instant`);
  }
  const duration = value['durationMs'];
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0) {
    problems.push('durationMs must be a non-negative number');
  }
  const machine = value['machine'];
  if (!isRecord(machine) || typeof machine['node'] !== 'string' || typeof machine['cpus'] !== 'number') {
    problems.push('machine must name node and cpus');
  }
  const sections = value['sections'];
  if (!Array.isArray(sections) || sections.length === 0) problems.push('sections must be a non-empty array');
  else for (const [i, s] of sections.entries()) checkSection(s, `sections[${i}]`, problems);
  const targets = value['targets'];
  if (!Array.isArray(targets)) problems.push('targets must be an array');
  else for (const [i, t] of targets.entries()) checkTarget(t, `targets[${i}]`, problems);
  return problems;
}

/** Validates and writes results atomically (a temporary file renamed over the target). */
export function writeResults(path: string, results: BenchResults): void {
  const problems = validateResults(results);
  if (problems.length > 0) throw new TypeError(`invalid bench results: ${problems.join('; ')}`);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(temporary, path);
}
