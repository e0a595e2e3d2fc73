// @ts-check
// Poll: one option (or several) from 2–12; a vote is final unless the facilitator lets answers
// change, with a short grace window to fix a mistap. Results are bars.
import { $, t, el, lines } from '../common.js';
import { LIMITS } from '../limits.js';
import * as draw from '../results.js';

/**
 * The phone's buttons, the Send of a multiple-choice poll, and the "Change / Undo" bar.
 * @param {HTMLElement} box
 * @param {PhoneContext} ctx
 */
function phone(box, ctx) {
  const { prompt, mine } = ctx;
  const multi = prompt.multiple;
  // What this view is doing: the answer on its way, the choices of a multiple poll, and
  // whether a final answer is being changed within its grace window.
  /** @type {number[] | null} */
  let sending = null;
  let picked = new Set(mine.poll);
  let changing = false;
  const graceLeft = () => (ctx.mine.poll && ctx.mine.poll_until ? Math.max(0, ctx.mine.poll_until - ctx.now()) : 0);
  const vote = (/** @type {number[]} */ options) => {
    // The server's window starts when it takes the vote, which is after this.
    const at = ctx.now();
    const ok = ctx.act({ type: 'vote', prompt_id: ctx.prompt.id, options }, () => {
      ctx.mine.poll = options;
      if (!ctx.prompt.may_change) ctx.mine.poll_until = at + ctx.graceMs;
      changing = false;
      sending = null;
      ctx.say(t('participant.answer_saved'));
    }, () => { sending = null; });
    if (ok) sending = options;
    refresh();
  };
  /** Takes the answer back: the participant is no longer counted and may vote afresh. */
  const withdraw = () => {
    const ok = ctx.act({ type: 'withdraw_vote', prompt_id: ctx.prompt.id }, () => {
      ctx.mine.poll = undefined;
      ctx.mine.poll_until = undefined;
      picked = new Set();
      changing = false;
      sending = null;
      ctx.say(t('participant.vote_withdrawn'));
    }, () => { sending = null; });
    if (ok) sending = [];
    refresh();
  };
  const list = el('div', 'choice-list');
  /** @type {HTMLButtonElement[]} */
  const bs = prompt.options.map((/** @type {string} */ o, /** @type {number} */ i) => {
    const b = ctx.button('', 'choice', () => {
      if (!multi) {
        if (String(ctx.mine.poll) === String([i])) changing = false;
        else return vote([i]);
      } else if (!picked.delete(i)) picked.add(i);
      refresh();
    });
    b.append(ctx.says(el('span'), o));
    return b;
  });
  list.append(...bs);
  box.append(list);
  const send = multi && ctx.button(t('participant.send'), 'primary big', () => vote([...picked].sort((a, b) => a - b)));
  if (send) box.append(send);
  // After a vote: "Change / Undo" while the answer may still change, in a bar that stays at the
  // bottom of the screen however far down the options the vote was given.
  const undo = el('div', 'undo');
  const undoText = el('p', 'undo-text');
  const change = ctx.button(t('participant.change_vote'), 'secondary', () => {
    changing = true;
    refresh();
    bs[ctx.mine.poll ? ctx.mine.poll[0] : 0].focus();
  });
  const withdrawBtn = ctx.button(t('participant.withdraw_vote'), 'secondary', withdraw);
  const btns = el('div', 'undo-btns');
  btns.append(change, withdrawBtn);
  undo.append(undoText, btns);
  box.append(undo);
  const refresh = () => {
    const m = ctx.mine;
    const left = graceLeft();
    if (!left) changing = false;
    const final = !!m.poll && !ctx.prompt.may_change;
    const off = !ctx.canAnswer() || !!sending || (final && !changing);
    const on = sending || (multi ? [...picked] : m.poll || []);
    bs.forEach((b, i) => {
      b.setAttribute('aria-pressed', String(on.includes(i)));
      b.disabled = off;
    });
    if (send) send.disabled = off || !picked.size || String([...picked].sort()) === String(m.poll || '');
    undo.hidden = !m.poll || !ctx.canAnswer() || (final && !left);
    undo.classList.toggle('grace', final);
    change.hidden = !final || changing;
    change.disabled = withdrawBtn.disabled = !!sending;
    undoText.textContent = final
      ? t('participant.vote_grace', { n: Math.ceil(left / 1000) })
      : t('participant.vote_changeable');
  };
  return refresh;
}

/** @type {Activity} */
export default {
  kind: 'poll',
  items: false,
  results: true,
  cards: false,
  columns: () => [],
  answered: (r) => ('voters' in r ? r.voters : 0),
  answerLimit: () => Infinity,
  phone,
  phoneTicks: (mine) => !!mine.poll_until,
  phoneResults: {
    // A voter sees the room's answers after voting; everyone once the poll closes.
    shown: (p, mine) => !!mine.poll || p.state !== 'open',
    className: 'bars',
    draw: (box, p, r) => draw.poll(box, p, r),
  },
  chartRows: (p) => ('options' in p ? p.options.length : 0),
  rowChart: true,
  chart: (box, p, r) => draw.poll(box, p, r),
  summary: (p) => [t(p.multiple ? 'control.s_multiple' : 'control.s_single'), ...(p.may_change ? [t('control.s_may_change')] : [])],
  editor: {
    fields: ['options', 'multiple', 'may_change'],
    defaults: { options: [] },
    fill(v) {
      $('e-options').value = (v.options || []).join('\n');
      $('e-multiple').checked = !!v.multiple;
      $('e-change').checked = !!v.may_change;
    },
    read(d) {
      d.options = lines('e-options');
      d.multiple = $('e-multiple').checked;
      d.may_change = $('e-change').checked;
      return d.options.length < LIMITS.poll_options_min || d.options.length > LIMITS.poll_options_max
        ? ['control.options_invalid', 'e-options'] : null;
    },
  },
};
