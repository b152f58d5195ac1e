/**
 * `@tradestate/cli`: the `tradestate` command (`demo`, `watch`, `sandbox`) and the pieces it is made of, for
 * embedding the same behaviour in another program or test.
 *
 * @example
 * ```ts
 * import { run } from '@tradestate/cli';
 * process.exitCode = await run(['watch', '--out-trade-no', 'A1', '--json']);
 * ```
 */
export { CONFIG_ENV, type MerchantConfig, type MerchantFlags, resolveMerchantConfig } from './config.ts';
export { type DemoOptions, type DemoResult, runDemo } from './demo/run-demo.ts';
export { DEMO_SCENARIOS, type DemoScenario, type WatchGroup } from './demo/scenarios.ts';
export { formatDuration, parseDuration } from './duration.ts';
export { EXIT_CODES, type ExitCode, exitCodeForEnd } from './exit-codes.ts';
export { type CliIo, type OutputStream, processIo } from './io.ts';
export { type CommandContext, createProgram, run } from './program.ts';
