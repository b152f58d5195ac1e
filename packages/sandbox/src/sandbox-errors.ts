import { InvalidArgumentError } from '@tradestate/protocol';

/**
 * Thrown by `setTradeState` (and answered 404 by the control API) when no order has that `out_trade_no`.
 *
 * @example
 * ```ts
 * try { sandbox.setTradeState('nope', 'SUCCESS'); } catch (err) { err instanceof UnknownOrderError; }
 * ```
 */
export class UnknownOrderError extends InvalidArgumentError {}

/**
 * Thrown when a state change is one WeChat never makes (a paid order back to NOTPAY, closing a paid order,
 * REVOKED outside MICROPAY…); answered 409 by the control API.
 *
 * @example
 * ```ts
 * try { sandbox.setTradeState('A1', 'NOTPAY'); } catch (err) { err instanceof TransitionRefusedError; }
 * ```
 */
export class TransitionRefusedError extends InvalidArgumentError {}
