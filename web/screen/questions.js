// @ts-check
// The projector's Q&A: the highlighted question large at the top, then the top of the list by
// votes (unanswered first; five, more when they fit), each with its votes large and its name if
// signed; answered ones marked. A re-sort slides each row from where it was (FLIP), so a
// reader's eye can follow a question up the list; no slide under prefers-reduced-motion.
import { $, t, el } from '../common.js';
import * as store from './store.js';
import { finnishHyphens } from './wall.js';
import { rank } from '../activities/questions.js';

const { state } = store;

/** Questions listed at least (the "top five"), and at most when more fit. */
const TOP = 5;
const MOST = 10;
/** How long a row's slide takes (ms), as `.qa-row.flip` in screen.css. */
const SLIDE_MS = 450;

/** Wires the Q&A stage; `render` redraws it from the store (only on a questions prompt). */
export function createQuestions() {
  /** @type {Map<string, HTMLElement>} Rows by item id. */
  const rows = new Map();
  /** How many rows fit (found by the last fit). */
  let fits = TOP;
  /** How much tighter the rows are set (0–2) so that five fit. */
  let tight = 0;

  /** @param {any} i a question's row (votes, text, name, answered), reusing its node */
  function row(i) {
    const li = rows.get(i.id) || el('li');
    li.className = `qa-row${i.answered ? ' answered' : ''}`;
    const votes = el('span', 'qa-count', String(i.likes));
    votes.title = t('screen.qa_votes', { n: i.likes });
    const body = el('div', 'qa-main');
    body.append(el('span', 'qa-q', finnishHyphens(i.text)));
    if (i.name) body.append(el('span', 'qa-name', `— ${i.name}`));
    if (i.answered) body.append(el('span', 'qa-done', t('screen.qa_answered')));
    li.replaceChildren(votes, body);
    rows.set(i.id, li);
    return li;
  }

  function render() {
    const box = $('qa');
    const on = !!state.prompt && state.prompt.kind === 'questions';
    box.hidden = !on;
    $('live').classList.toggle('qa-on', on);
    if (!on) {
      tight = 0;
      delete box.dataset.tight;
      rows.clear();
      box.replaceChildren();
      return;
    }
    const all = [...state.items.values()];
    const now = all.find((i) => i.starred && !i.answered);
    const head = $('qa-now-box') || el('div', 'qa-now');
    head.id = 'qa-now-box';
    head.hidden = !now;
    if (now) {
      const tag = el('p', 'qa-now-tag', t('screen.qa_now'));
      const q = el('p', 'qa-now-q', finnishHyphens(now.text));
      const by = el('p', 'qa-now-by', now.name ? `— ${now.name}` : '');
      by.hidden = !now.name;
      const n = el('p', 'qa-now-votes', t('screen.qa_votes', { n: now.likes }));
      head.replaceChildren(tag, q, by, n);
    }
    const list = $('qa-list') || el('ol', 'qa-top');
    list.id = 'qa-list';
    if (!head.isConnected || !list.isConnected) box.replaceChildren(head, list);
    const ranked = all.filter((i) => i !== now).sort(rank).slice(0, fits);
    const before = new Map([...rows].map(([id, r]) => [id, r.getBoundingClientRect().top]));
    const keep = new Set(ranked.map((i) => i.id));
    for (const [id, r] of rows) if (!keep.has(id)) { r.remove(); rows.delete(id); }
    for (const i of ranked) list.append(row(i));
    slide(before);
    fit(list, ranked.length);
  }

  /** More rows when they fit below the highlighted question (at most MOST). */
  function fit(/** @type {HTMLElement} */ list, /** @type {number} */ shown) {
    const last = /** @type {HTMLElement | null} */ (list.lastElementChild);
    // The rows' own bottom: the list itself may be squeezed by the stage and hide the rest.
    const spare = innerHeight - (last || list).getBoundingClientRect().bottom;
    // Five that do not fit get tighter: one line each, then a smaller highlighted question.
    if (spare < 0 && shown <= TOP && tight < 2) {
      tight += 1;
      $('qa').dataset.tight = String(tight);
      requestAnimationFrame(render);
      return;
    }
    const h = last ? last.getBoundingClientRect().height : 0;
    const want = h > 0 ? Math.min(MOST, shown + Math.floor(spare / (h * 1.1))) : fits;
    // Still too many (a long highlighted question on a small screen): fewer rows, never under 3.
    if (spare < 0 && shown > 3) fits = shown - 1;
    else if (want > fits && shown >= fits) fits = want;
    else return;
    requestAnimationFrame(render);
  }

  /** @param {Map<string, number>} before slides rows from their old tops to their new ones */
  function slide(before) {
    if (matchMedia('(prefers-reduced-motion: reduce)').matches) return;
    for (const [id, r] of rows) {
      const was = before.get(id);
      if (was === undefined) continue;
      const dy = was - r.getBoundingClientRect().top;
      if (!dy) continue;
      r.classList.remove('flip');
      r.style.transform = `translateY(${dy}px)`;
      void r.offsetHeight;
      r.classList.add('flip');
      r.style.transform = '';
      setTimeout(() => r.classList.remove('flip'), SLIDE_MS + 50);
    }
  }

  return { render };
}
