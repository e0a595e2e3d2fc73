// @ts-check
// Dot vote: each phone spreads its dots over a ballot, the visible items of an earlier
// brainstorm or word cloud (its `source`), or that brainstorm's themes (`vote_on: 'themes'`),
// frozen at the first open. Either way the ballot is `ballot_items` ({id, text}: a theme's
// id and name), so the phone and the projector draw both alike. Results are a ranking.
import { $, t, el } from '../common.js';
import { LIMITS } from '../limits.js';
import * as draw from '../results.js';

/**
 * The ballot: each item with − and + and its dots; the dots left above it.
 * @param {HTMLElement} box
 * @param {PhoneContext} ctx
 */
function phone(box, ctx) {
  const dot = (/** @type {string} */ id, /** @type {number} */ d) => {
    const add = (/** @type {number} */ x) => {
      const v = (ctx.mine.dots[id] || 0) + x;
      if (v > 0) ctx.mine.dots[id] = v;
      else delete ctx.mine.dots[id];
    };
    if (ctx.act({ type: d > 0 ? 'place_dot' : 'remove_dot', prompt_id: ctx.prompt.id, item_id: id }, null, () => add(-d))) add(d);
    refresh();
  };
  const left = el('p', 'dots-left');
  const list = el('ul', 'ballot');
  const rows = (ctx.prompt.ballot_items || []).map((/** @type {{id: string, text: string}} */ b) => {
    const li = el('li', 'ballot-item');
    const n = el('span', 'ballot-n');
    const spent = el('span', 'ballot-dots');
    spent.setAttribute('aria-hidden', 'true'); // the count beside the buttons says it
    const minus = ctx.button('−', 'choice', () => dot(b.id, -1));
    const plus = ctx.button('+', 'choice', () => dot(b.id, 1));
    minus.setAttribute('aria-label', t('participant.dot_remove', { text: b.text }));
    plus.setAttribute('aria-label', t('participant.dot_add', { text: b.text }));
    const ctl = el('div', 'ballot-ctl');
    ctl.append(minus, n, plus);
    const text = ctx.says(el('p', 'ballot-text'), b.text);
    text.append(spent);
    li.append(text, ctl);
    list.append(li);
    return { id: b.id, li, n, spent, minus, plus };
  });
  box.append(left, list);
  const refresh = () => {
    const p = ctx.prompt;
    const mine = ctx.mine;
    const rest = p.dots - Object.values(mine.dots).reduce((a, b) => a + b, 0);
    left.textContent = t('participant.dots_left', { n: rest, total: p.dots });
    for (const { id, li, n, spent, minus, plus } of rows) {
      const here = mine.dots[id] || 0;
      n.textContent = String(here);
      spent.textContent = here ? ` ${'●'.repeat(Math.min(here, 10))}` : '';
      li.classList.toggle('has', here > 0);
      minus.disabled = !ctx.canAnswer() || !here;
      plus.disabled = !ctx.canAnswer() || rest <= 0 || here >= p.max_per_item;
    }
  };
  return refresh;
}

/** @type {Activity} */
export default {
  kind: 'dot_vote',
  items: false,
  results: true,
  cards: false,
  columns: () => [],
  answered: (r) => ('voters' in r ? r.voters : 0),
  answerLimit: () => Infinity,
  phone,
  chartRows: (p, most) => Math.min(most, ('ballot_items' in p && p.ballot_items) ? p.ballot_items.length : 0),
  rowChart: true,
  chart: (box, p, r, cap) => draw.ranking(box, r, p.ballot_items, cap.ranked),
  summary: (p, ctx) => [t(p.vote_on === 'themes' ? 'control.s_dots_themes' : 'control.s_dots',
    { n: p.dots, max: p.max_per_item, source: ctx.title(p.source) })],
  editor: {
    fields: ['source', 'vote_on', 'dots', 'max_per_item'],
    defaults: { dots: 3, max_per_item: 1, vote_on: 'items' },
    // The source list depends on the agenda: the console fills it.
    fill(v) {
      $('e-vote-on').value = v.vote_on === 'themes' ? 'themes' : 'items';
      $('e-dots').value = String(v.dots || 3);
      $('e-per-item').value = String(v.max_per_item || 1);
    },
    read(d) {
      d.source = $('e-source').value;
      // Only a brainstorm has themes: the server refuses a vote on a word cloud's themes.
      d.vote_on = $('e-vote-on').value === 'themes' ? 'themes' : 'items';
      d.dots = Number($('e-dots').value);
      d.max_per_item = Number($('e-per-item').value);
      if (!d.source) return ['control.source_required', 'e-source'];
      return d.dots >= 1 && d.dots <= LIMITS.max_dots && d.max_per_item >= 1 && d.max_per_item <= d.dots
        ? null : ['control.dots_invalid', 'e-dots'];
    },
  },
};
