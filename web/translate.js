// @ts-check
// Prompts in several languages (docs/protocol.md, "Prompts in several languages"). A prompt's
// own texts are in the session's main language; `translations` holds other languages' texts,
// each optional. A phone shows its own language's text where given, field by field, else the
// main text, tagged with the main language's code; the projector may stack a second language
// under each main text. Every text keeps the `lang` it is written in, so screen readers switch
// voice.
import { el } from './common.js';

/** The language of each text shown now that is not in the main language. */
const langs = new Map();
/** Texts shown in the main language where the phone's was asked for: they get a tag. */
const tagged = new Set();
/** The projector's second texts: a main text → [its text in the second language, that language]. */
const stacked = new Map();
/** The session's main language. */
let main = 'fi';
/** A tag's look (set through CSSOM, which the CSP allows). */
const TAG_STYLE = [
  ['display', 'inline-block'], ['vertical-align', '0.1em'], ['padding', '0 0.35em'], ['border', '1px solid currentColor'],
  ['border-radius', '4px'], ['font-size', '0.7rem'], ['font-weight', '700'], ['line-height', '1.35'], ['white-space', 'nowrap'],
];

/**
 * A copy of `p` with each translatable text through `f(main text, variant text)`.
 * @param {any} p
 * @param {any} v the variant's texts
 * @param {(m: string, given: string | undefined) => string} f
 */
function each(p, v, f) {
  const out = { ...p };
  for (const k of ['title', 'instructions', 'min_label', 'max_label']) if (typeof p[k] === 'string' && p[k]) out[k] = f(p[k], v[k]);
  for (const k of ['options', 'statements', 'columns']) if (Array.isArray(p[k])) out[k] = p[k].map((/** @type {string} */ m, /** @type {number} */ i) => f(m, v[k] && v[k][i]));
  for (const a of ['x', 'y']) {
    if (!p[a] || typeof p[a] !== 'object') continue;
    out[a] = { ...p[a] };
    for (const k of ['label', 'low', 'high']) if (p[a][k]) out[a][k] = f(p[a][k], v[a] && v[a][k]);
  }
  return out;
}

/**
 * The prompt as a phone in `language` shows it: each text in that language where given, else
 * the main one. Remembers which texts are in which language (`langOf`) and which get a tag.
 * @param {any} p
 * @param {string} language the phone's
 * @param {string} mainLang the session's
 */
export function localize(p, language, mainLang) {
  main = mainLang;
  langs.clear();
  tagged.clear();
  if (!p || language === mainLang) return p;
  const v = (p.translations && p.translations[language]) || {};
  /** @type {string[]} */
  const fell = [];
  const out = each(p, v, (m, given) => {
    if (given) {
      langs.set(given, language);
      return given;
    }
    fell.push(m);
    return m;
  });
  // Only a prompt given in several languages is tagged (a one-language session stays as it
  // was). A question left in the main language carries the one tag; else each text left in it.
  if (!p.translations || !Object.keys(p.translations).length) return out;
  if (!v.title) tagged.add(p.title);
  else fell.forEach((m) => tagged.add(m));
  return out;
}

/** The language `text` is shown in (the main one unless a variant of it is shown). */
export const langOf = (/** @type {string} */ text) => langs.get(text) || main;

/**
 * After `node` got `text`: its `lang`, and the main language's tag when the phone asked for
 * another one and the text has none in it.
 * @param {HTMLElement} node
 * @param {string} text
 */
export function mark(node, text) {
  node.lang = langOf(text);
  if (tagged.has(text)) {
    // The language's code ("FI"), styled here: only phones that load this module show tags.
    const tag = el('span', 'lang-tag', main.toUpperCase());
    for (const [k, v] of TAG_STYLE) tag.style.setProperty(k, v);
    // First, so that it shows however short a long question is cut.
    node.prepend(tag, ' ');
  }
  return node;
}

/**
 * The projector: which second language to stack under the main texts of `p` (and of `groups`).
 * @param {any} p
 * @param {Group[]} groups
 * @param {string} mainLang
 * @param {string | undefined} second
 */
export function stack(p, groups, mainLang, second) {
  main = mainLang;
  stacked.clear();
  if (!second || second === mainLang) return;
  const put = (/** @type {string} */ m, /** @type {string | undefined} */ given) => {
    if (given && given !== m) stacked.set(m, [given, second]);
    return m;
  };
  if (p) each(p, (p.translations && p.translations[second]) || {}, put);
  for (const g of groups || []) put(g.name, g.translations && g.translations[/** @type {Lang} */ (second)]);
}

/**
 * Sets `node`'s text (in the main language), with the second language stacked under it when the
 * projector stacks one and the text has a variant in it.
 * @param {HTMLElement} node
 * @param {string} text
 */
export function put(node, text) {
  node.textContent = text;
  node.lang = langOf(text);
  const s = stacked.get(text);
  if (s) {
    const second = el('span', 'second', s[0]);
    second.lang = s[1];
    node.append(second);
  }
  return node;
}

/**
 * `text` and its second-language variant on one line ("Digi / Digital"), for short inline
 * texts such as group chips.
 * @param {string} text
 */
export const both = (text) => {
  const s = stacked.get(text);
  return s ? `${text} / ${s[0]}` : text;
};

/** Whether the projector stacks any text now. */
export const stacking = () => stacked.size > 0;
