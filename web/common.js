// Shared by every page: strings, storage, ids, the server clock and the websocket connection.

const LANGS = ['fi', 'sv', 'en'];
let strings = {};
let langRequest = 0;
/** The server's bounds by name, for strings that name them (`{max_columns}`). */
/** @type {Record<string, number>} */
let bounds = {};
const langListeners = [];
/** The language of the loaded strings. */
export let lang = 'fi';
/** The session name: the first path segment. */
export const slug = decodeURIComponent(location.pathname.split('/')[1] || '');
export const $ = (id) => /** @type {PageElement} */ (document.getElementById(id));
/** The lines of the textarea `id`, trimmed, without empty ones (an editor's list fields). */
export const lines = (/** @type {string} */ id) => $(id).value.split('\n').map((s) => s.trim()).filter(Boolean);
/** The elements matching `sel` under `root` (the pages' own HTML elements, never SVG). */
export const $$ = (sel, root = /** @type {ParentNode} */ (document)) =>
  /** @type {NodeListOf<PageElement>} */ (root.querySelectorAll(sel));

/**
 * Gives the page's inputs the bounds they name (`data-maxlength="item_text_max"`,
 * `data-max="max_dots"`) from the server's `limits` (`/assets/limits.js`), so no page copies
 * a number. Pages import the limits themselves: this module also runs in node (conn.mjs).
 * @param {Readonly<Limits>} limits
 */
export function applyLimits(limits) {
  bounds = { ...limits };
  for (const e of $$('[data-maxlength]')) e.setAttribute('maxlength', String(limits[e.dataset.maxlength]));
  for (const e of $$('[data-max]')) e.setAttribute('max', String(limits[e.dataset.max]));
}

/**
 * Shows or hides the page's rehearsal mark (`#rehearsal`: "HARJOITUS", in the page's strings)
 * and marks the body, whose styles frame the whole view while the session is a rehearsal.
 * @param {boolean} on
 */
export function markRehearsal(on) {
  const mark = document.getElementById('rehearsal');
  if (mark) mark.hidden = !on;
  document.body.classList.toggle('rehearsing', on);
}

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
  // Which page's strings (`<html data-strings="participant">`): the server splits each
  // language per page, so a phone does not download the console's strings.
  const page = document.documentElement.dataset.strings || 'control';
  try {
    const r = await fetch(`/assets/i18n/${page}.${l}.json`);
    if (!r.ok) throw new Error(String(r.status));
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

/** A string with `{name}` placeholders filled from `vars`, else from the server's bounds. */
export function t(key, vars) {
  const s = strings[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : k in bounds ? String(bounds[k]) : m));
}

/** A server error code in words. */
export const errorText = (code) => t(strings[`error.${code}`] ? `error.${code}` : 'error.generic');

/** Translates the `data-i18n`, `-placeholder`, `-aria-label` and `-alt` elements. */
export function applyI18n() {
  for (const e of $$('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of $$('[data-i18n-placeholder]')) e.placeholder = t(e.dataset.i18nPlaceholder);
  for (const e of $$('[data-i18n-aria-label]')) e.setAttribute('aria-label', t(e.dataset.i18nAriaLabel));
  for (const e of $$('[data-i18n-alt]')) e.alt = t(e.dataset.i18nAlt);
}

/**
 * Wires the `[data-lang]` buttons: switch, remember under `key`, mark the current one. The
 * projector remembers its choice apart from the console's, as both often run on one laptop.
 */
export function initLangSwitch(key = 'paja.lang') {
  const buttons = $$('[data-lang]');
  for (const b of buttons) {
    b.addEventListener('click', () => {
      store.set(key, b.dataset.lang);
      setLang(b.dataset.lang);
    });
  }
  onLang(() => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === lang))));
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

/**
 * Forgets what `box` showed (a new prompt in the same place): its children and the keyed nodes
 * results.js keeps on it (`box.k`). Here rather than in results.js so that the phone, whose page
 * clears its results box on every prompt, loads results.js only with a kind that draws results.
 */
