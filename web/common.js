// Shared by every page: strings, storage, ids, the server clock and the websocket connection.

/** Languages with a strings file under /assets/i18n/. */
const LANGS = ['fi', 'en'];
/** @type {Record<string, string>} */
let strings = {};
/** The language of the loaded strings. */
export let lang = 'fi';
/** @type {Array<() => void>} */
const langListeners = [];

/** The session name: the first path segment. */
export const slug = decodeURIComponent(location.pathname.split('/')[1] || '');

/** @param {string} id */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** localStorage that never throws (private modes, full disks, disabled storage). */
export const store = {
  /** @param {string} k */
  get(k) { try { return localStorage.getItem(k); } catch { return null; } },
  /** @param {string} k @param {string} v */
  set(k, v) { try { localStorage.setItem(k, v); } catch { /* memory only */ } },
  /** @param {string} k */
  del(k) { try { localStorage.removeItem(k); } catch { /* ignore */ } },
  /** @param {string} k @param {any} fallback */
  getJSON(k, fallback) { try { return JSON.parse(this.get(k) ?? '') ?? fallback; } catch { return fallback; } },
  /** @param {string} k @param {any} v */
  setJSON(k, v) { this.set(k, JSON.stringify(v)); },
};

/** A v4 UUID from crypto.getRandomValues (crypto.randomUUID needs a secure origin). */
export function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** @param {string | null | undefined} l */
export const pickLang = (l) => (LANGS.includes(l || '') ? /** @type {string} */ (l) : 'fi');

/** The language the user chose on this device, if any. */
export const savedLang = () => store.get('paja.lang');

/** Loads a language's strings and re-translates the page. @param {string | null | undefined} l */
export async function setLang(l) {
  l = pickLang(l);
  try {
    const r = await fetch(`/assets/i18n/${l}.json`);
    if (!r.ok) throw new Error(String(r.status));
    strings = await r.json();
    lang = l;
  } catch {
    // Keep whatever strings we have; the HTML holds Finnish fallbacks.
  }
  document.documentElement.lang = lang;
  applyI18n();
  for (const f of langListeners) f();
}

/** Calls `f` whenever the language changes. @param {() => void} f */
export const onLang = (f) => langListeners.push(f);

/** A translated string with `{name}` placeholders filled. @param {string} key @param {Record<string, any>} [vars] */
export function t(key, vars) {
  const s = strings[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : s;
}

/** A server error code in words. @param {string | undefined} code */
export const errorText = (code) => (strings[`error.${code}`] ? t(`error.${code}`) : t('error.generic', { code }));

/** Translates `data-i18n*` elements under `root`. @param {ParentNode} [root] */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(/** @type {HTMLElement} */ (el).dataset.i18n || '');
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    /** @type {HTMLInputElement} */ (el).placeholder = t(/** @type {HTMLElement} */ (el).dataset.i18nPlaceholder || '');
  }
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', t(/** @type {HTMLElement} */ (el).dataset.i18nAriaLabel || ''));
  }
}

/** Wires `[data-lang]` buttons: switch, remember, mark the current one. */
export function initLangSwitch() {
  const buttons = /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-lang]'));
  const mark = () => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === lang)));
  buttons.forEach((b) => b.addEventListener('click', () => {
    store.set('paja.lang', b.dataset.lang || 'fi');
    setLang(b.dataset.lang);
  }));
  onLang(mark);
  mark();
}

/** The server's clock, estimated from server_time stamps (phones' clocks are often wrong). */
export const clock = {
  offset: 0,
  /** @param {number | undefined} serverTime */
  sync(serverTime) { if (typeof serverTime === 'number') this.offset = serverTime - Date.now(); },
  now() { return Date.now() + this.offset; },
};

/** Milliseconds left in a prompt's time box, or null without one. @param {any} p */
export function remaining(p) {
  if (!p || !p.time_limit_secs || !p.opened_at) return null;
  return p.opened_at + p.time_limit_secs * 1000 - clock.now();
}

