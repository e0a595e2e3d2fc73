// @ts-check
// A series' page (`/series/{name}#key=…`): its seminars with their counts and export links,
// a new seminar made from its agenda (the control link shown once), its agenda template set
// from an agenda file, and the comparison report. The series key reads; it never controls.
import { $, t, setLang, savedLang, initLangSwitch, onLang, errorText, applyLimits, el } from './common.js';
import { LIMITS } from './limits.js';
import * as api from './api.js';

applyLimits(LIMITS);

const name = decodeURIComponent(location.pathname.split('/')[2] || '');
const key = new URLSearchParams(location.hash.slice(1)).get('key') || '';
/** The series as last read (`GET /api/series/{name}`). */
let series = null;
/** An error code shown at the top, re-rendered on a language switch. */
let loadError = key ? null : 'key_required';
let newError = null;
let copied = null;
/**
 * What each status line says, kept as a key (or an error code) so a language switch, or the
 * strings arriving after the answer, re-renders it.
 * @type {Record<string, { key?: string, vars?: object, error?: string } | null>}
 */
const notes = { 's-status': null, 'a-status': null, 'rep-status': null };

/** Sets a status line and shows it. */
function note(id, value) {
  notes[id] = value;
  render();
}

const EXPORTS = ['json', 'csv', 'xlsx', 'md', 'html'];

async function load() {
  try {
    const r = await api.seriesInfo(name, key);
    if (!r.ok) {
      loadError = r.body?.error?.code || 'generic';
    } else {
      series = r.body;
      loadError = null;
    }
  } catch {
    loadError = 'network';
  }
  render();
}

/**
 * Saves a download the series key may fetch.
 * @param {Promise<any>} call
 * @param {string} fallback the file's name unless the server gives one
 * @param {string} statusId where a failure is told
 */
async function save(call, fallback, statusId) {
  note(statusId, null);
  try {
    const res = await call;
    if (!res.ok) {
      note(statusId, { error: res.body?.error?.code || 'generic' });
      return;
    }
    const r = res.response;
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement('a');
    a.href = url;
    const given = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') || '');
    a.download = given ? given[1] : fallback;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  } catch {
    note(statusId, { error: 'network' });
  }
}

/** One seminar's row: title and name, when, counts, its exports (never its console). */
function row(s) {
  const tr = document.createElement('tr');
  const title = el('td', 'series-session');
  title.append(el('strong', '', s.title), el('span', 'help', ` /${s.name}`));
  if (s.rehearsal) title.append(' ', el('span', 'pill rehearsal-pill', t('series.rehearsal')));
  const created = el('td', '', new Date(s.created_at).toLocaleDateString(document.documentElement.lang));
  const exports = el('td', 'series-exports');
  for (const ext of EXPORTS) {
    const b = el('button', 'secondary small', t(`series.format_${ext}`));
    b.type = 'button';
    b.addEventListener('click', () => save(api.sessionFile(s.name, key, `export.${ext}`), `${s.name}.${ext}`, 's-status'));
    exports.append(b);
  }
  tr.append(title, created, el('td', 'num', String(s.participants)), el('td', 'num', String(s.items)), exports);
  return tr;
}

function render() {
  const error = $('s-error');
  error.hidden = !loadError;
  if (loadError) error.textContent = errorText(loadError);
  $('s-title').textContent = series ? series.title : '';
  if (series) document.title = `${series.title} – ${t('series.page_title')}`;
  const sessions = series ? series.sessions : [];
  $('s-none').hidden = !series || sessions.length > 0;
  $('s-sessions').hidden = sessions.length === 0;
  $('s-rows').replaceChildren(...sessions.map(row));
  const agenda = series ? series.agenda : [];
  $('a-none').hidden = !series || agenda.length > 0;
  $('a-list').replaceChildren(...agenda.map((p) => {
    const li = el('li', '', p.title);
    li.append(el('span', 'help', ` · ${t(`kind.${p.kind}`)}`));
    return li;
  }));
  const ne = $('n-error');
  ne.hidden = !newError;
  if (newError) ne.textContent = errorText(newError);
  $('r-copied').textContent = copied ? t(copied) : '';
  for (const [id, value] of Object.entries(notes)) {
    $(id).textContent = !value ? '' : value.error ? errorText(value.error) : t(value.key, value.vars);
  }
}

$('new').addEventListener('submit', async (e) => {
  e.preventDefault();
  const title = $('n-title').value.trim();
  const slug = $('n-slug').value.trim();
  newError = title ? null : 'invalid_title';
  render();
  if (newError) {
    $('n-title').focus();
    return;
  }
  const button = $('n-submit');
  button.disabled = true;
  try {
    const r = await api.createInSeries(name, key, {
      title, slug: slug || undefined, language: document.documentElement.lang, admin_password: $('n-password').value || undefined,
    });
    if (r.status !== 201) {
      newError = r.body?.error?.code || 'generic';
      if (newError.includes('admin_password')) {
        $('n-admin').hidden = false;
        $('n-password').focus();
      }
    } else {
      const address = await api.joinAddress();
      const control = address.origin + r.body.control_url;
      $('r-control').value = control;
      $('r-open').href = control;
      $('created').hidden = false;
      $('n-title').value = '';
      $('n-slug').value = '';
      $('r-control').focus();
      $('r-control').select();
      await load();
    }
  } catch {
    newError = 'network';
  }
  button.disabled = false;
  render();
});

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

$('a-file').addEventListener('change', async (e) => {
  const input = /** @type {PageElement} */ (e.target);
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  let agenda = null;
  try { agenda = JSON.parse(await file.text()); } catch { /* reported below */ }
  if (!agenda || agenda.format !== 'paja-agenda' || !Array.isArray(agenda.prompts)) {
    note('a-status', { key: 'series.agenda_invalid' });
    return;
  }
  try {
    const r = await api.setSeriesAgenda(name, key, agenda);
    if (!r.ok) {
      note('a-status', { error: r.body?.error?.code || 'generic' });
      return;
    }
    note('a-status', { key: 'series.agenda_set', vars: { n: agenda.prompts.length } });
    await load();
  } catch {
    note('a-status', { error: 'network' });
  }
});

for (const b of document.querySelectorAll('[data-report]')) {
  const button = /** @type {PageElement} */ (b);
  button.addEventListener('click', () => {
    const ext = button.dataset.report;
    const file = `report.${ext}?lang=${$('rep-lang').value}`;
    save(api.seriesFile(name, key, file), `${name}-report.${ext}`, 'rep-status');
  });
}

initLangSwitch();
onLang(() => {
  $('rep-lang').value = document.documentElement.lang;
  render();
});
// The browser's first Finnish or Swedish preference, else English (as the start page).
const browserLang = (navigator.languages || []).map((l) => l.slice(0, 2)).find((l) => l === 'fi' || l === 'sv');
setLang(savedLang() || browserLang || 'en');
load();
