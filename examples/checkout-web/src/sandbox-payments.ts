import type { Sandbox } from '@tradestate/sandbox';
import type { PaymentsGateway } from './server.ts';

/**
 * The {@link PaymentsGateway} of the demo: the sandbox creates the order (standing in for WeChat's
 * `unifiedorder`, which would return the QR code's `code_url`), and "pays" it as the customer's phone would,
 * which makes it POST the signed notification to the order's `notify_url` (v2 XML, or APIv3 with `api` `'v3'`).
 *
 * @example
 * const payments = sandboxPayments(await startSandbox());
 */
export function sandboxPayments(sandbox: Sandbox, api: 'v2' | 'v3' = 'v2'): PaymentsGateway {
  return {
    createOrder: async (order) => sandbox.createOrder({ ...order, tradeType: 'NATIVE', notifyApi: api }),
    payAsCustomer: async (outTradeNo) => sandbox.setTradeState(outTradeNo, 'SUCCESS'),
  };
}
