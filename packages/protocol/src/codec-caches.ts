/**
 * The one switch over the codec's module-global caches: the XML scanner's remembered document shapes
 * (`xml-scan.ts`) and the signer's remembered sort orders and signing plans (`sign.ts`). They only ever change
 * the cost of a call, never its result; the fuzz differential runs every body with them on and off to keep that
 * true. On by default. Internal: not exported from the package.
 *
 * @example
 * ```ts
 * setCodecCaches(false);
 * try { parseXml(body); } finally { setCodecCaches(true); }
 * ```
 * @internal
 */
export function setCodecCaches(enabled: boolean): void {
  codecCaches.enabled = enabled;
}

/**
 * Read by the cached paths at each call (a property read, as cheap as a module variable and allowed by the
 * no-mutable-exports rule).
 *
 * @example
 * ```ts
 * if (codecCaches.enabled) remember(fields);
 * ```
 * @internal
 */
export const codecCaches: { enabled: boolean } = { enabled: true };
