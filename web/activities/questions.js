// @ts-check
// Questions to the speaker (Q&A): phones ask (with an optional name when the facilitator
// allows it) and upvote the others' questions, sorted by votes ("Top") or newest; their own
// are marked, answered ones sink below the rest and stay. The list never re-sorts under a
// reader's thumb: while the list is touched or scrolled (and ~2 s after), vote counts change in
// place and new questions wait behind a "N new questions" pill; the re-sort comes when idle,
// animated (FLIP: each row slides from where it was; none under prefers-reduced-motion).
import { t, el, store as local, slug } from '../common.js';
import { LIMITS } from '../limits.js';

/** How long after the last touch or scroll the list may re-sort (ms). */
const IDLE_MS = 2000;
/** How long a row's slide takes (ms), as `.qa-item.flip` in app.css. */
const SLIDE_MS = 300;
/** Where the phone keeps the name it signs with (per session). */
const NAME = `paja.qa-name.${slug}`;

// The phone's styles, adopted by the page (constructed sheets are not inline styles), so the
// phone's first load does not grow; the projector's are in screen.css, the console's in control.css.
const sheet = new CSSStyleSheet();
sheet.replaceSync(`.qa-name{display:grid;gap:.2rem;margin-bottom:.5rem}
.qa-name input{min-height:44px;font:inherit;padding:.3rem .5rem}
.qa-tools{display:flex;gap:.5rem;margin:.8rem 0 .4rem}
.qa-sort{flex:1;min-height:44px}
.qa-sort[aria-pressed="true"]{background:var(--fg);color:var(--bg,#fff);text-decoration:underline 2px;text-underline-offset:.2em}
.qa-sort[aria-pressed="true"]::before{content:"✓ "}
.qa-pill{display:block;margin:.3rem auto;min-height:44px;border-radius:22px;padding:0 1.2rem}
.qa-list{list-style:none;margin:0;padding:0;display:grid;gap:.5rem}
.qa-item{display:flex;gap:.5rem;align-items:flex-start;justify-content:space-between;padding:.6rem;border:1px solid var(--line);border-radius:8px;background:var(--card)}
.qa-item.own{border-color:#0b3a6b}
.qa-item.now{border-width:3px;border-color:#a3164e}
.qa-item.answered{opacity:.7}
.qa-item.flip{transition:transform ${SLIDE_MS}ms ease}
.qa-body{min-width:0;flex:1}
.qa-text{margin:0;overflow-wrap:anywhere;hyphens:auto}
.qa-by{margin:.2rem 0 0;color:var(--muted);font-size:.9rem}
.qa-vote{min-width:56px;flex:none}
.qa-votes{min-width:56px;text-align:center;font-weight:700;flex:none}
.tag.done{background:#e4f2e7;color:#1d5b2b}
.tag.now{background:#fde8ef;color:#a3164e}
@media (prefers-reduced-motion:reduce){.qa-item.flip{transition:none}}
`);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

/** The phone's Q&A view, kept between redraws: its nodes, order and reading state. */
const view = {
  /** @type {HTMLInputElement | null} */
  name: null,
  /** @type {'top' | 'new'} */
  sort: 'top',
  /** @type {Map<string, HTMLElement>} Rows by item id. */
  rows: new Map(),
  /** @type {string[]} The ids in the order shown. */
  order: [],
  /** Whether a finger (or the mouse) is on the list. */
  touching: false,
  /** When the list was last scrolled or let go (ms, performance.now). */
  moved: -Infinity,
  /** @type {number | undefined} The pending re-sort's timer. */
  timer: undefined,
  /** @type {(() => void) | null} The last redraw, for the idle timer and the pill. */
  redraw: null,
  /** @type {Set<string>} Questions this page has seen on the wall. */
  seen: new Set(),
  /** @type {(() => void) | null} Tries the deferred re-sort again once idle (the view shown now). */
  later: null,
  /** Whether the page's scroll listener is on. */
  wired: false,
};

/** Whether the participant is reading: touching the list or scrolled a moment ago. */
const reading = () => view.touching || performance.now() - view.moved < IDLE_MS;

/** @param {any} a @param {any} b unanswered first; then most votes (Top) or newest */
function rank(a, b) {
  if (!!a.answered !== !!b.answered) return a.answered ? 1 : -1;
  if (view.sort === 'top' && a.likes !== b.likes) return b.likes - a.likes;
  if (view.sort === 'new') return b.created_at - a.created_at || b.seq - a.seq;
  return a.created_at - b.created_at || a.seq - b.seq;
}

/** Slides rows from their old places (`before`: id → top) to their new ones. */
function flip(/** @type {Map<string, number>} */ before) {
  if (matchMedia('(prefers-reduced-motion: reduce)').matches) return;
  for (const [id, row] of view.rows) {
    const was = before.get(id);
    if (was === undefined) continue;
    const dy = was - row.getBoundingClientRect().top;
    if (!dy) continue;
    row.classList.remove('flip');
    row.style.transform = `translateY(${dy}px)`;
    // Read once so the jump is laid out before the slide starts.
    void row.offsetHeight;
    row.classList.add('flip');
    row.style.transform = '';
    setTimeout(() => row.classList.remove('flip'), SLIDE_MS + 50);
  }
}

