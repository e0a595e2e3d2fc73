// @ts-check
// Participant and facilitator text on the phone: in the language it is written in (a prompt in
// the phone's own where the facilitator gave it), long Finnish words hyphenated, always as text
// (never markup); and the page's buttons.
import { el, lang } from '../common.js';
import { state } from './store.js';

/**
 * translate.js, once the phone met a prompt given in several languages (loaded then, so that a
 * phone's first load does without it).
 * @type {any}
 */
let tr = null;

/** The session's main language. */
const main = () => state.session?.language || 'fi';

/** The language `text` is shown in: the phone's where a prompt's variant is shown, else the main one. */
export const langOf = (/** @type {string} */ text) => tr?.langOf(text) || main();

/** translate.js, loaded (by the page, at its first prompt given in several languages). */
export const useTranslate = (/** @type {any} */ m) => { tr = m; };

/**
 * A prompt in the phone's language, each text falling back to the main one; `load` fetches
 * translate.js when the prompt is given in several languages (the server leaves `translations`
 * out when there are none) and it has not come yet: meanwhile the main texts show.
 * @param {any} p
 * @param {() => void} load
 */
export const loc = (/** @type {any} */ p, /** @type {() => void} */ load) => (tr ? tr.localize(p, lang, main()) : (p?.translations && load(), p));

/** Words of 13 letters or more get soft hyphens (shorter ones fit a line even at 320 px). */
const LONG_WORD = /\p{L}{13,}/gu;
const VOWEL = /[aeiouyäöå]/i;

/**
 * `text` with soft hyphens in its long Finnish words, so they break with a hyphen on narrow
 * screens even where the browser has no Finnish hyphenation dictionary (Chromium on Linux, older
 * Android). Finnish syllables are regular: a break goes before a consonant followed by a vowel,
 * once a vowel came before it ("mie-len-ter-veys-pal-ve-lut"). Other languages are left to
 * `hyphens: auto`.
 * @param {string} text
 * @param {string} language
 */
export function hyphenate(text, language) {
  if (language !== 'fi') return text;
  return text.replace(LONG_WORD, (w) => {
    let out = w[0];
    let vowel = VOWEL.test(w[0]);
    for (let i = 1; i < w.length; i++) {
      const c = w[i];
      const isVowel = VOWEL.test(c);
      if (!isVowel && vowel && i >= 2 && w.length - i > 2 && VOWEL.test(w[i + 1])) out += '\u00AD';
      out += c;
      vowel ||= isVowel;
    }
    return out;
  });
}

/**
 * Participant and facilitator text in the language it is written in (`lang` set, long words
 * hyphenated; a prompt text shown in the main language instead of the phone's gets its tag).
 * @template {HTMLElement} E
 * @param {E} node
 * @param {string} text
 */
export function says(node, text) {
  const language = langOf(text);
  node.textContent = hyphenate(text, language);
  node.lang = language;
  tr?.mark(node, text);
  return node;
}

/**
 * @param {string} text
 * @param {string} cls
 * @param {() => void} onClick
 */
export function button(text, cls, onClick) {
  const b = /** @type {HTMLButtonElement} */ (el('button', cls, text));
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}
