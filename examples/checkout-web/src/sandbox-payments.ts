import type { Sandbox } from '@tradestate/sandbox';
import type { PaymentsGateway } from './server.ts';

/**
 * The {@link PaymentsGateway} of the demo: the sandbox creates the order (standing in for WeChat's
 * `unifiedorder`, which would return the QR code's `code_url`), and "pays" it as the customer's phone would,
 * which makes it POST the signed notification to the order's `notify_url`.
 *
 * @example
 * const payments = sandboxPayments(await startSandbox());
 */
export function sandboxPayments(sandbox: Sandbox): PaymentsGateway {
  return {
    createOrder: async (order) => sandbox.createOrder({ ...order, tradeType: 'NATIVE' }),
    payAsCustomer: async (outTradeNo) => sandbox.setTradeState(outTradeNo, 'SUCCESS'),
  };
}
