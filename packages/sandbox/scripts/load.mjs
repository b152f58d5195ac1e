#!/usr/bin/env node
// Throughput of the sandbox's orderquery: a fixed number of signed requests over keep-alive, from this process,
// against a sandbox running in a second process (the built CLI, started here unless --url is given).
// Prints answers per second and latency percentiles. Bounded: it stops after --requests answers.
//
//   pnpm sandbox:load [--requests 20000] [--concurrency 64] [--orders 1000] [--url http://127.0.0.1:8080]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    orders: { type: 'string', default: '1000' },
    url: { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const ORDERS = Number(values.orders);
const WARMUP = Math.min(1000, Math.ceil(REQUESTS / 10));
const MERCHANT = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', key: '192006250b4c09247ec02edce69f6a2d' };

function md5Sign(params) {
  const text = Object.keys(params)
    .filter((k) => params[k] !== '' && k !== 'sign')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return createHash('md5').update(`${text}&key=${MERCHANT.key}`, 'utf8').digest('hex').toUpperCase();
}

function requestBody(outTradeNo, n) {
  const params = { appid: MERCHANT.appid, mch_id: MERCHANT.mch_id, nonce_str: `n${n}`, out_trade_no: outTradeNo };
  params.sign = md5Sign(params);
  return `<xml>${Object.entries(params)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('')}</xml>`;
}

async function startSandboxProcess() {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.mjs');
  const child = spawn(process.execPath, [bin, '--port', '0', '--quiet', '--seed', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code} before listening`)));
  });
  child.stdout.resume();
  return { url, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

/** CPU time (ms) the sandbox process has used, from /proc on Linux; undefined elsewhere or for --url. */
function serverCpuMs(pid) {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

async function json(url, method, body) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(base, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/pay/orderquery`,
      { method: 'POST', agent, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function verify(text) {
  const fields = {};
  for (const m of text.matchAll(/<([a-z_0-9]+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g))
    fields[m[1]] = m[2] ?? m[3];
  return fields.sign === md5Sign(fields);
}

async function run(base, count, ids) {
  // Signed once per order, so this client's CPU goes to HTTP rather than to MD5 (WeChat does not refuse a
  // repeated nonce_str either).
  const bodies = ids.map((id, n) => requestBody(id, n));
  const latencies = new Float64Array(count);
  let next = 0;
  let bad = 0;
  let unsigned = 0;
  async function worker() {
    for (;;) {
      const n = next++;
      if (n >= count) return;
      const started = performance.now();
      const { status, text } = await post(base, bodies[n % bodies.length]);
      latencies[n] = performance.now() - started;
      if (status !== 200 || !text.includes('<result_code>SUCCESS</result_code>')) bad++;
      // Verifying every answer would measure this client; one in 50 proves the answers are signed right.
      else if (n % 50 === 0 && !verify(text)) unsigned++;
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  const pct = (p) => latencies[Math.min(count - 1, Math.floor((p / 100) * count))].toFixed(2);
  return { seconds, bad, unsigned, p50: pct(50), p99: pct(99), max: latencies[count - 1].toFixed(2) };
}

const started =
  values.url === undefined ? await startSandboxProcess() : { url: values.url, pid: undefined, stop: () => {} };
try {
  const ids = [];
  const states = ['SUCCESS', 'NOTPAY', 'CLOSED', 'REFUND'];
  for (let i = 0; i < ORDERS; i++) {
    const outTradeNo = `LOAD${Date.now().toString(36)}${i}`;
    await json(`${started.url}/sandbox/orders`, 'POST', {
      outTradeNo,
      totalFee: 100 + i,
      tradeType: 'JSAPI',
      coupons: i % 3 === 0 ? [{ fee: 10 }] : [],
    });
    const state = states[i % states.length];
    if (state !== 'NOTPAY') {
      for (const s of state === 'REFUND' ? ['SUCCESS', 'REFUND'] : [state]) {
        await json(`${started.url}/sandbox/orders/${outTradeNo}/state`, 'POST', { tradeState: s });
      }
    }
    ids.push(outTradeNo);
  }
  await run(started.url, WARMUP, ids);
  await json(`${started.url}/sandbox/counters`, 'DELETE');
  const cpuBefore = serverCpuMs(started.pid);
  const clientBefore = process.cpuUsage();
  const result = await run(started.url, REQUESTS, ids);
  const cpuAfter = serverCpuMs(started.pid);
  const client = process.cpuUsage(clientBefore);
  const counters = await json(`${started.url}/sandbox/counters`, 'GET');
  console.log(
    `sandbox orderquery: ${REQUESTS} requests, concurrency ${CONCURRENCY}, ${ORDERS} orders, keep-alive, client in a second process`,
  );
  console.log(`  ${Math.round(REQUESTS / result.seconds)} answers/s (${result.seconds.toFixed(2)} s)`);
  console.log(`  latency ms: p50 ${result.p50}, p99 ${result.p99}, max ${result.max}`);
  if (cpuBefore !== undefined && cpuAfter !== undefined) {
    console.log(
      `  sandbox CPU: ${(((cpuAfter - cpuBefore) * 1000) / REQUESTS).toFixed(1)} µs per answer (±10 ms tick)`,
    );
  }
  console.log(`  client CPU: ${((client.user + client.system) / REQUESTS).toFixed(1)} µs per request`);
  console.log(`  failed answers: ${result.bad}, sampled answers with a bad sign: ${result.unsigned}`);
  console.log(`  sandbox counted ${counters.requests} requests, ${JSON.stringify(counters.byAnswer)}`);
  if (result.bad > 0 || result.unsigned > 0 || counters.requests !== REQUESTS) process.exitCode = 1;
} finally {
  agent.destroy();
  started.stop();
}
