// @ts-check
// Scale: each statement rated 1..N (N from 3 to 10), with labels for the ends. Results are
// each statement's distribution and mean.
import { $, t, el, lines } from '../common.js';
import { LIMITS } from '../limits.js';
import * as draw from '../results.js';

/**
 * A row of 1..N buttons per statement.
 * @param {HTMLElement} box
 * @param {PhoneContext} ctx
 */
function phone(box, ctx) {
  const p = ctx.prompt;
  const rate = (/** @type {number} */ si, /** @type {number} */ v) => {
    const s = ctx.mine.scale || ctx.prompt.statements.map(() => 0);
    const before = s[si];
    if (before === v) return;
    const ok = ctx.act({ type: 'rate', prompt_id: ctx.prompt.id, statement: si, value: v },
      () => ctx.say(t('participant.answer_saved')), () => { s[si] = before; });
    if (ok) {
      s[si] = v;
      ctx.mine.scale = s;
    }
    refresh();
  };
  const rows = p.statements.map((/** @type {string} */ s, /** @type {number} */ si) => {
    const fs = el('fieldset', 'scale');
    const ends = el('p', 'ends');
    // Each end in the language it is shown in (`says` sets its lang), after its number.
    const end = (/** @type {string} */ label, /** @type {number} */ n) => {
      const e = el('span');
      if (label) ctx.says(e, label).prepend(`${n} = `);
      return e;
    };
    ends.append(end(p.min_label, 1), end(p.max_label, p.max));
    const row = el('div', 'scale-btns');
    row.style.setProperty('--n', String(p.max > 6 ? Math.ceil(p.max / 2) : p.max));
    const bs = [];
    for (let v = 1; v <= p.max; v++) bs.push(ctx.button(String(v), 'choice', () => rate(si, v)));
    row.append(...bs);
    fs.append(ctx.says(el('legend', 'label'), s), ends, row);
    box.append(fs);
    return bs;
  });
  const refresh = () => rows.forEach((/** @type {HTMLButtonElement[]} */ bs, /** @type {number} */ si) => bs.forEach((b, v) => {
    b.setAttribute('aria-pressed', String((ctx.mine.scale || [])[si] === v + 1));
    b.disabled = !ctx.canAnswer();
  }));
  return refresh;
}

/** @type {Activity} */
export default {
  kind: 'scale',
  items: false,
  results: true,
  cards: false,
  columns: () => [],
  answered: (r) => ('statements' in r ? Math.max(0, ...r.statements.map((s) => s.n)) : 0),
  answerLimit: () => Infinity,
  phone,
  chartRows: () => 0,
  rowChart: false,
  chart: (box, p, r) => draw.scale(box, p, r),
  summary: (p) => [t('control.s_scale', { max: p.max })],
  editor: {
    fields: ['statements', 'max', 'min_label', 'max_label'],
    defaults: { statements: [], max: 5, min_label: '', max_label: '' },
    fill(v) {
      $('e-statements').value = (v.statements || []).join('\n');
      $('e-max').value = String(v.max || 5);
      $('e-min-label').value = v.min_label || '';
      $('e-max-label').value = v.max_label || '';
    },
    read(d) {
      d.statements = lines('e-statements');
      d.max = Number($('e-max').value);
      d.min_label = $('e-min-label').value.trim();
      d.max_label = $('e-max-label').value.trim();
      return !d.statements.length || d.statements.length > LIMITS.max_statements
        ? ['control.statements_invalid', 'e-statements'] : null;
    },
  },
};
