// @ts-check
// The phone's view of questions to the speaker (see questions.js): loaded by questions.js on
// the phone page only. Rows reuse the wall's styles (app.css).
import { t, el } from '../common.js';
import { LIMITS } from '../limits.js';

/** How long after the last touch or scroll the list may re-sort (ms). */
const IDLE_MS = 2000;

// Constructed sheets are not inline styles, so the CSP holds.
const sheet = new CSSStyleSheet();
sheet.replaceSync(`.qa-tools{display:flex;gap:.5rem}.qa-tools button,.qa-pill,.qa-name input{min-height:44px}
.qa-tools button{flex:1}.qa-tools [aria-pressed=true]{text-decoration:underline 2px}.qa-tools [aria-pressed=true]::before{content:"✓ "}
.qa-name{display:grid}.item.now{border:3px solid #a3164e}.item.answered{opacity:.75}.qa-flip{transition:transform .3s}
@media (prefers-reduced-motion:reduce){.qa-flip{transition:none}}`);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

/** The view between redraws: the name field, the sort, the rows, and whether one reads. */
const view = {
  /** @type {HTMLInputElement | null} */
  name: null,
  sort: 'top',
  /** @type {Map<string, HTMLElement>} */
  rows: new Map(),
  /** @type {string[]} */
  order: [],
  touching: false,
  moved: -Infinity,
  /** @type {any} */
  timer: 0,
  /** @type {Set<string>} Questions seen on the wall. */
  seen: new Set(),
  /** @type {(() => void) | null} */
  later: null,
};
addEventListener('scroll', () => { view.moved = performance.now(); view.later?.(); }, { passive: true });

const reading = () => view.touching || performance.now() - view.moved < IDLE_MS;

/** Unanswered first; then most votes (Top) or newest. @param {any} a @param {any} b */
const rank = (a, b) => (!!a.answered === !!b.answered ? 0 : a.answered ? 1 : -1)
  || (view.sort === 'top' ? b.likes - a.likes || a.created_at - b.created_at : b.created_at - a.created_at);

/** A question's optional name for its `submit`. */
export function submitExtra() {
  const name = view.name && !view.name.closest('[hidden]') ? view.name.value.trim() : '';
  /** @type {Record<string, string>} */
  const extra = {};
  if (name) extra.name = name;
  return extra;
}

/**
 * The list, the sort and the name field; returns the redraw.
 * @param {HTMLElement} box
 * @param {PhoneContext} ctx
 */
