/**
 * One thing the shop sells, at the price the shop sets. The page names a product by `sku`; the amount charged
 * is always this `totalFee`, never a number the page sent.
 *
 * @example
 * const sticker: Product = { sku: 'sticker', name: 'tradestate sticker', totalFee: 1 };
 */
export interface Product {
  readonly sku: string;
  readonly name: string;
  /** Integer fen (1/100 CNY). */
  readonly totalFee: number;
  /** ISO 4217; default `CNY`, the only currency of a domestic WeChat Pay merchant. */
  readonly feeType?: string | undefined;
}

/**
 * The shop's products by `sku` (a real shop reads them from its database).
 *
 * @example
 * const catalogue: Catalogue = createCatalogue([{ sku: 'mug', name: 'mug', totalFee: 2500 }]);
 */
export type Catalogue = ReadonlyMap<string, Product>;

const SKU = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * A catalogue of `products`; throws on a duplicate or malformed `sku` or an amount that is not a positive
 * integer number of fen, so a typo in the price list fails at start rather than at checkout.
 *
 * @example
 * const catalogue = createCatalogue([{ sku: 'sticker', name: 'tradestate sticker', totalFee: 1 }]);
 */
export function createCatalogue(products: readonly Product[]): Catalogue {
  const catalogue = new Map<string, Product>();
  for (const product of products) {
    if (!SKU.test(product.sku)) throw new Error(`sku ${JSON.stringify(product.sku)} is not 1-32 of [A-Za-z0-9_-]`);
    if (!Number.isSafeInteger(product.totalFee) || product.totalFee <= 0) {
      throw new Error(`the price of ${product.sku} must be a positive integer number of fen`);
    }
    if (catalogue.has(product.sku)) throw new Error(`sku ${product.sku} appears twice`);
    catalogue.set(product.sku, Object.freeze({ ...product }));
  }
  return catalogue;
}

/**
 * What the demo page sells: the sticker it shows, at 1 fen.
 *
 * @example
 * DEMO_CATALOGUE.get('sticker')?.totalFee; // 1
 */
export const DEMO_CATALOGUE: Catalogue = createCatalogue([{ sku: 'sticker', name: 'tradestate sticker', totalFee: 1 }]);

/**
 * The product a `POST /orders` body asks for: exactly `{ "sku": "…" }` naming a product of `catalogue`.
 * Anything else, an amount above all (`totalFee`), is refused with the reason: the page never sets a price.
 *
 * @example
 * productOf({ sku: 'sticker' }, DEMO_CATALOGUE); // { product: { sku: 'sticker', … } }
 * productOf({ sku: 'sticker', totalFee: 100 }, DEMO_CATALOGUE); // { refused: 'the amount comes from …' }
 */
export function productOf(body: unknown, catalogue: Catalogue): { product: Product } | { refused: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { refused: 'send {"sku": "…"}' };
  const fields = Object.keys(body);
  if (fields.some((field) => field !== 'sku')) {
    return { refused: "the amount comes from the shop's catalogue: send only the product's sku" };
  }
  const { sku } = body as { sku?: unknown };
  const product = typeof sku === 'string' ? catalogue.get(sku) : undefined;
  return product === undefined ? { refused: 'unknown product' } : { product };
}
