// @ts-check
// The console's Files menu: downloads with the key as a Bearer token (exports, the agenda as
// a template), loading a template into the agenda, and deleting the session.
import { $, t, slug, errorText } from '../common.js';
import * as api from '../api.js';

/**
 * Wires the Files menu and returns `download` (the export dialog uses it too).
 * @param {{
 *   key: string,
 *   request: (message: object, done?: () => void) => void,
 *   status: (text: string) => void,
 * }} console
 */
export function createFiles({ key, request, status }) {
  /**
   * Downloads a file of the session; true when it did.
   * @param {string} file
   * @param {string} name the file's name unless the server gives one
   * @param {(text: string) => void} [report] where a failure is told
   */
  async function download(file, name, report = status) {
    try {
      const res = await api.sessionFile(slug, key, file);
      if (!res.ok) {
        report(errorText(res.body?.error?.code));
        return false;
      }
      const r = res.response;
      const url = URL.createObjectURL(await r.blob());
      const a = document.createElement('a');
      a.href = url;
      // The server's name carries the session and the day it was held, in the session's zone.
      const given = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') || '');
      a.download = given ? given[1] : name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30000);
      return true;
    } catch {
      report(errorText('network'));
      return false;
    }
  }

  const menu = /** @type {HTMLDetailsElement} */ (document.querySelector('.menu'));
  // The Files menu closes once used, or on a click elsewhere.
  addEventListener('click', (e) => {
    const target = /** @type {HTMLElement} */ (e.target);
    if (menu.open && (!menu.contains(target) || target.closest('.menu-body button'))) menu.open = false;
  });
  // It opens towards the side with room: wherever the toolbar wrapped it, never off the screen.
  menu.addEventListener('toggle', () => {
    const body = /** @type {HTMLElement} */ (menu.querySelector('.menu-body'));
    body.classList.remove('to-right');
    if (!menu.open) return;
    if (body.getBoundingClientRect().left < 0) body.classList.add('to-right');
    // On a small screen where the page scrolls, bring the whole menu into view.
    body.scrollIntoView({ block: 'nearest' });
  });
  $('tpl-save').addEventListener('click', () => download('agenda.json', `${slug}-agenda.json`));
  $('tpl-load').addEventListener('click', () => $('tpl-file').click());
  $('delete-session').addEventListener('click', async () => {
    if (!confirm(t('control.delete_confirm', { slug }))) return;
    try {
      const r = await api.deleteSession(slug, key);
      if (!r.ok) {
        status(errorText(r.body?.error?.code));
        return;
      }
      location.assign('/');
    } catch {
      status(errorText('network'));
    }
  });
  $('tpl-file').addEventListener('change', async (e) => {
    const input = /** @type {PageElement} */ (e.target);
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    let tpl = null;
    try { tpl = JSON.parse(await file.text()); } catch { /* reported below */ }
    if (!tpl || tpl.format !== 'paja-agenda' || !Array.isArray(tpl.prompts) || !tpl.prompts.length) {
      status(t('control.template_invalid'));
      return;
    }
    if (confirm(t('control.confirm_import', { n: tpl.prompts.length, title: tpl.title || file.name }))) {
      request({ type: 'import_agenda', prompts: tpl.prompts }, () => status(t('control.imported', { n: tpl.prompts.length })));
    }
  });

  return { download };
}
