// The start page: join a session by name, or create one and get its private control link once.
import { $, t, setLang, savedLang, initLangSwitch, onLang, errorText, applyLimits } from './common.js';
import { LIMITS } from './limits.js';
import * as api from './api.js';

applyLimits(LIMITS);

const SLUG = new RegExp(`^[a-z0-9][a-z0-9-]{${LIMITS.slug_min - 2},${LIMITS.slug_max - 2}}[a-z0-9]$`);
// Shown now as codes/keys, so a language switch re-renders them.
let createError = null;
let importError = null;
/** The server's own words about a refused file (which item, which prompt), shown as given. */
let importDetail = '';
let copied = null;
let seriesError = null;

const missing = decodeURIComponent(location.pathname.split('/')[1] || '');

function render() {
  const nf = $('not-found');
  nf.hidden = !missing;
  if (missing) nf.textContent = t('index.not_found', { name: missing });
  const ce = $('c-error');
  ce.hidden = !createError;
  if (createError) ce.textContent = errorText(createError);
  const ie = $('i-error');
  ie.hidden = !importError;
  if (importError) ie.textContent = errorText(importError);
  const detail = $('i-detail');
  detail.hidden = !importError || !importDetail;
  detail.textContent = importError ? importDetail : '';
  $('r-copied').textContent = copied ? t(copied) : '';
  const se = $('s-error');
  se.hidden = !seriesError;
  if (seriesError) se.textContent = errorText(seriesError);
}

/** Whatever the user typed or pasted (`paja.example/hyvinsivi` too) as a session name. */
function joinName() {
  const v = $('join-slug').value.trim().toLowerCase();
  return v.replace(/[?#].*$/, '').replace(/\/+$/, '').replace(/^.*\//, '');
}

$('join').addEventListener('submit', (e) => {
  e.preventDefault();
  const name = joinName();
  if (name) location.href = `/${encodeURIComponent(name)}`;
  else $('join-slug').focus();
});

$('create').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = /** @type {PageElement} */ (e.target);
  const slug = $('c-slug').value.trim();
  const title = $('c-title').value.trim();
  const language = $('c-lang').value;
  const timeZone = $('c-tz').value;
  createError = !SLUG.test(slug) ? 'invalid_slug' : !title ? 'invalid_title' : null;
  render();
  if (createError) {
    $(createError === 'invalid_slug' ? 'c-slug' : 'c-title').focus();
    return;
  }
  const button = $('c-submit');
  button.disabled = true;
  try {
    const r = await api.createSession({
      slug, title, language, time_zone: timeZone || undefined, admin_password: $('c-password').value || undefined,
    });
    const body = r.body;
    if (r.status !== 201) {
      createError = body?.error?.code || 'generic';
      if (createError === 'invalid_time_zone') $('c-tz').focus();
      // This server wants its admin password: ask for it.
      if (createError.includes('admin_password')) {
        $('c-admin').hidden = false;
        $('c-password').focus();
      }
    } else {
      showCreated(body);
      form.hidden = true;
      $('import-box').hidden = true;
    }
  } catch {
    createError = 'network';
  }
  button.disabled = false;
  render();
});

// Import: the file goes as it is to POST /api/sessions/import; the answer is the same as a
// creation's, so the control link is shown the same way.
$('import').addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = $('i-file').files?.[0];
  const slug = $('i-slug').value.trim();
  importDetail = '';
  importError = !file ? 'import_no_file' : slug && !SLUG.test(slug) ? 'invalid_slug' : null;
  render();
  if (importError) {
    $(importError === 'invalid_slug' ? 'i-slug' : 'i-file').focus();
    return;
  }
  const button = $('i-submit');
  button.disabled = true;
  try {
    const r = await api.importSession(file, slug, $('i-password').value);
    const body = r.body;
    if (r.status !== 201) {
      importError = body?.error?.code || 'generic';
      importDetail = r.status === 400 ? body?.error?.message || '' : '';
      if (importError.includes('admin_password')) {
        $('i-admin').hidden = false;
        $('i-password').focus();
      }
    } else {
      showCreated(body, 'index.imported_title');
      $('create').hidden = true;
      $('import-box').hidden = true;
    }
  } catch {
    importError = 'network';
  }
  button.disabled = false;
  render();
});

