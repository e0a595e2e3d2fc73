// Shared by every page: strings, storage, ids, the server clock and the websocket connection.

const LANGS = ['fi', 'sv', 'en'];
let strings = {};
let langRequest = 0;
const langListeners = [];
/** The language of the loaded strings. */
export let lang = 'fi';
/** The session name: the first path segment. */
export const slug = decodeURIComponent(location.pathname.split('/')[1] || '');
export const $ = (id) => document.getElementById(id);

/** localStorage that never throws (private modes, full or disabled storage). */
export const store = {
  get(k) { try { return localStorage.getItem(k); } catch { return null; } },
  set(k, v) { try { localStorage.setItem(k, v); } catch { /* memory only */ } },
  del(k) { try { localStorage.removeItem(k); } catch { /* ignore */ } },
  getJSON(k, fallback) { try { return JSON.parse(this.get(k) ?? '') ?? fallback; } catch { return fallback; } },
  setJSON(k, v) { this.set(k, JSON.stringify(v)); },
};

/** A v4 UUID from getRandomValues (crypto.randomUUID is missing on plain-http LAN origins). */
export function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const pickLang = (l) => (LANGS.includes(l) ? l : 'fi');
/** The language chosen on this device, if any. */
export const savedLang = () => store.get('paja.lang');

/** Loads a language's strings, then re-translates the page and tells the listeners. */
export async function setLang(l) {
  l = pickLang(l);
  const mine = ++langRequest;
  try {
    const r = await fetch(`/assets/i18n/${l}.json`);
    if (!r.ok) throw new Error(r.status);
    const loaded = await r.json();
    if (mine !== langRequest) return; // a later switch won
    strings = loaded;
    lang = l;
  } catch {
    // Keep the strings we have; the HTML holds Finnish fallbacks.
  }
  document.documentElement.lang = lang;
  applyI18n();
  for (const f of langListeners) f();
}

export const onLang = (f) => langListeners.push(f);

/** A string with `{name}` placeholders filled from `vars`. */
export function t(key, vars) {
  const s = strings[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m)) : s;
}

/** A server error code in words. */
export const errorText = (code) => t(strings[`error.${code}`] ? `error.${code}` : 'error.generic');

/** Translates the `data-i18n`, `-placeholder`, `-aria-label` and `-alt` elements. */
export function applyI18n() {
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of document.querySelectorAll('[data-i18n-placeholder]')) e.placeholder = t(e.dataset.i18nPlaceholder);
  for (const e of document.querySelectorAll('[data-i18n-aria-label]')) e.setAttribute('aria-label', t(e.dataset.i18nAriaLabel));
  for (const e of document.querySelectorAll('[data-i18n-alt]')) e.alt = t(e.dataset.i18nAlt);
}

/**
 * Wires the `[data-lang]` buttons: switch, remember under `key`, mark the current one. The
 * projector remembers its choice apart from the console's, as both often run on one laptop.
 */
export function initLangSwitch(key = 'paja.lang') {
  const buttons = document.querySelectorAll('[data-lang]');
  for (const b of buttons) {
    b.addEventListener('click', () => {
      store.set(key, b.dataset.lang);
      setLang(b.dataset.lang);
    });
  }
  onLang(() => buttons.forEach((b) => b.setAttribute('aria-pressed', b.dataset.lang === lang)));
}

/** The server's clock, from server_time stamps (phones' clocks are often off). */
export const clock = {
  offset: 0,
  sync(serverTime) { if (typeof serverTime === 'number') this.offset = serverTime - Date.now(); },
  now() { return Date.now() + this.offset; },
};

/** Milliseconds left in a prompt's time box, or null without one. */
export function remaining(p) {
  if (p && p.closes_at) return p.closes_at - clock.now();
  if (!p || !p.time_limit_secs || !p.opened_at) return null;
  return p.opened_at + p.time_limit_secs * 1000 - clock.now();
}

