import { inspect } from 'node:util';
import { XMLParser } from 'fast-xml-parser';

/** Something a user could see or store: an error, a log line, an emission, a snapshot, CLI output. */
export interface Artifact {
  readonly label: string;
  readonly text: string;
}

/** Every way an error reaches a log: message, stack, `String`, JSON, and `util.inspect` with its cause chain. */
export function errorArtifacts(label: string, error: unknown): Artifact[] {
  const out: Artifact[] = [{ label: `${label} inspect`, text: inspect(error, { depth: 6, breakLength: 200 }) }];
  if (error instanceof Error) {
    out.push({ label: `${label} message`, text: error.message });
    out.push({ label: `${label} stack`, text: error.stack ?? '' });
    out.push({ label: `${label} String`, text: String(error) });
    out.push({ label: `${label} JSON`, text: JSON.stringify(error) ?? '' });
  }
  return out;
}

/** A value as JSON (snapshots, emissions) and as `util.inspect` prints it. */
export function valueArtifacts(label: string, value: unknown): Artifact[] {
  return [
    { label: `${label} JSON`, text: JSON.stringify(value) ?? '' },
    { label: `${label} inspect`, text: inspect(value, { depth: 8, breakLength: 200 }) },
  ];
}

const parser = new XMLParser({ parseTagValue: false, trimValues: false, processEntities: true, htmlEntities: true });

/**
 * The WeChat Pay v2 signing strings of every XML body seen on the wire (`k=v&…` over the fields but `sign`,
 * without and with `&key=`): a leak of either gives away the input of a signature.
 */
export function signingStrings(bodies: readonly string[], key: string): string[] {
  const out = new Set<string>();
  for (const body of bodies) {
    let root: unknown;
    try {
      root = (parser.parse(body) as Record<string, unknown>)['xml'];
    } catch {
      continue;
    }
    // Only signed messages: an unsigned FAIL answer's fields are no signature input.
    if (typeof root !== 'object' || root === null || !('sign' in root)) continue;
    const pairs = Object.entries(root as Record<string, unknown>)
      .filter(([name, value]) => name !== 'sign' && name !== '#text' && typeof value === 'string' && value !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${name}=${String(value)}`);
    const signed = pairs.join('&');
    out.add(signed);
    out.add(`${signed}&key=${key}`);
  }
  return [...out];
}

/** Where a secret shows up: the artifact's label and the secret's kind. Empty when nothing leaks. */
export function findLeaks(
  artifacts: readonly Artifact[],
  key: string,
  signed: readonly string[],
): Array<{ label: string; leak: string }> {
  const leaks: Array<{ label: string; leak: string }> = [];
  const needle = key.toLowerCase();
  // A prefix too: a truncated or partly redacted key is still a leak.
  const prefix = needle.slice(0, 12);
  for (const artifact of artifacts) {
    const text = artifact.text.toLowerCase();
    if (text.includes(needle)) leaks.push({ label: artifact.label, leak: 'the API key' });
    else if (text.includes(prefix)) leaks.push({ label: artifact.label, leak: 'a prefix of the API key' });
    for (const string of signed) {
      if (artifact.text.includes(string))
        leaks.push({ label: artifact.label, leak: `a signing string (${string.length} chars)` });
    }
  }
  return leaks;
}
