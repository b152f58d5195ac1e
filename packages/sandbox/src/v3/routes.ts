/** One APIv3 pay request the sandbox serves, read from its path. */
export interface V3Route {
  readonly partner: boolean;
  readonly action: 'query' | 'close' | 'reverse';
  readonly outTradeNo: string | undefined;
  readonly transactionId: string | undefined;
  /** The path with the order id replaced by its name, for the counters. */
  readonly template: string;
}

const ROUTE = /^\/v3\/pay\/(partner\/)?transactions\/(out-trade-no|id)\/([^/?#]+)(\/close|\/reverse)?$/;

/** The route of `path` with the method it needs, or undefined when the sandbox serves no such v3 endpoint. */
export function v3Route(method: string, path: string): V3Route | 'method' | undefined {
  const m = ROUTE.exec(path);
  if (m === null) return undefined;
  const byId = m[2] === 'id';
  const suffix = m[4];
  if (byId && suffix !== undefined) return undefined; // close and reverse take out_trade_no only
  let id: string;
  try {
    id = decodeURIComponent(m[3] as string);
  } catch {
    return undefined;
  }
  const action = suffix === '/close' ? 'close' : suffix === '/reverse' ? 'reverse' : 'query';
  if ((action === 'query') !== (method === 'GET') || (action !== 'query' && method !== 'POST')) return 'method';
  const name = byId ? '{transaction_id}' : '{out_trade_no}';
  return {
    partner: m[1] !== undefined,
    action,
    outTradeNo: byId ? undefined : id,
    transactionId: byId ? id : undefined,
    template: `/v3/pay/${m[1] ?? ''}transactions/${m[2]}/${name}${suffix ?? ''}`,
  };
}