/** `mm:ss` (or `h:mm:ss`), never negative. */
export function mmss(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const p = (n) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  return `${h ? `${h}:` : ''}${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
}

/** A new element; text always goes in as textContent. */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

/** A group's name on its colour (colours go in through CSSOM, which the CSP allows). */
export function chip(g, text) {
  const c = el('span', 'chip', text ?? g.name);
  if (g.color) c.style.setProperty('--gc', g.color);
  return c;
}

/** Whether the projector and phones may see a prompt's results now. */
export const isPublic = (p) => p.show_results === 'live' || (p.show_results === 'after_close' && p.state === 'closed');

const CLOSE_POLICY = 1008; // hello refused: do not retry
const CLOSE_RESTART = 1012; // server restarting: come back soon
const CLOSE_DELETED = 4004; // the session was deleted: nothing to come back to

/**
 * The websocket to /ws/{slug}: says hello on open, reconnects with capped exponential
 * backoff and jitter, pings when quiet, and checks itself when the page becomes visible.
 * `status`: connecting | connected | reconnecting | offline | refused.
 */
export class Conn {
  constructor(hello, onMessage) {
    this.hello = hello;
    this.onMessage = onMessage;
    this.onStatus = () => {};
    this.onRefused = () => {};
    this.ws = null;
    this.status = 'connecting';
    this.attempt = this.timer = this.started = this.lastRx = this.probe = 0;
    this.welcomed = this.stopped = false;
    this.lastError = null;
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.check();
    });
    addEventListener('online', () => this.check());
    setInterval(() => this.heartbeat(), 5000);
  }

  setStatus(s) {
    if (this.status !== s) {
      this.status = s;
      this.onStatus(s);
    }
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.drop();
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/${encodeURIComponent(slug)}`);
    this.ws = ws;
    this.lastError = null;
    this.started = Date.now();
    ws.onopen = () => {
      this.lastRx = Date.now();
      ws.send(JSON.stringify(this.hello()));
    };
    ws.onmessage = (e) => {
      this.lastRx = Date.now();
      this.probe = 0;
      let m;
      try { m = JSON.parse(e.data); } catch { return; }
      if (m.type === 'pong') return clock.sync(m.server_time);
      if (m.type === 'welcome') {
        this.welcomed = true;
        this.attempt = 0;
        clock.sync(m.server_time);
        this.setStatus('connected');
      } else if (m.type === 'error' && !this.welcomed) {
        this.lastError = m.code;
      }
      this.onMessage(m);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.welcomed = false;
      if (e.code === CLOSE_POLICY || e.code === CLOSE_DELETED) {
        this.stopped = true;
        this.setStatus('refused');
        this.onRefused(e.code === CLOSE_DELETED ? 'session_deleted' : this.lastError || 'generic');
      } else {
        this.retry(e.code === CLOSE_RESTART);
      }
    };
  }

  /** Forgets the socket without waiting for its close (a dead one can take minutes). */
  drop() {
    const ws = this.ws;
    this.ws = null;
    this.welcomed = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close();
    }
  }

  retry(fast) {
    this.attempt++;
    this.setStatus(this.attempt > 3 || navigator.onLine === false ? 'offline' : 'reconnecting');
    // 0.5 s doubling to 10 s, each wait drawn from its upper half so a crowd spreads out.
    const cap = fast ? 1000 : Math.min(10000, 500 * 2 ** (this.attempt - 1));
    this.timer = setTimeout(() => this.connect(), cap / 2 + Math.random() * (cap / 2));
  }

  /** Reconnects now if the socket is gone; otherwise checks that it is still alive. */
  check() {
    if (this.stopped) return;
    if (!this.ws || this.ws.readyState > WebSocket.OPEN) this.connect();
    else if (this.welcomed) this.ping();
  }

  /** A fresh welcome: a new connection, at once or after up to `spread` ms (a crowd spreads out). */
  resync(spread) {
    clearTimeout(this.timer);
    if (spread) this.timer = setTimeout(() => this.connect(), Math.random() * spread);
    else this.connect();
  }

  ping() {
    this.probe = Date.now();
    this.send({ type: 'ping' });
  }

  heartbeat() {
    if (!this.ws || this.stopped) return;
    const now = Date.now();
    if ((!this.welcomed && now - this.started > 10000) || (this.probe && now - this.probe > 6000)) {
      this.probe = 0;
      this.drop();
      this.retry(false);
    } else if (this.welcomed && !this.probe && now - this.lastRx > 25000) {
      this.ping();
    }
  }

  /** Sends a frame if connected; false if not. */
  send(m) {
    if (!this.welcomed || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }
}