export function phone(box, ctx) {
  view.rows.clear();
  view.order = [];
  const p = ctx.prompt;
  // The optional name goes into the form, above the text box; a redraw keeps what was typed.
  const nameRow = el('div', 'qa-name');
  const label = /** @type {HTMLLabelElement} */ (el('label', 'label', t('participant.qa_name')));
  label.htmlFor = 'qa-name';
  const input = /** @type {HTMLInputElement} */ (el('input'));
  input.id = 'qa-name';
  input.maxLength = LIMITS.question_name_max;
  input.autocomplete = 'name';
  input.value = view.name ? view.name.value : '';
  nameRow.append(label, input);
  nameRow.hidden = !p.names;
  view.name = input;
  const form = document.getElementById('form');
  form?.querySelector('.qa-name')?.remove();
  form?.insertBefore(nameRow, form.querySelector('.text-head'));

  const tools = el('div', 'qa-tools');
  const sorts = [['top', 'participant.qa_top'], ['new', 'participant.qa_newest']].map(([s, k]) => {
    const b = ctx.button(t(k), 'secondary', () => { view.sort = s; apply(true); });
    b.dataset.sort = s;
    return b;
  });
  tools.append(...sorts);
  const pill = ctx.button('', 'qa-pill', () => apply(true));
  const list = el('ol', 'mine wall qa-list');
  box.append(tools, pill, list);
  // The next prompt empties the box: the name field leaves the form with it.
  const gone = new MutationObserver(() => {
    if (!list.isConnected) {
      nameRow.remove();
      gone.disconnect();
    }
  });
  gone.observe(box, { childList: true });

  // A finger (or the mouse) on the list, or a scroll, holds the order still.
  list.addEventListener('pointerdown', () => { view.touching = true; });
  for (const e of ['pointerup', 'pointercancel', 'touchend']) {
    list.addEventListener(e, () => { view.touching = false; view.moved = performance.now(); later(); });
  }

  /** The deferred re-sort, tried again once the reader is idle (while this list is shown). */
  function later() {
    clearTimeout(view.timer);
    if (list.isConnected) view.timer = setTimeout(() => list.isConnected && (reading() ? later() : apply(false)), IDLE_MS);
  }
  view.later = later;

  /** The wall's questions, and this phone's own still waiting for approval. */
  function questions() {
    const all = new Map(ctx.store.state.wall);
    for (const id of all.keys()) view.seen.add(id);
    for (const [id, i] of ctx.store.state.items) {
      // Let through once (then hidden or merged away), it is gone, as for everyone.
      if (p.premoderation && i.prompt_id === p.id && !all.has(id) && i.state !== 'error'
        && !i.approved && !view.seen.has(id) && !ctx.store.state.left.has(id)) {
        all.set(id, { id, text: i.text, likes: 0, created_at: i.t, waiting: true });
      }
    }
    return all;
  }

  /** One question's row, drawn into `li` (in place). @param {any} i @param {HTMLElement} [li] */
  function draw(i, li = el('li')) {
    const own = ctx.store.state.items.has(i.id);
    li.className = `item${own ? ' own' : ''}${i.answered ? ' answered' : ''}${i.starred ? ' now' : ''}`;
    li.dataset.id = i.id;
    const body = el('div');
    body.append(ctx.says(el('p', 'item-text'), i.text));
    if (i.name) body.append(ctx.says(el('p', 'item-status'), `— ${i.name}`));
    const tags = el('p', 'item-status');
    for (const [on, k] of [[own, 'own'], [i.waiting, 'qa_waiting'], [i.starred, 'qa_now'], [i.answered, 'qa_answered']]) {
      if (on) tags.append(el('span', `tag ${k}`, t(`participant.${k}`)));
    }
    if (tags.childElementCount) body.append(tags);
    // The arrow and count are drawn; a screen reader hears the votes in words.
    const shown = el('span', '', `${ctx.mine.liked.has(i.id) ? '▲' : '△'} ${i.likes}`);
    shown.setAttribute('aria-hidden', 'true');
    const vote = own || i.waiting ? el('span', 'likes') : ctx.button('', 'like qa-vote', () => upvote(i.id));
    vote.append(shown, el('span', 'sr-only', t('participant.qa_votes', { n: i.likes })));
    if (vote instanceof HTMLButtonElement) {
      vote.setAttribute('aria-pressed', String(ctx.mine.liked.has(i.id)));
      vote.disabled = !ctx.canAnswer();
    }
    li.replaceChildren(body, vote);
    return li;
  }

  /** Upvotes, or takes the vote back; undone if refused. @param {string} id */
  function upvote(id) {
    const on = !ctx.mine.liked.has(id);
    const set = (/** @type {boolean} */ yes) => { ctx.store.liked(id, yes); redraw(); };
    if (ctx.act({ type: 'like', item_id: id, liked: on }, null, () => set(!on))) set(on);
  }

  /** Rows in their ranked order, sliding there; `all` takes the waiting new ones in too. */
  function apply(/** @type {boolean} */ all) {
    const items = questions();
    const ids = [...items.keys()].filter((id) => all || !reading() || view.rows.has(id) || ctx.store.state.items.has(id));
    const before = new Map([...view.rows].map(([id, r]) => [id, r.getBoundingClientRect().top]));
    for (const [id, r] of view.rows) if (!items.has(id)) { r.remove(); view.rows.delete(id); }
    view.order = ids.map((id) => items.get(id)).sort(rank).map((i) => i.id);
    for (const id of view.order) {
      const r = draw(items.get(id), view.rows.get(id));
      view.rows.set(id, r);
      list.append(r);
    }
    if (!matchMedia('(prefers-reduced-motion: reduce)').matches) {
      for (const [id, r] of view.rows) {
        const dy = (before.get(id) ?? 0) - r.getBoundingClientRect().top;
        if (!before.has(id) || !dy) continue;
        r.classList.remove('qa-flip');
        r.style.transform = `translateY(${dy}px)`;
        void r.offsetHeight;
        r.classList.add('qa-flip');
        r.style.transform = '';
      }
    }
    status(items);
  }

  /** The new-questions button, the empty note and the pressed sort. @param {Map<string, any>} items */
  function status(items) {
    const waiting = [...items.keys()].filter((id) => !view.rows.has(id)).length;
    pill.hidden = !waiting;
    pill.textContent = t('participant.qa_new', { n: waiting });
    for (const b of sorts) b.setAttribute('aria-pressed', String(b.dataset.sort === view.sort));
  }

  /** Counts and marks in place; the order too unless one reads (then later). */
  function redraw() {
    const items = questions();
    const ranked = [...items.values()].filter((i) => view.rows.has(i.id)).sort(rank).map((i) => i.id);
    const moved = ranked.length !== view.order.length || ranked.some((id, k) => id !== view.order[k]);
    const fresh = [...items.keys()].filter((id) => !view.rows.has(id));
    // An own question goes in at once, wherever the reader is.
    if (!reading() ? moved || fresh.length : fresh.some((id) => ctx.store.state.items.has(id))) return apply(false);
    for (const [id, r] of view.rows) if (items.has(id)) draw(items.get(id), r);
    if (moved || fresh.length) later();
    status(items);
  }

  apply(true);
  return redraw;
}
