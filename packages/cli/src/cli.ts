#!/usr/bin/env node
import { processIo } from './io.ts';
import { run } from './program.ts';

// Kept thin: everything lives in program.ts and commands/, which tests drive in-process.
run(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
