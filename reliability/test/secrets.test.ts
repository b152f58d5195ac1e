import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { run } from '@tradestate/cli';
import {
  createMemorySnapshotStore,
  type OrderWatch,
  type SnapshotStore,
  watchOrder,
  watchOrders,
} from '@tradestate/machine';
import { createSqliteSnapshotStore } from '@tradestate/machine/sqlite';
import { createOrderMachine } from '@tradestate/machine/xstate';
import { createPayClient, decodeNotification, decodeOrderQuery, type OrderQueryClient } from '@tradestate/protocol';
import { buildXml, sign } from '@tradestate/protocol/codec';
import { FAULT_KINDS, type Sandbox, startSandbox } from '@tradestate/sandbox';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { HOSTILE_BEHAVIOURS, startHostileServer } from '../src/secrets/hostile-server.ts';
import { type Artifact, errorArtifacts, findLeaks, signingStrings, valueArtifacts } from '../src/secrets/leak-scan.ts';
import { type RecordingProxy, startRecordingProxy } from '../src/secrets/recording-proxy.ts';

// A recognisable 32-character key: any trace of it (or of its first 12 characters) anywhere is a leak.
const CANARY = 'CanaryKey0tradestateLeak7f3e9d1c';
const APP_ID = 'wxd930ea5d5a258f4f';
const MCH_ID = '10000100';
const OTHER_KEY = 'ffffffffffffffffffffffffffffffff';

const artifacts: Artifact[] = [];
const logs: string[] = [];
let sandbox: Sandbox;
let proxy: RecordingProxy;
let workDir: string;

function client(key = CANARY, baseURL = proxy.url, timeoutMs = 400): OrderQueryClient {
  return createPayClient({ appId: APP_ID, mchId: MCH_ID, key, baseURL, timeoutMs });
}

async function settle(label: string, run: () => Promise<unknown> | unknown): Promise<void> {
  try {
    artifacts.push(...valueArtifacts(label, await run()));
  } catch (error) {
    artifacts.push(...errorArtifacts(label, error));
  }
}

function collector(): Writable & { text(): string; isTTY: boolean } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return Object.assign(stream, { isTTY: false, text: () => chunks.join('') });
}

async function cli(label: string, argv: string[], env: Record<string, string>): Promise<number> {
  const stdout = collector();
  const stderr = collector();
  const code = await run(argv, { stdout, stderr, env });
  artifacts.push({ label: `${label} stdout`, text: stdout.text() }, { label: `${label} stderr`, text: stderr.text() });
  return code;
}

/** A store that keeps, besides the entries, every JSON written to it: what a database would hold over time. */
function recordingStore(label: string): SnapshotStore {
  const inner = createMemorySnapshotStore();
  return {
    get: (key) => inner.get(key),
    set: (key, entry) => {
      artifacts.push({ label: `${label} store.set ${key}`, text: JSON.stringify(entry) });
      return inner.set(key, entry);
    },
    delete: (key) => inner.delete(key),
    list: () => inner.list(),
  };
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'tradestate-secrets-'));
  sandbox = await startSandbox({
    merchants: [{ appId: APP_ID, mchId: MCH_ID, key: CANARY }],
    seed: 3,
    timeScale: 0.01,
    logger: (line) => logs.push(line),
  });
  proxy = await startRecordingProxy(sandbox.url);
  sandbox.createOrder({
    outTradeNo: 'PAID1',
    totalFee: 101,
    tradeType: 'NATIVE',
    attach: 'gift',
    script: [{ afterMs: 2000, tradeState: 'SUCCESS' }],
  });
  sandbox.createOrder({ outTradeNo: 'OPEN1', totalFee: 5, tradeType: 'JSAPI' });
  sandbox.createOrder({ outTradeNo: 'OPEN2', totalFee: 6, tradeType: 'JSAPI' });
  sandbox.createOrder({
    outTradeNo: 'MICRO1',
    totalFee: 7,
    tradeType: 'MICROPAY',
    initialState: 'USERPAYING',
    script: [{ afterMs: 1000, tradeState: 'PAYERROR' }],
  });
});

