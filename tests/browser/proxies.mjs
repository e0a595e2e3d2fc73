// Issue 11 §2, "A real deployment, tested through real proxies": Chromium reaches Paja only
// through nginx or Caddy running the shipped files in deploy/, at https://paja.example.org with
// no port in any address (Chromium's --host-resolver-rules maps paja.example.org:443 and :80 to
// the proxy's loopback ports). A facilitator creates a session and opens a brainstorm; the
// projector's join address and QR code say https://paja.example.org; a phone typing the plain
// http:// address is redirected to https and its item is acked; raw websockets from 127.0.0.2
// and 127.0.0.3 show that the per-address limit sees each client's own address, which a
// client-sent X-Forwarded-For cannot change; a 3 MB import reaches Paja. With PAJA_PROXY_RELOAD (nginx), the proxy is
// reloaded with a short worker_shutdown_timeout: the phone's websocket is really closed, the
// phone reconnects through the proxy and its next item is acked.
//
// Run by tests/it/proxies.rs, which starts the server, the proxy and the certificate, and sets:
//   PAJA_PROXY          nginx | caddy (for messages and screenshot names)
//   PAJA_PROXY_HTTPS    127.0.0.1:PORT where the proxy serves https (the name's port 443)
//   PAJA_PROXY_HTTP     127.0.0.1:PORT where it serves plain http (the name's port 80)
//   PAJA_PROXY_CA       the self-signed certificate, which the raw clients here trust
//   PAJA_PROXY_SLUG     the session to create
//   PAJA_PROXY_QR       the QR code SVG that Paja must serve for https://paja.example.org/<slug>
//   PAJA_PROXY_LIMIT    the server's --max-connections-per-ip
//   PAJA_PROXY_RELOAD   (optional) the command that reloads the proxy, as a JSON array
//
//   node tests/browser/proxies.mjs https://paja.example.org

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BASE, LAPTOP, PHONE, PROJECTOR, addPrompt, inBrowser, texts } from './lib.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));

/** A variable the Rust side must set. */
function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (tests/it/proxies.rs sets it)`);
  return value;
}

const PROXY = env('PAJA_PROXY');
const HTTPS_AT = env('PAJA_PROXY_HTTPS');
const HTTP_AT = env('PAJA_PROXY_HTTP');
const CA = fs.readFileSync(env('PAJA_PROXY_CA'));
const SLUG = env('PAJA_PROXY_SLUG');
const EXPECTED_QR = fs.readFileSync(env('PAJA_PROXY_QR'), 'utf8');
const LIMIT = Number(env('PAJA_PROXY_LIMIT'));
const RELOAD = process.env.PAJA_PROXY_RELOAD ? JSON.parse(process.env.PAJA_PROXY_RELOAD) : null;

/** The public name, as people type it: no port, ever. */
const HOST = new URL(BASE).hostname;
assert.equal(BASE, `https://${HOST}`, 'the base address is the public https name, with no port or path');

/** Chromium resolves the public name's standard ports to the proxy; the URL keeps no port. */
const RULES = `MAP ${HOST}:443 ${HTTPS_AT}, MAP ${HOST}:80 ${HTTP_AT}`;

/** How long the phone may take from its websocket's close to its next item acked (s). */
const RECONNECT_BOUND_S = 15;