/** @type {Activity} */
export default {
  kind: 'questions',
  items: true,
  results: false,
  cards: false,
  columns: () => [],
  answered: () => 0,
  answerLimit: () => Infinity,
  text: {
    max: LIMITS.question_text_max,
    rows: 3,
    label: 'participant.qa_ask',
    short: false,
    hint: () => t('participant.qa_hint'),
  },
  ownWall: true,
  submitExtra: () => {
    const name = view.name && !view.name.closest('[hidden]') ? view.name.value.trim() : '';
    if (name) local.set(NAME, name);
    /** @type {Record<string, string>} */
    const extra = {};
    if (name) extra.name = name;
    return extra;
  },
  phone(box, ctx) {
    view.rows.clear();
    view.order = [];
    const p = ctx.prompt;
    // The optional name, above the list (the text box and Send are above it).
    const nameRow = el('div', 'qa-name');
    const label = el('label', 'label', t('participant.qa_name'));
    label.htmlFor = 'qa-name';
    const input = /** @type {HTMLInputElement} */ (el('input'));
    input.id = 'qa-name';
    input.maxLength = LIMITS.question_name_max;
    input.autocomplete = 'name';
    // A redraw (a new language, a reconnect) keeps what was typed.
    input.value = view.name ? view.name.value : local.get(NAME) || '';
    nameRow.append(label, input, el('p', 'hint', t('participant.qa_name_hint')));
    nameRow.hidden = !p.names;
    view.name = input;
    // Move the name field into the form, right above the text box, once the form is there.
    const form = document.getElementById('form');
    const head = form && form.querySelector('.text-head');
    form?.querySelector('.qa-name')?.remove();
    if (form && head) form.insertBefore(nameRow, head);

    const tools = el('div', 'qa-tools');
    tools.setAttribute('role', 'group');
    tools.setAttribute('aria-label', t('participant.qa_sort'));
    const top = ctx.button(t('participant.qa_top'), 'secondary qa-sort', () => sortBy('top'));
    const newest = ctx.button(t('participant.qa_newest'), 'secondary qa-sort', () => sortBy('new'));
    tools.append(top, newest);
    const pill = ctx.button('', 'qa-pill', () => apply(true));
    pill.hidden = true;
    const list = el('ol', 'qa-list');
    list.setAttribute('aria-label', t('participant.qa_list'));
    const empty = el('p', 'hint qa-empty', t('participant.qa_empty'));
    box.append(tools, pill, list, empty);

    // Reading: a finger or the mouse on the list, or a scroll, holds the order still.
    const hold = () => { view.touching = true; };
    const let_go = () => { view.touching = false; view.moved = performance.now(); later(); };
    list.addEventListener('pointerdown', hold);
    list.addEventListener('touchstart', hold, { passive: true });
    for (const e of ['pointerup', 'pointercancel', 'touchend', 'touchcancel']) list.addEventListener(e, let_go, { passive: true });
    view.later = later;
    if (!view.wired) {
      // Once per page: the scroll goes to the view shown now.
      addEventListener('scroll', () => { view.moved = performance.now(); view.later?.(); }, { passive: true });
      view.wired = true;
    }

    function sortBy(/** @type {'top' | 'new'} */ s) {
      view.sort = s;
      apply(true);
    }

    /** Tries the deferred re-sort again once the reader is idle. */
    function later() {
      clearTimeout(view.timer);
      if (!list.isConnected) return;
      view.timer = setTimeout(() => (!list.isConnected ? undefined : reading() ? later() : apply(false)), IDLE_MS);
    }

    /** The questions to show: the wall's, plus this phone's own still waiting for approval. */
    function questions() {
      /** @type {Map<string, any>} */
      const all = new Map();
      for (const [id, i] of ctx.wall) {
        all.set(id, i);
        view.seen.add(id);
      }
      // An own question not on the wall waits for approval, unless it was let through before
      // (then it was hidden or merged away: gone from the list, as for everyone).
      for (const [id, i] of ctx.own) {
        if (ctx.prompt.premoderation && i.prompt_id === p.id && !all.has(id) && i.state !== 'error'
          && !i.approved && !view.seen.has(id) && !ctx.left.has(id)) {
          all.set(id, { id, text: i.text, likes: 0, created_at: i.t, seq: Infinity, waiting: true });
        }
      }
      return all;
    }

    /** @param {any} i @param {HTMLElement} [row] draws one question's row (in place) */
    function draw(i, row) {
      const own = ctx.own.has(i.id);
      const li = row || el('li');
      li.className = `qa-item${own ? ' own' : ''}${i.answered ? ' answered' : ''}${i.starred ? ' now' : ''}`;
      li.dataset.id = i.id;
      const body = el('div', 'qa-body');
      body.append(ctx.says(el('p', 'qa-text'), i.text));
      if (i.name) body.append(ctx.says(el('p', 'qa-by'), `— ${i.name}`));
      const tags = el('p', 'item-status');
      if (own) tags.append(el('span', 'tag own', t('participant.qa_yours')));
      if (i.waiting) tags.append(el('span', 'tag', t('participant.qa_waiting')));
      if (i.starred) tags.append(el('span', 'tag now', t('participant.qa_now')));
      if (i.answered) tags.append(el('span', 'tag done', t('participant.qa_answered')));
      if (tags.childElementCount) body.append(tags);
      const liked = ctx.mine.liked.has(i.id);
      let vote;
      if (own || i.waiting) {
        // The count in words for a screen reader; the arrow and digits are drawn.
        vote = el('span', 'qa-votes');
        const shown = el('span', '', `▲ ${i.likes}`);
        shown.setAttribute('aria-hidden', 'true');
        vote.append(shown, el('span', 'sr-only', t('participant.qa_votes', { n: i.likes })));
      } else {
        vote = ctx.button('', 'like qa-vote', () => upvote(i.id));
        const arrow = el('span', '', liked ? '▲ ' : '△ ');
        arrow.setAttribute('aria-hidden', 'true');
        // Its name is the count as shown, then what it does in words.
        vote.append(arrow, String(i.likes), ' ', el('span', 'sr-only', t('participant.qa_vote', { n: i.likes })));
        vote.setAttribute('aria-pressed', String(liked));
        /** @type {HTMLButtonElement} */ (vote).disabled = !ctx.canAnswer();
      }
      li.replaceChildren(body, vote);
      return li;
    }

    /** @param {string} id upvotes a question or takes the vote back; undone if refused */
    function upvote(id) {
      const on = !ctx.mine.liked.has(id);
      const flipVote = (/** @type {boolean} */ yes) => {
        ctx.liked(id, yes);
        redraw();
      };
      if (ctx.act({ type: 'like', item_id: id, liked: on }, null, () => flipVote(!on))) flipVote(on);
    }

    /**
     * Puts the rows in their ranked order, with a slide; `all` adds the new questions too
     * (the pill, a sort button, or idle).
     * @param {boolean} all
     */
    function apply(all) {
      const items = questions();
      const shown = new Set(view.order);
      const ids = [...items.keys()].filter((id) => all || !reading() || shown.has(id) || ctx.own.has(id));
      const order = ids.map((id) => items.get(id)).sort(rank).map((i) => i.id);
      const before = new Map([...view.rows].map(([id, row]) => [id, row.getBoundingClientRect().top]));
      for (const id of [...view.rows.keys()]) {
        if (!items.has(id)) {
          view.rows.get(id)?.remove();
          view.rows.delete(id);
        }
      }
      for (const id of order) {
        const row = draw(items.get(id), view.rows.get(id));
        view.rows.set(id, row);
        list.append(row);
      }
      view.order = order;
      flip(before);
      pillCount(items);
    }

    /** @param {Map<string, any>} items the pill says how many new questions wait */
    function pillCount(items) {
      const waiting = [...items.keys()].filter((id) => !view.rows.has(id)).length;
      pill.hidden = !waiting;
      pill.textContent = t('participant.qa_new', { n: waiting });
      empty.hidden = items.size > 0;
      top.setAttribute('aria-pressed', String(view.sort === 'top'));
      newest.setAttribute('aria-pressed', String(view.sort === 'new'));
    }

    /** A redraw: counts and marks in place; the order too unless the participant is reading. */
    function redraw() {
      const items = questions();
      const ranked = [...items.values()].filter((i) => view.rows.has(i.id)).sort(rank).map((i) => i.id);
      const gone = view.order.some((id) => !items.has(id));
      const moved = gone || ranked.some((id, k) => id !== view.order[k]);
      const fresh = [...items.keys()].some((id) => !view.rows.has(id));
      if (!reading() && (moved || fresh)) return apply(false);
      for (const [id, row] of view.rows) {
        const i = items.get(id);
        if (i) draw(i, row);
      }
      // An own question goes in at once, wherever the reader is.
      if ([...items.keys()].some((id) => !view.rows.has(id) && ctx.own.has(id))) return apply(false);
      if (moved || fresh) later();
      pillCount(items);
    }

    view.redraw = redraw;
    apply(true);
    return redraw;
  },
  chartRows: () => 0,
  rowChart: false,
  chart: () => {},
  summary: (p) => (p.names ? [t('control.s_qa_names')] : []),
  editor: {
    fields: ['names'],
    defaults: { names: false },
    build() {
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
    },
    fill(v) {
      const box = /** @type {HTMLInputElement | null} */ (document.getElementById('e-qa-names'));
      if (box) box.checked = !!v.names;
    },
    read(d) {
      const box = /** @type {HTMLInputElement | null} */ (document.getElementById('e-qa-names'));
      d.names = !!(box && box.checked);
      return null;
    },
  },
};

