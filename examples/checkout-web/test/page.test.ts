import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckout } from './checkout-harness.ts';

// Debian's chromium, as .ci/run installs it.
const CHROMIUM = '/usr/bin/chromium';
const artifacts = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(() => browser?.close());

describe('the checkout page in Chromium', () => {
  it('shows waiting for payment, then paid once the phone pays', async () => {
    const checkout = await startCheckout({ deadlineMs: 60_000 });
    const page = await browser.newPage({ viewport: { width: 640, height: 520 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(checkout.url);
      await page.getByRole('button', { name: 'Place order' }).click();
      const status = page.locator('#status');
      // The page shows "waiting for payment" before any order exists: wait for the order's number first.
      const orderNumber = page.locator('#out-trade-no');
      await expect.poll(async () => (await orderNumber.textContent()) ?? '').not.toBe('');
      await expect.poll(() => status.textContent()).toBe('waiting for payment');
      const outTradeNo = await orderNumber.textContent();
      expect(checkout.sandbox.getOrder(outTradeNo ?? '')?.tradeState).toBe('NOTPAY');

      await page.getByRole('button', { name: 'Pay with phone (sandbox)' }).click();
      await status.filter({ hasText: /^paid$/ }).waitFor({ timeout: 10_000 });
      expect(await status.getAttribute('data-status')).toBe('paid');
      expect(await page.locator('#detail').textContent()).toContain(
        `transaction ${checkout.sandbox.getOrder(outTradeNo ?? '')?.transactionId}`,
      );
      expect(await page.getByRole('button', { name: 'Pay with phone (sandbox)' }).isDisabled()).toBe(true);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}checkout-paid.png` });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await checkout.close();
    }
  });

  it('shows closed when nobody pays before the deadline', async () => {
    const checkout = await startCheckout({ deadlineMs: 400 });
    const page = await browser.newPage();
    try {
      await page.goto(checkout.url);
      await page.getByRole('button', { name: 'Place order' }).click();
      const status = page.locator('#status');
      await status.filter({ hasText: /^closed$/ }).waitFor({ timeout: 10_000 });
      expect(await status.getAttribute('data-status')).toBe('closed');
      const outTradeNo = await page.locator('#out-trade-no').textContent();
      expect(checkout.sandbox.getOrder(outTradeNo ?? '')?.tradeState).toBe('CLOSED');
      expect(await page.getByRole('button', { name: 'Pay with phone (sandbox)' }).isDisabled()).toBe(true);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}checkout-closed.png` });
    } finally {
      await page.close();
      await checkout.close();
    }
  });
});
