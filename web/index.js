// The start page: join a session by name, or create one and get its private control link once.
import { $, t, setLang, savedLang, initLangSwitch, onLang, errorText } from './common.js';

const SLUG = /^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/;
// Shown now as codes/keys, so a language switch re-renders them.
let createError = null;
let copied = null;

const missing = decodeURIComponent(location.pathname.split('/')[1] || '');

function render() {
  const nf = $('not-found');
  nf.hidden = !missing;
  if (missing) nf.textContent = t('index.not_found', { name: missing });
  const ce = $('c-error');
  ce.hidden = !createError;
  if (createError) ce.textContent = errorText(createError);
  $('r-copied').textContent = copied ? t(copied) : '';
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
  const form = e.target;
  const slug = $('c-slug').value.trim();
  const title = $('c-title').value.trim();
  const language = $('c-lang').value;
  createError = !SLUG.test(slug) ? 'invalid_slug' : !title ? 'invalid_title' : null;
  render();
  if (createError) {
    $(createError === 'invalid_slug' ? 'c-slug' : 'c-title').focus();
    return;
  }
  const button = $('c-submit');
  button.disabled = true;
  try {
    const r = await fetch('/api/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ slug, title, language, admin_password: $('c-password').value || undefined }),
    });
    const body = await r.json().catch(() => ({}));
    if (r.status !== 201) {
      createError = body?.error?.code || 'generic';
      // This server wants its admin password: ask for it.
      if (createError.includes('admin_password')) {
        $('c-admin').hidden = false;
        $('c-password').focus();
      }
    } else {
      showCreated(body);
      form.hidden = true;
    }
  } catch {
    createError = 'network';
  }
  button.disabled = false;
  render();
});

function showCreated(body) {
  const control = location.origin + body.control_url;
  const input = $('r-control');
  input.value = control;
  const link = (id, path) => {
    const a = $(id);
    a.href = path;
    a.textContent = location.host + path;
  };
  link('r-participant', body.participant_url);
  link('r-screen', body.screen_url);
  $('r-open').href = control;
  $('created').hidden = false;
  const h = $('create-h');
  h.dataset.i18n = 'index.created_title';
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

initLangSwitch();
onLang(render);

// The browser's first Finnish or Swedish preference, else English.
const browserLang = (navigator.languages || []).map((l) => l.slice(0, 2)).find((l) => l === 'fi' || l === 'sv');
setLang(savedLang() || browserLang || 'en');
if (missing) $('join-slug').value = missing;
render();
