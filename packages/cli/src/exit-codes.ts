import type { OrderWatch } from '@tradestate/machine';
/**
 * The process exit codes of `tradestate`, stable across versions so scripts can branch on them.
 *
 * | code | name | meaning |
 * |---|---|---|
 * | 0 | `PAID` | `watch`: the order is paid (SUCCESS). `demo`: every order ended as its script said. `sandbox`: stopped cleanly. |
 * | 1 | `ERROR` | an error that asking again will not fix (wrong key, mismatched answer), or a `demo` order that ended otherwise than scripted |
 * | 2 | `USAGE` | bad flags or configuration: nothing was queried |
 * | 3 | `UNPAID` | the order ended unpaid: CLOSED, REVOKED or PAYERROR |
 * | 4 | `NOT_FOUND` | WeChat does not know the order (ORDERNOTEXIST past the grace window) |
 * | 5 | `DEADLINE` | the deadline came with the order still open (NOTPAY, USERPAYING): its fate is unknown |
 * | 7 | `NO_ANSWER` | the deadline came without a single verified answer: nothing is known, neither close nor ship on it |
 * | 6 | `REFUNDED` | the order was paid and (partly) refunded |
 * | 130 | `CANCELLED` | interrupted (Ctrl-C) |
 *
 * @example
 * ```sh
 * tradestate watch --out-trade-no A1; [ $? -eq 0 ] && ship-goods A1
 * ```
 */
export const EXIT_CODES = {
  PAID: 0,
  ERROR: 1,
  USAGE: 2,
  UNPAID: 3,
  NOT_FOUND: 4,
  DEADLINE: 5,
  REFUNDED: 6,
  NO_ANSWER: 7,
  CANCELLED: 130,
} as const;

/**
 * One of the values of {@link EXIT_CODES}.
 *
 * @example
 * ```ts
 * const code: ExitCode = EXIT_CODES.PAID;
 * ```
 */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * The exit code of `tradestate watch` for the way the watch ended.
 *
 * @example
 * ```ts
 * exitCodeForEnd(lastWatch); // 3 for CLOSED, 7 for a DEADLINE with no verified answer
 * ```
 */
export function exitCodeForEnd(watch: Extract<OrderWatch, { done: true }>): ExitCode {
  switch (watch.end) {
    case 'SUCCESS':
      return EXIT_CODES.PAID;
    case 'REFUND':
      return EXIT_CODES.REFUNDED;
    case 'CLOSED':
    case 'REVOKED':
    case 'PAYERROR':
      return EXIT_CODES.UNPAID;
    case 'NOT_FOUND':
      return EXIT_CODES.NOT_FOUND;
    case 'DEADLINE':
      // No verified answer at all is not "still open": say so, so no script closes or ships on no information.
      return watch.reason === 'NO_ANSWER' ? EXIT_CODES.NO_ANSWER : EXIT_CODES.DEADLINE;
    case 'CANCELLED':
      return EXIT_CODES.CANCELLED;
    case 'ERROR':
      return EXIT_CODES.ERROR;
  }
}
