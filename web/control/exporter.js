// @ts-check
// The console's export dialog: a format, which prompts, hidden answers in or out, the
// headings' language and, for CSV, the separator. Reports leave hidden answers out unless
// asked; data keeps them.
import { $, $$, t, el, slug, lang } from '../common.js';

/**
 * Wires the export dialog (`#exporter`) and returns what the console asks of it.
 * @param {{
 *   prompts: () => any[],
 *   language: () => string,
 *   download: (file: string, name: string, report?: (text: string) => void) => Promise<boolean>,
 * }} console
 */
export function createExporter({ prompts, language, download }) {
  const exporter = $('exporter');
  const xFormat = () => /** @type {PageElement} */ (exporter.querySelector('input[name="x-format"]:checked')).value;
  const isReport = (/** @type {string} */ f) => f === 'html' || f === 'md';
  function showExportFields() {
    const f = xFormat();
    $('x-delim-box').hidden = f !== 'csv';
    $('x-hidden').checked = !isReport(f);
  }
  function openExporter() {
    const list = $('x-prompts');
    list.replaceChildren();
    prompts().forEach((p, i) => {
      const box = el('input');
      box.type = 'checkbox';
      box.value = String(i + 1);
      box.checked = true;
      box.disabled = $('x-all').checked;
      const row = el('label', 'check');
      row.append(box, ' ', el('span', '', `${i + 1}. ${p.title}`));
      list.append(row);
    });
    $('x-lang').value = language();
    $('x-delim').value = lang === 'en' ? 'comma' : 'semicolon';
    $('x-error').hidden = true;
    showExportFields();
    exporter.showModal();
  }
  $('export').addEventListener('click', openExporter);
  for (const r of exporter.querySelectorAll('input[name="x-format"]')) r.addEventListener('change', showExportFields);
  $('x-all').addEventListener('change', () => {
    for (const b of $('x-prompts').querySelectorAll('input')) {
      b.disabled = $('x-all').checked;
      if ($('x-all').checked) b.checked = true;
    }
  });
  $('x-cancel').addEventListener('click', () => exporter.close());
  $('x-go').addEventListener('click', async () => {
    const f = xFormat();
    const q = new URLSearchParams({ lang: $('x-lang').value, hidden: String($('x-hidden').checked) });
    if (f === 'csv') q.set('delimiter', $('x-delim').value);
    let name = slug;
    if (!$('x-all').checked) {
      const picked = [...$$('input:checked', $('x-prompts'))].map((b) => b.value);
      if (!picked.length) {
        $('x-error').textContent = t('export.pick_one');
        $('x-error').hidden = false;
        return;
      }
      q.set('prompts', picked.join(','));
      if (picked.length === 1) name += `-${picked[0]}`;
    }
    const fail = (/** @type {string} */ text) => { $('x-error').textContent = text; $('x-error').hidden = false; };
    if (await download(`export.${f}?${q}`, `${name}.${f}`, fail)) exporter.close();
  });

  return { isOpen: () => exporter.open };
}
