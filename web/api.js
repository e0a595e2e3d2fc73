// @ts-check
// Every HTTP call the pages make (the websocket aside), like Miniflux's request_builder.js:
// the paths, the facilitator key as a Bearer token, and the error body's shape
// (docs/protocol.md, "Error body") in one place. A network failure rejects; the callers
// say `error.network`.

/**
 * A finished call: its status, its JSON body (`{}` when it has none), and the response.
 * @typedef {{ ok: boolean, status: number, body: any, response: Response }} ApiResult
 */

const sessionPath = (/** @type {string} */ slug) => `/api/sessions/${encodeURIComponent(slug)}`;
const bearer = (/** @type {string} */ key) => ({ Authorization: `Bearer ${key}` });

/**
 * @param {string} url
 * @param {RequestInit} init
 * @param {boolean} [json] whether to read the body as JSON (else the caller reads it)
 * @returns {Promise<ApiResult>}
 */
async function call(url, init, json = true) {
  const response = await fetch(url, init);
  const body = json || !response.ok ? await response.json().catch(() => ({})) : {};
  return { ok: response.ok, status: response.status, body, response };
}

/** `POST /api/sessions`: a new session; its body has the control link. */
export const createSession = (/** @type {object} */ fields) => call('/api/sessions', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(fields),
});

/**
 * `POST /api/sessions/import`: a session from an exported JSON file.
 * @param {Blob} file
 * @param {string} slug the name to give it ('' keeps the file's)
 * @param {string} password the server's admin password, if it wants one
 */
export function importSession(file, slug, password) {
  const query = slug ? `?slug=${encodeURIComponent(slug)}` : '';
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': 'application/json' };
  if (password) headers['X-Paja-Admin-Password'] = password;
  return call(`/api/sessions/import${query}`, { method: 'POST', headers, body: file });
}

/** `DELETE /api/sessions/{slug}` with the facilitator key. */
export const deleteSession = (/** @type {string} */ slug, /** @type {string} */ key) =>
  call(sessionPath(slug), { method: 'DELETE', headers: bearer(key) });

/** `GET /api/sessions/{slug}/{file}` (an export or the agenda) with the facilitator key. */
export const sessionFile = (/** @type {string} */ slug, /** @type {string} */ key, /** @type {string} */ file) =>
  call(`${sessionPath(slug)}/${file}`, { headers: bearer(key), cache: 'no-store' }, false);

/**
 * `GET /api/sessions/{slug}/suggestions?prompt=…` with the facilitator key: proposed themes
 * for a brainstorm, `{ prompt, suggestions: [{ label, items }] }` (biggest first, at most 12).
 * Only a proposal: accepting one is an `add_theme` with its items, made on a click.
 * @param {string} slug
 * @param {string} key
 * @param {string} prompt the brainstorm's prompt id
 */
export const suggestions = (slug, key, prompt) =>
  call(`${sessionPath(slug)}/suggestions?prompt=${encodeURIComponent(prompt)}`, {
    headers: bearer(key),
    cache: 'no-store',
  });

/**
 * `GET /api/address`: where participants join, as the server knows it (its `--public-url`,
 * else this page's own host), so a console opened as 127.0.0.1 still shows the public address.
 * This page's own address when the call fails.
 * @returns {Promise<{ origin: string, host: string }>}
 */
export async function joinAddress() {
  try {
    const r = await call('/api/address', { cache: 'no-store' });
    if (r.ok && typeof r.body.origin === 'string' && typeof r.body.host === 'string') return r.body;
  } catch {
    // Offline for the moment: this page's own address is the best guess.
  }
  return { origin: location.origin, host: location.host };
}
