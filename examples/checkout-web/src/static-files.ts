import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function rxjsBundlePath(): string {
  // rxjs's package entry is dist/cjs/index.js; its UMD bundle sits beside it in dist/bundles.
  const entry = createRequire(import.meta.url).resolve('rxjs');
  return join(dirname(entry), '..', 'bundles', 'rxjs.umd.min.js');
}

/**
 * The files the checkout page needs, by URL path, with their content types. rxjs comes from node_modules as its
 * UMD bundle, so the page needs no build step.
 *
 * @example
 * const files = await loadStaticFiles();
 * files.get('/')?.contentType; // 'text/html; charset=utf-8'
 */
export async function loadStaticFiles(): Promise<Map<string, { contentType: string; body: Buffer }>> {
  const entries: [string, string, string][] = [
    ['/', join(here, 'public', 'index.html'), 'text/html; charset=utf-8'],
    ['/checkout.js', join(here, 'public', 'checkout.js'), 'text/javascript; charset=utf-8'],
    ['/checkout.css', join(here, 'public', 'checkout.css'), 'text/css; charset=utf-8'],
    ['/vendor/rxjs.umd.min.js', rxjsBundlePath(), 'text/javascript; charset=utf-8'],
  ];
  const files = new Map<string, { contentType: string; body: Buffer }>();
  for (const [path, file, contentType] of entries) files.set(path, { contentType, body: await readFile(file) });
  return files;
}
