// @ts-check
// The console's prompt editor: a dialog that adds a prompt or edits one. The fields every
// prompt has are here; each kind's own fields are its activity module's (`editor`): a kind
// either has its inputs in control.html or builds them (`editor.build`), never in this file.
import { $, $$, t, el, onLang } from '../common.js';
import { LIMITS } from '../limits.js';
import { activity, all, KINDS } from '../activities/index.js';
import { others } from './languages.js';

/**
 * The form's prompt texts that have a twin in the second language: the input, where its text
 * goes in a translation (`x.label`: the matrix's x axis label), and whether it is a list (one a
 * line) of the kind that has it (absent: every kind).
 * @type {[string, string, string?][]}
 */
const TWINS = [
  ['e-title', 'title'], ['e-instr', 'instructions'], ['e-columns', 'columns', 'brainstorm'],
  ['e-options', 'options', 'poll'], ['e-statements', 'statements', 'scale'],
  ['e-min-label', 'min_label', 'scale'], ['e-max-label', 'max_label', 'scale'],
  ...['x', 'y'].flatMap((a) => ['label', 'low', 'high'].map((part) => /** @type {[string, string, string]} */ ([`e-m${a}-${part}`, `${a}.${part}`, 'matrix']))),
];
/** The lists among them: one entry a line, as many as the main list's. */
const LISTS = ['columns', 'options', 'statements'];
/** The second language chosen last, offered again for the next prompt. */
let lastSecond = '';

/**
 * Wires the editor dialog (`#editor`) and returns what the console calls.
 * @param {{
 *   prompts: () => any[],
 *   promptById: (id: string) => any,
 *   request: (message: object, done?: () => void) => void,
 *   fill: (select: HTMLElement, value: string, options: string[][]) => void,
 *   main: () => string,
 * }} console
 */