// A new series: its private link (the key in the fragment) is shown this once.
$('series').addEventListener('submit', async (e) => {
  e.preventDefault();
  const title = $('s-title').value.trim();
  seriesError = title ? null : 'invalid_title';
  render();
  if (seriesError) {
    $('s-title').focus();
    return;
  }
  const button = $('s-submit');
  button.disabled = true;
  try {
    const r = await api.createSeries({ title, admin_password: $('s-password').value || undefined });
    if (r.status !== 201) {
      seriesError = r.body?.error?.code || 'generic';
      if (seriesError.includes('admin_password')) {
        $('s-admin').hidden = false;
        $('s-password').focus();
      }
    } else {
      const address = await api.joinAddress();
      const link = address.origin + r.body.url;
      $('s-link').value = link;
      $('s-open').href = link;
      $('series').hidden = true;
      $('series-created').hidden = false;
      $('s-link').focus();
      $('s-link').select();
    }
  } catch {
    seriesError = 'network';
  }
  button.disabled = false;
  render();
});

async function showCreated(body, title = 'index.created_title') {
  // The links as the room will use them: the server's public address, not the one this page
  // was opened at.
  const address = await api.joinAddress();
  const control = address.origin + body.control_url;
  const input = $('r-control');
  input.value = control;
  const link = (id, path) => {
    const a = $(id);
    a.href = path;
    a.textContent = address.host + path;
  };
  link('r-participant', body.participant_url);
  link('r-screen', body.screen_url);
  $('r-open').href = control;
  $('created').hidden = false;
  const h = $('create-h');
  h.dataset.i18n = title;
  h.textContent = t(h.dataset.i18n);
  input.focus();
  input.select();
}

$('r-copy').addEventListener('click', async () => {
  const input = $('r-control');
  try {
    await navigator.clipboard.writeText(input.value);
    copied = 'index.copied';
  } catch {
    input.focus();
    input.select();
    copied = 'index.copy_manual';
  }
  render();
});

/** Offered first: where Paja's seminars are held (Finland, Åland, the Nordic neighbours). */
const NEAR_ZONES = ['Europe/Helsinki', 'Europe/Mariehamn', 'Europe/Stockholm', 'Europe/Oslo', 'Europe/Copenhagen', 'Atlantic/Reykjavik'];

/**
 * The time zone is picked, never typed (a typo would only show up in the exports): the Nordic
 * zones first, then every zone the browser knows (`Intl.supportedValuesOf`), each with its
 * offset today, Europe/Helsinki chosen.
 */
function fillZones() {
  const select = $('c-tz');
  const chosen = select.value || NEAR_ZONES[0];
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const option = (zone) => {
    const o = document.createElement('option');
    o.value = zone;
    let offset = '';
    try {
      offset = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'shortOffset' })
        .formatToParts(new Date()).find((p) => p.type === 'timeZoneName')?.value || '';
    } catch { /* a zone this browser cannot format: its name alone */ }
    o.textContent = offset ? `${zone} (${offset})` : zone;
    return o;
  };
  const group = (key, zones) => {
    const g = document.createElement('optgroup');
    g.label = t(key);
    g.append(...zones.map(option));
    return g;
  };
  const rest = [...new Set([...all, 'UTC'])].filter((z) => !NEAR_ZONES.includes(z)).sort();
  select.replaceChildren(group('index.time_zone_near', NEAR_ZONES), group('index.time_zone_all', rest));
  select.value = chosen;
}

initLangSwitch();
onLang(() => {
  fillZones();
  render();
});

// The browser's first Finnish or Swedish preference, else English.
const browserLang = (navigator.languages || []).map((l) => l.slice(0, 2)).find((l) => l === 'fi' || l === 'sv');
setLang(savedLang() || browserLang || 'en');
if (missing) $('join-slug').value = missing;
render();