/** Waits until `done()` holds, polling every 50 ms; fails after `ms` naming `what`. */
async function until(done, ms, what) {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`waited ${ms / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One masked websocket text frame (client to server), for a payload under 126 bytes. */
function textFrame(text) {
  const payload = Buffer.from(text);
  assert.ok(payload.length < 126, 'short frames only');
  const mask = crypto.randomBytes(4);
  const masked = payload.map((b, i) => b ^ mask[i % 4]);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/**
 * A websocket to /ws/<slug> through the proxy's https port from the loopback address `local`,
 * without a browser: its source address is what the per-address limit must see. Resolves
 * `{status: 101, socket}` once Paja has welcomed it as a projector (a socket Paja holds), or
 * `{status, body}` when the upgrade is refused.
 */
function rawSocket(local, headers = {}) {
  const [host, port] = HTTPS_AT.split(/:(?=\d+$)/);
  return new Promise((resolve, reject) => {
    const request = https.request({
      host,
      port: Number(port),
      localAddress: local,
      servername: HOST,
      ca: CA,
      agent: false,
      path: `/ws/${SLUG}`,
      headers: {
        host: HOST,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': crypto.randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    request.setTimeout(20_000, () => request.destroy(new Error(`no answer from ${local} within 20 s`)));
    request.on('upgrade', (_response, socket) => {
      socket.setTimeout(0); // the request's answer timeout; the socket is held open from here
      socket.write(textFrame(JSON.stringify({ type: 'hello', protocol: 1, role: 'screen', last_seq: 0 })));
      let seen = '';
      const onData = (chunk) => {
        seen += chunk.toString('latin1');
        if (seen.includes('"type":"welcome"')) {
          socket.off('data', onData);
          socket.on('data', () => {});
          resolve({ status: 101, socket });
        }
      };
      socket.on('data', onData);
      socket.on('error', () => {});
      socket.on('close', () => reject(new Error(`the websocket from ${local} closed before its welcome: ${seen.slice(0, 200)}`)));
    });
    request.on('response', (response) => {
      let body = '';
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** A plain https request through the proxy from `local`: resolves `{status, headers, body}`. */
function rawRequest(local, method, path, body) {
  const [host, port] = HTTPS_AT.split(/:(?=\d+$)/);
  return new Promise((resolve, reject) => {
    const request = https.request({
      host, port: Number(port), localAddress: local, servername: HOST, ca: CA, agent: false, method, path,
      headers: { host: HOST, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    request.setTimeout(60_000, () => request.destroy(new Error(`no answer to ${method} ${path} within 60 s`)));
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

test(`a phone, the console and the projector through ${PROXY}`, { timeout: 240_000 }, () => inBrowser(async (browser, watch) => {
  const page = (name, device) => watch.page(browser, name, { ...device, ignoreHTTPSErrors: true });

  // Paja's counters stay off the internet: the shipped config answers /metrics itself.
  const metrics = await rawRequest('127.0.0.1', 'GET', '/metrics', '');
  assert.equal(metrics.status, 404, `/metrics through ${PROXY}: ${metrics.status} ${metrics.body.slice(0, 200)}`);
  assert.ok(!metrics.body.includes('paja_'), `no counter crossed ${PROXY}`);

  // The facilitator creates the session on the front page, over https through the proxy.
  const control = await page('control', LAPTOP);
  await control.goto(`${BASE}/`);
  await control.fill('#c-slug', SLUG);
  await control.fill('#c-title', 'HYVINSIVI Rovaniemi 24.5.2018');
  await control.click('#c-submit');
  await control.waitForSelector('#created:not([hidden]), #c-error:not([hidden])');
  assert.ok(await control.isHidden('#c-error'), `creating the session: ${await control.textContent('#c-error')}`);
  await control.click('#r-open');
  await control.waitForURL(`${BASE}/${SLUG}/control#key=*`);
  // The console's websocket passed Paja's Origin check: the proxy forwarded the Host.
  await control.waitForSelector('#conn[data-status="connected"]', { state: 'attached' });
  await addPrompt(control, { kind: 'brainstorm', title: 'Mitkä toimijat tulisi olla verkostossa mukana?' });

  // The projector: the join address is the public name, the QR code the https address.
  const screen = await page('screen', PROJECTOR);
  await screen.goto(`${BASE}/${SLUG}/screen`);
  await screen.waitForSelector('#idle:not([hidden])');
  await screen.waitForSelector('#conn[data-status="connected"]', { state: 'attached' });
  assert.equal(await screen.textContent('#join-url'), `${HOST}/${SLUG}`);
  assert.equal(await screen.textContent('#idle-url'), `${HOST}/${SLUG}`);
  await screen.waitForFunction(() => ['idle-qr', 'qr'].every((id) => document.getElementById(id).naturalWidth > 0));
  const qr = await screen.evaluate(async () => {
    const img = /** @type {HTMLImageElement} */ (document.getElementById('idle-qr'));
    const response = await fetch(img.currentSrc);
    return { src: img.currentSrc, type: response.headers.get('content-type'), svg: await response.text() };
  });
  assert.equal(qr.src, `${BASE}/${SLUG}/qr.svg`);
  assert.equal(qr.type, 'image/svg+xml');
  assert.ok(qr.svg === EXPECTED_QR, `the QR code served through ${PROXY} is not the one for ${BASE}/${SLUG}`);

  // An import larger than nginx's default body limit (1 MB) reaches Paja, which answers it
  // itself (this one is not a Paja export).
  const big = await rawRequest('127.0.0.4', 'POST', '/api/sessions/import', JSON.stringify({ pad: 'x'.repeat(3 << 20) }));
  assert.equal(big.status, 400, `a 3 MB import through ${PROXY}: ${big.status} ${big.body.slice(0, 200)}`);
  assert.match(big.headers['content-type'], /^application\/json/);
  // Browsers are told to come back over https only, on Paja's answers too.
  assert.equal(big.headers['strict-transport-security'], 'max-age=31536000');
  assert.ok(JSON.parse(big.body).error.code, big.body);

  // The per-address limit, from two other loopback addresses with no browser: 127.0.0.2 fills
  // its own quota, and neither another socket of its own nor one claiming another address in
  // X-Forwarded-For gets past it; 127.0.0.3 is counted separately.
  const held = [];
  try {
    for (let i = 0; i < LIMIT; i++) {
      const r = await rawSocket('127.0.0.2');
      assert.equal(r.status, 101, `websocket ${i + 1} of ${LIMIT} from 127.0.0.2: ${r.body}`);
      held.push(r.socket);
    }
    const over = await rawSocket('127.0.0.2');
    assert.equal(over.status, 429, `websocket ${LIMIT + 1} from 127.0.0.2 must be refused`);
    assert.equal(JSON.parse(over.body).error.code, 'too_many_connections', `Paja refused it, not ${PROXY}: ${over.body}`);
    const spoofed = await rawSocket('127.0.0.2', { 'x-forwarded-for': '127.0.0.9' });
    assert.equal(spoofed.status, 429, `a client-sent X-Forwarded-For: 127.0.0.9 got 127.0.0.2 past its limit through ${PROXY}`);
    const other = await rawSocket('127.0.0.3', { 'x-forwarded-for': '127.0.0.2' });
    assert.equal(other.status, 101, `127.0.0.3 is limited on its own (even claiming to be 127.0.0.2): ${other.body}`);
    held.push(other.socket);

    // A phone (127.0.0.1, like the console and the projector) joins meanwhile: people typing
    // the plain address land on https. Its websockets are recorded to see the reload's close.
    const phone = await page('phone', PHONE);
    /** @type {{url: string, closedAt: number | null}[]} */
    const sockets = [];
    phone.on('websocket', (ws) => {
      const entry = { url: ws.url(), closedAt: null };
      sockets.push(entry);
      ws.on('close', () => { entry.closedAt = Date.now(); });
    });
    await phone.goto(`http://${HOST}/${SLUG}`);
    assert.equal(phone.url(), `${BASE}/${SLUG}`, `http://${HOST}/${SLUG} redirects to https`);
    await phone.waitForSelector('#conn[data-status="connected"]', { state: 'attached' });
    assert.deepEqual(sockets.map((s) => s.url), [`wss://${HOST}/ws/${SLUG}`]);

    await control.click('#next');
    await phone.waitForSelector('#form:not([hidden])');
    await phone.fill('#text', 'Ohjaamo');
    await phone.click('#send');
    await phone.waitForFunction(() => document.querySelectorAll('#mine .item.saved').length === 1);
    await screen.waitForFunction(() => document.querySelectorAll('#cards .card-item').length === 1);
    assert.deepEqual(await texts(screen, '#cards .card-text'), ['Ohjaamo']);

    if (RELOAD) {
      // The reload: the old worker closes its websockets after worker_shutdown_timeout, and
      // the phone must come back through the new one.
      assert.equal(sockets.filter((s) => s.closedAt === null).length, 1, 'one live websocket before the reload');
      const reloadedAt = Date.now();
      execFileSync(RELOAD[0], RELOAD.slice(1), { stdio: 'inherit' });
      await until(() => sockets[0].closedAt !== null, 20_000, `the phone's websocket through ${PROXY} to close after the reload`);
      const closed = sockets[0].closedAt;
      await until(() => sockets.length > 1, RECONNECT_BOUND_S * 1000, 'the phone to open a new websocket');
      await phone.waitForSelector('#conn[data-status="connected"]', { state: 'attached', timeout: RECONNECT_BOUND_S * 1000 });
      const live = sockets.filter((s) => s.closedAt === null);
      assert.equal(live.length, 1, 'one live websocket after the reload');
      assert.equal(live[0].url, `wss://${HOST}/ws/${SLUG}`);
      await phone.fill('#text', 'Etsivä nuorisotyö');
      await phone.click('#send');
      await phone.waitForFunction(() => document.querySelectorAll('#mine .item.saved').length === 2, null, { timeout: RECONNECT_BOUND_S * 1000 });
      const acked = Date.now();
      assert.ok(acked - closed < RECONNECT_BOUND_S * 1000, `reconnected and acked ${(acked - closed) / 1000} s after the close`);
      console.log(`${PROXY} reload: websocket closed ${((closed - reloadedAt) / 1000).toFixed(2)} s after the reload; `
        + `the next item acked ${((acked - closed) / 1000).toFixed(2)} s after the close, over websocket ${sockets.length}`);
      // The projector and the console came back too and show both items.
      await screen.waitForFunction(() => document.querySelectorAll('#cards .card-item').length === 2, null, { timeout: RECONNECT_BOUND_S * 1000 });
      await control.waitForFunction(() => document.querySelectorAll('#items .item-row').length === 2, null, { timeout: RECONNECT_BOUND_S * 1000 });
    }

    await fs.promises.mkdir(SHOTS, { recursive: true });
    await phone.screenshot({ path: `${SHOTS}/proxy-${PROXY}-phone.png`, animations: 'disabled' });
  } finally {
    for (const socket of held) socket.destroy();
  }
}, { args: [`--host-resolver-rules=${RULES}`] }));
