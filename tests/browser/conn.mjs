// Unit tests of `Conn` (web/common.js), the connection every page uses, in node with a fake
// WebSocket, fake timers and a fake page: the state machine the fault tour (faults.mjs) proves in
// Chromium, pinned step by step. Run by `cargo test --test it conn_state_machine`, or
//   node --test tests/browser/conn.mjs

import { test, mock, afterEach } from 'node:test';
import assert from 'node:assert/strict';

// The page around common.js: just enough DOM and BOM for it to load and run.
const listeners = { window: new Map(), document: new Map() };
const on = (map) => (type, f) => map.set(type, [...(map.get(type) || []), f]);
const fire = (map, type) => (map.get(type) || []).forEach((f) => f({ type }));
globalThis.location = { pathname: '/hyvinsivi', protocol: 'http:', host: 'paja.test' };
globalThis.document = { addEventListener: on(listeners.document), visibilityState: 'visible' };
globalThis.addEventListener = on(listeners.window);
globalThis.navigator = { onLine: true };

/** A websocket under the test's control; every one made is in `sockets`. */
const sockets = [];
class FakeSocket {
  static OPEN = 1;

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    sockets.push(this);
  }

  send(text) { this.sent.push(JSON.parse(text)); }

  close() { this.readyState = 3; }

  // The test's side.
  open() { this.readyState = 1; this.onopen?.(); }

  receive(m) { this.onmessage?.({ data: JSON.stringify(m) }); }

  closed(code) { this.readyState = 3; this.onclose?.({ code }); }
}
globalThis.WebSocket = FakeSocket;

mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
const { Conn } = await import('../../web/common.js');

/** Every Conn made; each test's are stopped after it, so none acts in the next. */
const conns = [];
afterEach(() => conns.forEach((c) => { c.stopped = true; }));

/** A connected Conn: its socket opened, the hello answered with `welcome`. */
function live({ answer = 'welcome' } = {}) {
  sockets.length = 0;
  const got = [];
  const conn = new Conn(() => ({ type: 'hello', last_seq: 7 }), (m) => got.push(m));
  conns.push(conn);
  conn.connect();
  const ws = sockets.at(-1);
  ws.open();
  assert.equal(ws.sent[0].type, 'hello');
  ws.receive({ type: answer, seq: 9, server_time: Date.now() });
  return { conn, ws, got };
}

test('resumed makes a connection live, as welcome does', () => {
  for (const answer of ['welcome', 'resumed']) {
    const { conn, ws } = live({ answer });
    assert.equal(conn.status, 'connected', answer);
    assert.ok(conn.send({ type: 'submit', id: 'a' }), `sends after ${answer}`);
    assert.equal(ws.sent.at(-1).id, 'a');
  }
});

test('console commands made while reconnecting wait, then go in order', () => {
  const { conn, ws } = live();
  ws.closed(1006);
  assert.equal(conn.status, 'reconnecting');
  assert.equal(conn.queue({ type: 'hide_item', id: 'r1' }), false);
  assert.equal(conn.queue({ type: 'close_prompt', id: 'r2' }), false);
  mock.timers.tick(300);
  const next = sockets.at(-1);
  assert.notEqual(next, ws, 'a new attempt');
  next.open();
  assert.equal(next.sent.length, 1, 'only the hello before the answer');
  next.receive({ type: 'resumed', seq: 9 });
  assert.deepEqual(next.sent.slice(1).map((f) => f.id), ['r1', 'r2']);
});

test('requests on a socket that died are reported, and the next hello asks for a welcome', () => {
  const { conn, ws } = live();
  let lost = null;
  conn.onLost = (ids) => { lost = ids; return true; };
  conn.send({ type: 'vote', id: 'v1' });
  ws.closed(1006);
  assert.deepEqual(lost, ['v1']);
  mock.timers.tick(300);
  sockets.at(-1).open();
  assert.equal(sockets.at(-1).sent[0].last_seq, 0, 'a fresh welcome: the truth');
});

test('a silent socket stops being "connected" within 3 s and is replaced', () => {
  const { conn, ws } = live();
  mock.timers.tick(2000);
  assert.equal(ws.sent.at(-1).type, 'ping', 'a quiet page pings');
  mock.timers.tick(1000);
  assert.equal(conn.status, 'slow', 'the ping is late: not connected any more');
  assert.equal(conn.send({ type: 'submit', id: 'x' }), false, 'nothing sent into a hole');
  // The ping unanswered for 3 s: dropped, and a new attempt within a second.
  mock.timers.tick(2500);
  assert.equal(ws.readyState, 3, 'dropped');
  mock.timers.tick(1500);
  assert.notEqual(sockets.at(-1), ws, 'replaced');
});

test('an unanswered attempt is kept as a spare, and the first answered wins', () => {
  const { conn, ws } = live();
  ws.closed(1006);
  mock.timers.tick(300);
  const slow = sockets.at(-1);
  slow.open(); // the hello goes, no answer yet
  mock.timers.tick(3000);
  const fresh = sockets.at(-1);
  assert.notEqual(fresh, slow, 'a new attempt after 2.5 s');
  assert.notEqual(slow.readyState, 3, 'the slow one is not closed');
  slow.receive({ type: 'resumed', seq: 9 });
  assert.equal(conn.status, 'connected');
  assert.equal(fresh.readyState, 3, 'the newer attempt is closed');
  assert.ok(conn.send({ type: 'submit', id: 's' }));
  assert.equal(slow.sent.at(-1).id, 's');
});

test('offline says so, and coming back online reconnects at once', () => {
  const { conn, ws } = live();
  navigator.onLine = false;
  fire(listeners.window, 'offline');
  assert.equal(conn.status, 'offline');
  assert.equal(conn.queue({ type: 'next_prompt', id: 'n1' }), false, 'queued, not sent into nothing');
  navigator.onLine = true;
  fire(listeners.window, 'online');
  const next = sockets.at(-1);
  assert.notEqual(next, ws, 'a new socket at once');
  next.open();
  next.receive({ type: 'resumed', seq: 9 });
  assert.equal(next.sent.at(-1).id, 'n1');
});

test('a server that stays away is "unreachable", not "reconnecting", after 3 s', () => {
  const { conn, ws } = live();
  ws.closed(1012);
  for (let t = 0; t < 8; t++) {
    mock.timers.tick(500);
    sockets.at(-1).closed?.(1006);
  }
  assert.equal(conn.status, 'unreachable');
});

test('a page whose timers were frozen (a laptop asleep) reconnects as soon as they run', () => {
  const { conn, ws } = live();
  // Two minutes pass with no timer firing: move the clock alone, then let one tick run.
  mock.timers.setTime(Date.now() + 120_000);
  mock.timers.tick(500);
  assert.notEqual(sockets.at(-1), ws, 'a new socket after the sleep');
});