export function reset(box) {
  box.k = null;
  box.replaceChildren();
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

/** How often the connection looks at itself (ms): cheap, and the bounds below are its multiples. */
const TICK = 500;
/** A hello not answered by `welcome` or `resumed` within this (ms) is a dead attempt: try again. */
const CONNECT_TIMEOUT = 2500;
/**
 * Silence after which a live, visible page pings (ms): with [`LATE`], a dead socket shows in the
 * status within 3 s. The server answers pings itself, at once; hidden pages (a phone in a
 * pocket) do not ping, and check themselves when shown again.
 */
const QUIET = 1500;
/** A ping or a request unanswered this long (ms) means the status may not say "connected". */
const LATE = 1000;
/** A ping unanswered this long (ms) means the socket is dead: drop it and connect again. */
const DEAD = 3000;
/** A request unanswered this long (ms) is "waiting": the status says so, whatever the socket. */
const WAITED = 3000;
/** Longest wait between attempts (ms): short, so everyone is back within seconds of the network. */
const BACKOFF_CAP = 2000;
/** While the device says it is offline, an attempt this often (ms), in case it is wrong. */
const OFFLINE_RETRY = 10000;
/** A gap this long between heartbeats (ms) means the page was frozen or asleep: reconnect at once. */
const SLEPT = 5000;
/** After this long without a connection (ms) the status says whose network is the problem. */
const LOST_AFTER = 3000;

/**
 * The websocket to /ws/{slug}: says hello (resuming from the page's last seq), and counts as
 * **live** once the server answers `welcome` or `resumed`. Reconnects with short capped backoff and
 * jitter; pings when quiet so a dead socket (a swallowed network, a sleeping laptop) is found in
 * seconds; and checks itself when the page comes back (visible, thawed, online).
 *
 * Frames go out only while the connection is **usable**: live, the device online, and no ping
 * overdue (a socket that may be dead swallows what is sent). Requests (frames with an `id`) are
 * tracked until a frame with that `id` answers. `queue()` holds frames made meanwhile and sends
 * them, in order, once usable again; `onLive()` runs then too, for pages with queues of their
 * own. Requests that were on the wire when a socket died are handed to `onLost(ids)`: nobody
 * knows whether they were applied; when it answers true, the next hello asks for a fresh
 * `welcome` (the truth) instead of a resume.
 *
 * `status`: connecting | connected | slow (a request or ping is late) | reconnecting | offline (this
 * device has no network) | unreachable (the device is online, the server does not answer) | refused.
 */
export class Conn {
  constructor(hello, onMessage) {
    this.hello = hello;
    this.onMessage = onMessage;
    /** @type {(status: string) => void} */
    this.onStatus = () => {};
    /** @type {(code: string) => void} */
    this.onRefused = () => {};
    /** @type {(ids: number[]) => boolean | void} */
    this.onLost = () => {};
    /** @type {() => void} */
    this.onLive = () => {};
    this.ws = null;
    /** An earlier attempt still allowed to win (see `connect`). */
    this.spare = null;
    this.status = 'connecting';
    this.attempt = this.timer = this.started = this.lastRx = this.probe = 0;
    this.lastTick = Date.now();
    this.offlineTry = 0;
    /** When the last live connection ended (0 while live or before the first). */
    this.lostAt = 0;
    this.welcomed = this.stopped = this.fresh = false;
    this.lastError = null;
    /** Requests on the wire: id -> when sent. */
    this.inflight = new Map();
    /** Frames waiting for a live connection, oldest first. */
    this.waiting = [];
    const wake = () => this.check(Date.now() - this.lastTick > SLEPT);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') wake();
    });
    // A frozen page (a sleeping laptop, a phone's background tab) thaws with `resume`.
    document.addEventListener('resume', wake);
    addEventListener('pageshow', wake);
    // Back on the network: whatever socket survived it is suspect, and a resume is cheap.
    addEventListener('online', () => {
      this.attempt = 0;
      this.check(true);
    });
    addEventListener('offline', () => this.judge());
    setInterval(() => this.heartbeat(), TICK);
  }

  setStatus(s) {
    if (this.status !== s) {
      this.status = s;
      this.onStatus(s);
    }
  }

  /**
   * A new attempt. `keepSpare`: the attempt it replaces has not been answered in time, which a
   * swallowed network and a slow one look alike; it is kept as the spare, and whichever of the
   * two is answered first wins.
   */
  connect(keepSpare = false) {
    clearTimeout(this.timer);
    this.timer = 0;
    if (this.stopped) return;
    const previous = this.ws && !this.welcomed ? this.ws : null;
    if (keepSpare && previous) {
      this.ws = null;
      this.dropSpare();
      this.spare = previous;
    } else {
      this.dropSpare();
    }
    this.drop();
    if (navigator.onLine === false && Date.now() - this.offlineTry < OFFLINE_RETRY) {
      // The device says it has no network: wait for `online` (and try now and then, in case
      // the device is wrong).
      this.judge();
      this.timer = setTimeout(() => this.connect(), OFFLINE_RETRY);
      return;
    }
    if (navigator.onLine === false) this.offlineTry = Date.now();
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/${encodeURIComponent(slug)}`);
    this.ws = ws;
    this.lastError = null;
    this.started = Date.now();
    ws.onopen = () => {
      this.lastRx = Date.now();
      const hello = this.hello();
      if (this.fresh) hello.last_seq = 0;
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (e) => {
      if (ws === this.spare) {
        // The slow attempt answered first: it wins, the newer one goes.
        this.spare = null;
        this.drop();
        this.ws = ws;
      }
      if (ws !== this.ws) return;
      this.lastRx = Date.now();
      // Anything heard clears an overdue ping: what waited for that goes after this frame.
      const suspected = !this.usable();
      this.probe = 0;
      let m;
      try { m = JSON.parse(e.data); } catch { return; }
      if (m.id != null) this.inflight.delete(m.id);
      const live = m.type === 'welcome' || m.type === 'resumed';
      if (m.type === 'pong') {
        clock.sync(m.server_time);
      } else {
        if (live) {
          this.welcomed = true;
          this.attempt = this.lostAt = 0;
          this.fresh = false;
          clock.sync(m.server_time);
        } else if (m.type === 'error' && !this.welcomed) {
          this.lastError = m.code;
        }
        this.onMessage(m);
      }
      // After the page took in the welcome (or the resume): what waited goes now, in order.
      if (live || (suspected && this.welcomed)) this.flush();
      else this.judge();
    };
    ws.onclose = (e) => {
      if (ws === this.spare) this.spare = null;
      if (this.ws !== ws) return;
      this.lose();
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
    if (!ws) return;
    this.lose();
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.close();
  }

  /** Closes the spare attempt, if any. */
  dropSpare() {
    const ws = this.spare;
    this.spare = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close();
    }
  }

  /** The socket is gone: requests on it have an unknown fate. */
  lose() {
    this.ws = null;
    this.probe = 0;
    if (this.welcomed) this.lostAt = Date.now();
    this.welcomed = false;
    if (this.inflight.size) {
      const ids = [...this.inflight.keys()];
      this.inflight.clear();
      if (this.onLost(ids)) this.fresh = true;
    }
  }

  retry(fast) {
    this.attempt++;
    if (!this.lostAt) this.lostAt = Date.now();
    this.judge();
    // 0.25 s doubling to 2 s, each wait drawn from its upper half so a crowd spreads out.
    const cap = fast ? 1000 : Math.min(BACKOFF_CAP, 250 * 2 ** (this.attempt - 1));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), cap / 2 + Math.random() * (cap / 2));
  }

  /** Sets the status from what is known now: the socket, late answers, the device's network. */
  judge() {
    if (this.stopped) return;
    const now = Date.now();
    if (!this.welcomed) {
      const away = this.lostAt ? now - this.lostAt : now - (this.started || now);
      if (navigator.onLine === false) this.setStatus('offline');
      else if (this.lostAt || this.attempt) this.setStatus(away > LOST_AFTER ? 'unreachable' : 'reconnecting');
      else this.setStatus('connecting');
      return;
    }
    const oldest = Math.min(...this.inflight.values());
    const late = (this.probe && now - this.probe >= LATE) || now - oldest > WAITED;
    if (navigator.onLine === false) this.setStatus('offline');
    else this.setStatus(late ? 'slow' : 'connected');
  }

  /** Sends what waited for a usable connection and tells the page (`onLive`). */
  flush() {
    this.judge();
    if (!this.usable()) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const f of waiting) this.send(f);
    this.onLive();
    this.judge();
  }

  /** Whether a frame sent now can arrive: live, online, and no ping overdue. */
  usable() {
    return this.welcomed && !!this.ws && this.ws.readyState === WebSocket.OPEN
      && navigator.onLine !== false && !(this.probe && Date.now() - this.probe >= LATE);
  }

  /**
   * Reconnects now if there is no live socket (or `suspect`: after a sleep, or back online);
   * otherwise checks at once that it still lives.
   */
  check(suspect = false) {
    if (this.stopped || !this.started) return;
    if (suspect || !this.ws || this.ws.readyState > WebSocket.OPEN) this.connect();
    else if (this.welcomed) this.ping();
  }

  ping() {
    if (!this.probe) this.probe = Date.now();
    this.send({ type: 'ping' });
  }

  heartbeat() {
    if (this.stopped) return;
    const now = Date.now();
    const slept = now - this.lastTick > SLEPT;
    this.lastTick = now;
    if (slept && this.started && document.visibilityState !== 'hidden') {
      // Timers were frozen (a sleeping laptop): the socket is likely long dead.
      this.connect();
      return;
    }
    if (this.ws && !this.welcomed && now - this.started > CONNECT_TIMEOUT) {
      // Not answered in time: a swallowed network, or a slow one. Try a new socket at once and
      // keep this one as the spare (the first answered wins): each attempt gets two rounds.
      this.attempt++;
      if (!this.lostAt) this.lostAt = now;
      this.connect(true);
    } else if (this.ws && this.welcomed && this.probe && now - this.probe > DEAD) {
      this.drop();
      this.retry(true);
    } else if (this.welcomed && !this.probe) {
      const oldest = Math.min(...this.inflight.values());
      const quiet = now - this.lastRx >= QUIET && document.visibilityState !== 'hidden';
      if (quiet || now - oldest >= LATE) this.ping();
    } else if (this.started && !this.ws && !this.timer) {
      this.connect();
    }
    this.judge();
  }

  /** Sends a frame if usable; false if not. A frame with an `id` is tracked until answered. */
  send(m) {
    if (m.type === 'ping' ? !this.welcomed || this.ws?.readyState !== WebSocket.OPEN : !this.usable()) return false;
    this.ws.send(JSON.stringify(m));
    if (m.id != null && !this.inflight.has(m.id)) this.inflight.set(m.id, Date.now());
    return true;
  }

  /** Sends now if live, else keeps the frame for the next live connection. True if sent now. */
  queue(m) {
    if (this.send(m)) return true;
    this.waiting.push(m);
    this.judge();
    return false;
  }
}