/** `mm:ss` (or `h:mm:ss`), never negative. @param {number} ms */
export function mmss(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${p(m)}:${p(s % 60)}` : `${p(m)}:${p(s % 60)}`;
}

/** A new element with a class and text (always textContent). @param {string} tag @param {string} [cls] @param {string} [text] */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

/** Close codes: the server restarts (reconnect soon) / refused our hello (do not retry). */
const CLOSE_RESTART = 1012;
const CLOSE_POLICY = 1008;

/**
 * One websocket to /ws/{slug} that says hello on open, reconnects with capped exponential
 * backoff and jitter, and checks itself when the page becomes visible or goes quiet.
 *
 * `status`: connecting | connected | reconnecting | offline | refused.
 */
export class Conn {
  /** @param {() => object} hello @param {(m: any) => void} onMessage */
  constructor(hello, onMessage) {
    this.hello = hello;
    this.onMessage = onMessage;
    /** @type {(s: string) => void} */
    this.onStatus = () => {};
    /** @type {(code: string) => void} */
    this.onRefused = () => {};
    /** @type {WebSocket | null} */
    this.ws = null;
    this.status = 'connecting';
    this.attempt = 0;
    this.timer = 0;
    this.welcomed = false;
    this.started = 0;
    this.lastRx = 0;
    this.probe = 0;
    this.stopped = false;
    /** @type {string | null} */
    this.lastError = null;
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.check();
    });
    addEventListener('online', () => this.check());
    setInterval(() => this.heartbeat(), 5000);
  }

  url() {
    return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/${encodeURIComponent(slug)}`;
  }

  /** @param {string} s */
  setStatus(s) {
    if (this.status === s) return;
    this.status = s;
    this.onStatus(s);
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.drop();
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.retry(false);
      return;
    }
    this.ws = ws;
    this.welcomed = false;
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
      if (m.type === 'pong') { clock.sync(m.server_time); return; }
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
      if (e.code === CLOSE_POLICY) {
        this.stopped = true;
        this.setStatus('refused');
        this.onRefused(this.lastError || 'generic');
        return;
      }
      this.retry(e.code === CLOSE_RESTART);
    };
  }

  /** Forgets the current socket without waiting for its close (a dead one may take minutes). */
  drop() {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    this.welcomed = false;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(); } catch { /* already gone */ }
  }

  /** @param {boolean} fast */
  retry(fast) {
    this.attempt++;
    this.setStatus(this.attempt > 3 || navigator.onLine === false ? 'offline' : 'reconnecting');
    // Restarts are quick; spread the reconnecting crowd over a second anyway.
    const delay = fast ? 250 + Math.random() * 750 : (() => {
      const cap = Math.min(10000, 500 * 2 ** (this.attempt - 1));
      return cap / 2 + Math.random() * (cap / 2);
    })();
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Reconnects now if the socket is gone; otherwise makes sure it is still alive. */
  check() {
    if (this.stopped) return;
    const ws = this.ws;
    if (!ws || ws.readyState > WebSocket.OPEN) {
      this.connect();
    } else if (ws.readyState === WebSocket.OPEN && this.welcomed) {
      this.ping();
    }
  }

  /** A fresh welcome: drop the socket and connect again at once. */
  resync() {
    this.connect();
  }

  ping() {
    this.probe = Date.now();
    this.send({ type: 'ping' });
  }

  heartbeat() {
    const ws = this.ws;
    if (!ws || this.stopped) return;
    const now = Date.now();
    const stuck = ws.readyState === WebSocket.CONNECTING || !this.welcomed;
    if ((stuck && now - this.started > 10000) || (this.probe && now - this.probe > 6000)) {
      this.probe = 0;
      this.drop();
      this.retry(false);
    } else if (!stuck && !this.probe && now - this.lastRx > 25000) {
      this.ping();
    }
  }

  /** Sends a frame if connected and welcomed. @param {object} m */
  send(m) {
    if (!this.ws || !this.welcomed || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }
}

/** The status text key for a connection status. @param {string} s */
export const statusKey = (s) => `conn.${s}`;
