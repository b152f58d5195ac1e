import { afterEach } from 'vitest';
import { createPayClient, type PayClient, type PayClientOptions } from '../src/index.ts';
import { KEY } from './fixtures.ts';
import { type Handler, startServer, type TestServer } from './http-server.ts';

/** The merchant the client tests sign as. */
export const MERCHANT = { appId: 'wx2421b1c4370ec43b', mchId: '10000100', key: KEY };

/** Registers an `afterEach` that closes every server started through the returned function in that test. */
export function serverPool(): (handler: Handler) => Promise<TestServer> {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (handler) => {
    const server = await startServer(handler);
    servers.push(server);
    return server;
  };
}

/** A {@link PayClient} for {@link MERCHANT} talking to `server`. */
export function clientOf(server: TestServer, options: Partial<PayClientOptions> = {}): PayClient {
  return createPayClient({ ...MERCHANT, baseURL: server.url, ...options });
}