export function createEditor({ prompts, promptById, request, fill, main }) {
  const editor = $('editor');
  /** @type {string | null} The prompt being edited (null: a new one). */
  let editing = null;
  // One choice per registered kind, named in the page's language (re-translated with it).
  $('e-kind').replaceChildren(...KINDS.map((k) => {
    const o = el('option', '', t(`kind.${k}`));
    o.setAttribute('value', k);
    o.dataset.i18n = `kind.${k}`;
    return o;
  }));
  // The inputs of kinds that build their own go where the kinds' fieldsets are.
  const shared = /** @type {HTMLElement} */ (editor.querySelector('.kind-fields[data-when]'));
  for (const a of all()) if (a.editor.build) shared.before(a.editor.build());

  // The second language: a choice above the question, and beside each text its twin in that
  // language (side by side on a laptop, one under the other when narrow).
  /** @type {Record<string, any>} The prompt's translations while it is edited, by language. */
  let tr = {};
  let second = '';
  const secondSel = /** @type {HTMLSelectElement} */ (el('select'));
  secondSel.id = 'e-lang2';
  const secondLabel = /** @type {HTMLLabelElement} */ (el('label', '', t('control.second_language')));
  secondLabel.htmlFor = 'e-lang2';
  secondLabel.dataset.i18n = 'control.second_language';
  const secondRow = el('p', 'inline twin-lang');
  secondRow.append(secondLabel, ' ', secondSel);
  // Beside the editor's heading, so the form is no taller for it.
  const head = el('div', 'editor-head');
  $('pform-h').before(head);
  head.append($('pform-h'), secondRow);
  const twins = TWINS.map(([id, key, kind]) => {
    const orig = $(id);
    const twin = /** @type {any} */ (el(orig.tagName.toLowerCase(), orig.className));
    twin.id = `${id}-tr`;
    if (orig.tagName === 'TEXTAREA') twin.rows = orig.rows;
    if (orig.maxLength > 0) twin.maxLength = orig.maxLength;
    const side = el('div', 'twin-side');
    const label = /** @type {HTMLLabelElement} */ (el('label', 'twin-label'));
    label.htmlFor = twin.id;
    side.append(label, twin);
    // An input inside its label gets its twin after the label; a free one shares a row with it.
    const wrap = orig.closest('label');
    if (wrap) wrap.after(side);
    else {
      const row = el('div', 'twin');
      orig.before(row);
      row.append(orig, side);
    }
    const name = () => ((wrap ? wrap.textContent : editor.querySelector(`label[for="${id}"]`)?.textContent) || '').trim();
    return { id, key, kind, orig, twin, side, label, name };
  });
  /** The value at `key` (`x.label`) of a translation. */
  const at = (/** @type {any} */ v, /** @type {string} */ key) => key.split('.').reduce((o, k) => (o ? o[k] : undefined), v);

  /** The twins shown (a second language chosen), labelled and filled from its translation. */
  function showTwins() {
    const v = tr[second] || {};
    editor.classList.toggle('twinned', !!second);
    for (const w of twins) {
      w.side.hidden = !second;
      w.twin.lang = second;
      w.label.textContent = second ? t('control.in_language', { field: w.name(), language: t(`lang.${second}`) }) : '';
      const value = at(v, w.key);
      w.twin.value = Array.isArray(value) ? value.join('\n') : value || '';
    }
  }

  /** The twins' texts into the second language's translation. */
  function keepTwins() {
    if (!second) return;
    /** @type {Record<string, any>} */
    const v = {};
    for (const w of twins) {
      const text = w.twin.value.trim();
      const [a, part] = w.key.split('.');
      if (part) v[a] = { ...v[a], [part]: text };
      else v[w.key] = LISTS.includes(w.key) ? w.twin.value.split('\n').map((/** @type {string} */ x) => x.trim()) : text;
    }
    tr[second] = v;
  }

  /** The second-language choice, its languages named in the page's language. */
  function fillSecond() {
    secondSel.replaceChildren(new Option(t('control.second_none'), ''), ...others(main()).map((l) => new Option(t(`lang.${l}`), l)));
    secondSel.value = second;
  }
  // Strings that came (or changed) while the editor is open: its twins' labels follow.
  onLang(() => {
    if (!editor.open) return;
    keepTwins();
    fillSecond();
    showTwins();
  });

  secondSel.addEventListener('change', () => {
    keepTwins();
    second = secondSel.value;
    lastSecond = second;
    showTwins();
  });

  /**
   * The translations to send for a draft of kind `k` (its own fields only), or the twin whose
   * list has more lines than the main one.
   * @param {Record<string, any>} d the draft, its main lists read
   * @returns {[Record<string, any>, string | null]}
   */
  function translations(d) {
    keepTwins();
    /** @type {Record<string, any>} */
    const out = {};
    for (const [language, v] of Object.entries(tr)) {
      if (language === main()) continue;
      /** @type {Record<string, any>} */
      const o = {};
      for (const w of twins) {
        if (w.kind && w.kind !== d.kind) continue;
        const value = at(v, w.key);
        if (Array.isArray(value)) {
          const list = value.slice();
          while (list.length && !list[list.length - 1]) list.pop();
          if (!list.length) continue;
          const len = (d[w.key] || []).length;
          if (list.length > len) return [{}, `${w.id}-tr`];
          while (list.length < len) list.push('');
          o[w.key] = list;
        } else if (value) {
          const [a, part] = w.key.split('.');
          if (part) o[a] = { ...o[a], [part]: value };
          else o[w.key] = value;
        }
      }
      if (Object.keys(o).length) out[language] = o;
    }
    return [out, null];
  }

  function showKind() {
    const k = $('e-kind').value;
    const unit = activity(k);
    // A kind's own fields (`data-kinds="poll"`), or those of every kind that takes items or
    // has results (`data-when="items"`).
    for (const f of $$('.kind-fields', editor)) {
      const when = f.dataset.when;
      f.hidden = when === 'items' ? !unit.items : when === 'results' ? !unit.results : !(f.dataset.kinds || '').split(' ').includes(k);
    }
    // A setting of every kind that takes items but one (`data-except="questions"`: questions
    // are never per group, and their list is always shown to the phones).
    for (const f of $$('[data-except]', editor)) f.hidden = (f.dataset.except || '').split(' ').includes(k);
    // Each kind's own example of what participants are told: a poll is not answered by typing.
    $('e-instr').placeholder = t(`control.instructions_placeholder_${k}`);
    $('e-options').placeholder = t('control.options_placeholder');
  }

  /** @param {string} [text] */
  function formError(text) {
    $('e-error').hidden = !text;
    $('e-error').textContent = text || '';
  }

  /** @param {any} [p] the prompt to edit; none: a new one */
  function start(p) {
    editing = p ? p.id : null;
    const draft = !p || p.state === 'draft';
    const v = p || Object.assign({ kind: 'brainstorm', title: '', instructions: '', show_results: 'live' }, ...all().map((a) => a.editor.defaults));
    $('pform-h').textContent = t(p ? 'control.edit_prompt' : 'control.new_prompt');
    $('e-save').textContent = t(p ? 'control.save_prompt' : 'control.add_prompt');
    $('e-opened').hidden = draft;
    $('e-kind').value = v.kind;
    $('e-title').value = v.title;
    $('e-instr').value = v.instructions;
    // The prompts whose items a ballot may be made of.
    const sources = [['', t('control.pick_source')],
      ...prompts().filter((q) => activity(q.kind).items && q.id !== editing).map((q) => [q.id, `${prompts().indexOf(q) + 1}. ${q.title}`])];
    // Every kind's inputs, so switching the kind in the form shows them filled as they were.
    for (const a of all()) a.editor.fill(v, sources);
    fill($('e-source'), v.source || '', sources);
    $('e-min').value = v.time_limit_secs ? String(Math.round((v.time_limit_secs / 60) * 100) / 100) : '';
    $('e-auto').checked = !!v.auto_close;
    $('e-per-group').checked = !!v.per_group;
    $('e-premod').checked = !!v.premoderation;
    $('e-wall').checked = !!v.wall;
    $('e-reset-col').checked = !!v.reset_column;
    $('e-results').value = v.show_results || 'live';
    // The second language: the one chosen last, else the first the prompt has.
    tr = JSON.parse(JSON.stringify(v.translations || {}));
    const langs = others(main());
    second = [lastSecond, ...Object.keys(tr)].find((l) => langs.includes(l)) || '';
    fillSecond();
    showTwins();
    // Once opened, the activity (kind, options, statements…) and per-group stay as they are.
    for (const id of ['e-kind', 'e-columns', 'e-options', 'e-multiple', 'e-change', 'e-statements', 'e-max',
      'e-min-label', 'e-max-label', 'e-answers', 'e-source', 'e-vote-on', 'e-dots', 'e-per-item', 'e-per-group']) $(id).disabled = !draft;
    formError('');
    showKind();
    editor.showModal();
    // Opened at its top (its heading says what is being edited), however long the form.
    $('e-title').focus({ preventScroll: true });
    editor.scrollTop = 0;
  }

  /** Whether a setting's checkbox is offered for the kind chosen (see showKind). */
  const shown = (/** @type {string} */ id) => !(/** @type {HTMLElement} */ ($(id).closest('label'))).hidden;

  /** The editor's draft, or a message saying what to fix. */
  function readDraft() {
    const k = $('e-kind').value;
    const title = $('e-title').value.trim();
    if (!title) return [null, 'control.question_required', 'e-title'];
    const raw = $('e-min').value.trim().replace(',', '.');
    let secs = null;
    if (raw) {
      secs = Math.round(Number(raw) * 60);
      if (!(secs >= LIMITS.time_limit_min_secs && secs <= LIMITS.time_limit_max_secs)) return [null, 'control.time_invalid', 'e-min'];
    }
    const items = activity(k).items;
    /** @type {Record<string, any>} */
    const d = {
      kind: k, title, instructions: $('e-instr').value.trim(), time_limit_secs: secs,
      auto_close: !!secs && $('e-auto').checked, per_group: items && shown('e-per-group') && $('e-per-group').checked,
      premoderation: items && $('e-premod').checked, wall: items && shown('e-wall') && $('e-wall').checked, show_results: $('e-results').value,
    };
    const problem = activity(k).editor.read(d);
    if (problem) return [null, ...problem];
    const p = editing && promptById(editing);
    if (p && p.state !== 'draft') {
      // Send the activity exactly as it is: the server refuses any change to it.
      for (const f of activity(p.kind).editor.fields) d[f] = p[f];
      d.kind = p.kind;
      d.per_group = p.per_group;
    }
    const [given, long] = translations(d);
    if (long) return [null, 'control.translation_count', long];
    if (Object.keys(given).length) d.translations = given;
    return [d];
  }

  $('pform').addEventListener('submit', (e) => {
    e.preventDefault();
    const [prompt, problem, field] = readDraft();
    if (!prompt) {
      formError(t(problem));
      $(field).focus();
      return;
    }
    const close = () => editor.close();
    if (editing) request({ type: 'update_prompt', prompt_id: editing, prompt }, close);
    else request({ type: 'add_prompt', prompt }, close);
  });
  $('e-kind').addEventListener('change', showKind);
  $('e-cancel').addEventListener('click', () => editor.close());
  $('new').addEventListener('click', () => start(null));
  for (let n = LIMITS.scale_min; n <= LIMITS.scale_max; n++) $('e-max').append(el('option', '', String(n)));
  for (let n = 1; n <= LIMITS.word_cloud_max_answers; n++) $('e-answers').append(el('option', '', String(n)));

  return {
    /** Opens the editor on `p`, or on a new prompt. */
    start,
    isOpen: () => editor.open,
    /** Shows the server's refusal of the draft in the form. */
    error: formError,
  };
}
