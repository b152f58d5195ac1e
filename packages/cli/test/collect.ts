import { Writable } from 'node:stream';
import type { OutputStream } from '../src/io.ts';

/** A writable that keeps what was written, posing as a terminal or a pipe. */
export function collect(options: { tty?: boolean } = {}): OutputStream & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return Object.assign(stream, { isTTY: options.tty ?? false, columns: 120, text: () => chunks.join('') });
}
