// @ts-check
// The console's side of questions to the speaker: the editor's "names" setting and the
// agenda's one-line summary. Never fetched by a phone (questions.js loads it off the phone).
import { t, el } from '../common.js';

/** The summary line's words. @param {any} p */
export const summary = (p) => (p.names ? [t('control.s_qa_names')] : []);

/** The setting's checkbox, where the kinds' fieldsets are. */
export function build() {
  const set = el('fieldset', 'kind-fields stack');
  set.dataset.kinds = 'questions';
  const row = el('label', 'check');
  const box = /** @type {HTMLInputElement} */ (el('input'));
  box.type = 'checkbox';
  box.id = 'e-qa-names';
  const words = el('span', '', t('control.qa_names'));
  words.dataset.i18n = 'control.qa_names';
  row.append(box, ' ', words);
  set.append(row);
  return set;
}

const box = () => /** @type {HTMLInputElement | null} */ (document.getElementById('e-qa-names'));

/** @param {Record<string, any>} v fills the checkbox from a draft */
export function fill(v) {
  const b = box();
  if (b) b.checked = !!v.names;
}

/** @param {Record<string, any>} d copies the checkbox into a draft */
export function read(d) {
  const b = box();
  d.names = !!(b && b.checked);
  return null;
}