afterAll(async () => {
  await proxy?.close();
  await sandbox?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('secrets: the API key and signed strings appear nowhere', () => {
  it('client outcomes and errors under every sandbox fault', async () => {
    await settle('outcome paid-or-not', () => client().queryOrder({ outTradeNo: 'PAID1' }));
    await settle('outcome not-found', () => client().queryOrder({ outTradeNo: 'NOSUCHORDER' }));
    await settle('wrong-key client (SIGNERROR)', () => client(OTHER_KEY).queryOrder({ outTradeNo: 'PAID1' }));
    // Every kind the sandbox knows, so a fault added later is covered here without anyone remembering to.
    for (const fault of FAULT_KINDS) {
      sandbox.setFaults({ [fault]: 1, latencyMs: 20 });
      await settle(`fault ${fault}`, () => client().queryOrder({ outTradeNo: 'OPEN1' }));
    }
    sandbox.setFaults({});
    await settle('aborted by the caller', () =>
      client().queryOrder({ outTradeNo: 'OPEN1' }, { signal: AbortSignal.abort(new Error('caller gave up')) }),
    );
    await settle('bad options', () => createPayClient({ appId: 'bad appid!', mchId: MCH_ID, key: CANARY }));
    await settle('bad query', () => client().queryOrder({ outTradeNo: 'bad id!' }));
  });

  it('client errors from hostile servers (status, JSON, redirect, oversized, invalid UTF-8, drip, empty, echo)', async () => {
    const hostile = await startHostileServer();
    try {
      for (const behaviour of HOSTILE_BEHAVIOURS) {
        await settle(`hostile ${behaviour}`, () =>
          client(CANARY, hostile.url(behaviour), 300).queryOrder({ outTradeNo: 'OPEN1' }),
        );
      }
    } finally {
      await hostile.close();
    }
  });

  it('decode errors of answers and notifications', () => {
    const fields = {
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      appid: APP_ID,
      mch_id: MCH_ID,
      nonce_str: 'n1',
      out_trade_no: 'PAID1',
      trade_state: 'SUCCESS',
      total_fee: '101',
    };
    const signed = buildXml({ ...fields, sign: sign(fields, CANARY) });
    const bodies: Array<[string, string]> = [
      ['tampered', signed.replace('<total_fee>101', '<total_fee>1')],
      ['unsigned', buildXml(fields)],
      ['other key', buildXml({ ...fields, sign: sign(fields, OTHER_KEY) })],
      ['hmac expected', signed],
      ['doctype', `<!DOCTYPE x [<!ENTITY k "${CANARY}">]>${signed}`],
      ['garbage', `${signed}trailing`],
    ];
    for (const [label, body] of bodies) {
      const signType = label === 'hmac expected' ? 'HMAC-SHA256' : 'MD5';
      artifacts.push(...collect(`decodeOrderQuery ${label}`, () => decodeOrderQuery(body, { key: CANARY, signType })));
      artifacts.push(
        ...collect(`decodeNotification ${label}`, () => decodeNotification(body, { key: CANARY, signType })),
      );
    }
    artifacts.push(
      ...collect('mismatch', () =>
        decodeOrderQuery(signed, { key: CANARY, signType: 'MD5', expect: { outTradeNo: 'OTHER' } }),
      ),
    );
    // These bodies never crossed the proxy: their signing strings are scanned for too.
    extraSigned.push(signed, buildXml({ ...fields, sign: sign(fields, OTHER_KEY) }));
  });

  it('machine emissions, persisted snapshots, inspection events and the SQLite file', async () => {
    const inspected: unknown[] = [];
    const watches = await lastValueFrom(
      watchOrder({
        client: client(),
        query: { outTradeNo: 'PAID1' },
        schedule: (_attempt, last) => (last.kind === 'retryable-error' ? 60 : 40),
        deadline: 5000,
        store: recordingStore('watchOrder PAID1'),
      }).pipe(toArray()),
    );
    expect(watches.at(-1)?.end).toBe('SUCCESS');
    // The same machine as a live xstate actor, inspected: what an inspector sees carries no secret either.
    const startedAt = Date.now();
    const actor = createActor(
      createOrderMachine({
        client: client(),
        schedule: (_attempt, last) => (last.kind === 'retryable-error' ? 60 : 40),
      }),
      {
        input: { query: { outTradeNo: 'PAID1' }, startedAt, deadlineAt: startedAt + 5000 },
        inspect: (event) => inspected.push(event),
      },
    );
    actor.start();
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('SUCCESS');
    artifacts.push(...valueArtifacts('watchOrder emissions', watches));
    for (const [n, event] of inspected.entries()) artifacts.push(...valueArtifacts(`inspection ${n}`, safe(event)));

    // A watch that can never verify an answer: errors end up in the watch and its snapshots.
    const failing = await lastValueFrom(
      watchOrder({
        client: client(OTHER_KEY),
        query: { outTradeNo: 'OPEN1' },
        schedule: () => 30,
        deadline: 2000,
        store: recordingStore('watchOrder wrong key'),
      }).pipe(toArray()),
    );
    artifacts.push(...valueArtifacts('wrong-key emissions', failing));
    expect(failing.at(-1)?.done).toBe(true);

    // Watches cut off mid-way leave their snapshots in SQLite: read the database files as bytes.
    const db = join(workDir, 'watches.db');
    const store = createSqliteSnapshotStore(db);
    sandbox.setFaults({ systemError: 0.5, badSignature: 0.3 });
    const seen: OrderWatch[] = [];
    const controller = new AbortController();
    const subscription = watchOrders(
      from([{ outTradeNo: 'OPEN1' }, { outTradeNo: 'OPEN2' }, { outTradeNo: 'MICRO1' }]),
      {
        client: client(),
        schedule: () => 30,
        deadline: 60_000,
        store,
        signal: controller.signal,
      },
    ).subscribe((watch) => seen.push(watch));
    await new Promise((resolve) => setTimeout(resolve, 600));
    subscription.unsubscribe();
    sandbox.setFaults({});
    expect(seen.length).toBeGreaterThan(3);
    const stored = await store.list();
    expect(stored.length).toBeGreaterThan(0);
    artifacts.push(...valueArtifacts('sqlite list', stored));
    store.close();
    for (const file of readdirSync(workDir).filter((name) => name.startsWith('watches.db'))) {
      artifacts.push({ label: `sqlite file ${file}`, text: readFileSync(join(workDir, file)).toString('latin1') });
    }
    artifacts.push(...valueArtifacts('watchOrders emissions', seen));
  });

  it('CLI --json output and messages, with the key from the environment, a flag and a key file', async () => {
    const env = { TRADESTATE_APPID: APP_ID, TRADESTATE_MCH_ID: MCH_ID };
    const watch = ['watch', '--json', '--base-url', proxy.url, '--interval', '50ms', '--timeout', '300ms'];
    await cli('cli env key', [...watch, '--out-trade-no', 'PAID1', '--deadline', '3s'], {
      ...env,
      TRADESTATE_KEY: CANARY,
    });
    await cli('cli wrong key', [...watch, '--out-trade-no', 'OPEN1', '--deadline', '1s'], {
      ...env,
      TRADESTATE_KEY: OTHER_KEY,
    });
    await cli('cli --key flag', [...watch, '--out-trade-no', 'MICRO1', '--deadline', '2s', '--key', CANARY], env);
    const keyFile = join(workDir, 'key');
    writeFileSync(keyFile, `${CANARY}\n`, { mode: 0o644 });
    await cli('cli key file', [...watch, '--out-trade-no', 'OPEN2', '--deadline', '500ms', '--key-file', keyFile], env);
    writeFileSync(keyFile, `${CANARY} ${CANARY}\n`, { mode: 0o600 });
    await cli('cli bad key file', [...watch, '--out-trade-no', 'OPEN2', '--key-file', keyFile], env);
    sandbox.setFaults({ html502: 0.5, hang: 0.2 });
    await cli('cli faults', [...watch, '--out-trade-no', 'OPEN2', '--deadline', '1s'], {
      ...env,
      TRADESTATE_KEY: CANARY,
    });
    sandbox.setFaults({});
    await cli('cli bad flags', [...watch, '--out-trade-no', 'bad id!'], { ...env, TRADESTATE_KEY: CANARY });
    await cli('cli help', ['watch', '--help'], { ...env, TRADESTATE_KEY: CANARY });
  });

  it('CLI errors for every way of putting the key where it does not belong', async () => {
    const env = { TRADESTATE_APPID: APP_ID, TRADESTATE_MCH_ID: MCH_ID, TRADESTATE_BASE_URL: proxy.url };
    const watch = ['watch', '--out-trade-no', 'OPEN1', '--timeout', '300ms', '--deadline', '1s'];
    const withKey = { ...env, TRADESTATE_KEY: CANARY };
    const typos: Array<[string, string[], Record<string, string>]> = [
      ['unknown option with =', [...watch, `--keys=${CANARY}`], env],
      ['unknown option, value apart', [...watch, '--api-key', CANARY], env],
      ['flag glued to the key', [...watch, `--key${CANARY}`], env],
      ['short flag glued to the key', [...watch, `-k${CANARY}`], env],
      ['unknown option before the command', [`--key=${CANARY}`, ...watch], env],
      ['key as --key-file', [...watch, '--key-file', CANARY], env],
      ['key as --key-file=', [...watch, `--key-file=${CANARY}`], env],
      ['key in TRADESTATE_KEY_FILE', watch, { ...env, TRADESTATE_KEY_FILE: CANARY }],
      ['key as --sign-type', [...watch, '--sign-type', CANARY], withKey],
      ['key in TRADESTATE_SIGN_TYPE', watch, { ...withKey, TRADESTATE_SIGN_TYPE: CANARY }],
      ['key as --schedule', [...watch, '--schedule', CANARY], withKey],
      ['key as the command', [CANARY], env],
      ['key as a stray argument', [...watch, CANARY], env],
      ['--key= then the key', [...watch, '--key=', CANARY], env],
      ['key in a quoted flag, known from the variable', [...watch, '--interval', CANARY], withKey],
      ['key in a quoted flag, known from --key', [...watch, `--key=${CANARY}`, '--base-url', CANARY], env],
    ];
    for (const [label, argv, typoEnv] of typos) {
      expect(await cli(`cli typo: ${label}`, argv, typoEnv)).toBe(2);
    }
  });

  it('finds none of them in any artifact, sandbox log line included', () => {
    artifacts.push(...logs.map((line, n) => ({ label: `sandbox log ${n}`, text: line })));
    const signed = signingStrings([...proxy.bodies, ...extraSigned], CANARY);
    // The scan saw enough to mean something: every path above produced output, and real signed traffic.
    expect(artifacts.length).toBeGreaterThan(150);
    expect(logs.length).toBeGreaterThan(0);
    expect(signed.length).toBeGreaterThan(40);
    expect(findLeaks(artifacts, CANARY, signed)).toEqual([]);
  });

  it('the scan itself finds a planted key, key prefix and signing string', () => {
    const [signedString] = signingStrings(extraSigned, CANARY);
    const planted: Artifact[] = [
      { label: 'key', text: `config: ${CANARY.toUpperCase()}` },
      { label: 'prefix', text: `key=${CANARY.slice(0, 14)}…` },
      { label: 'signed', text: `debug ${signedString}` },
    ];
    expect(findLeaks(planted, CANARY, signingStrings(extraSigned, CANARY)).map((l) => l.label)).toEqual([
      'key',
      'prefix',
      'signed',
    ]);
  });
});

const extraSigned: string[] = [];

function collect(label: string, run: () => unknown): Artifact[] {
  try {
    return valueArtifacts(label, run());
  } catch (error) {
    return errorArtifacts(label, error);
  }
}

/** Inspection events hold live actor references; keep the parts a logger would print. */
function safe(event: unknown): unknown {
  const e = event as { type?: unknown; event?: unknown; snapshot?: { value?: unknown; context?: unknown } };
  return { type: e.type, event: e.event, value: e.snapshot?.value, context: e.snapshot?.context };
}
