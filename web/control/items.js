// @ts-check
// The console's moderation of the selected prompt's items: the approval queue and the list
// (newest first, or ranked where the kind ranks its items: a Q&A's "Top") with approve, star,
// edit (where Erase… is too), hide, merge and unmerge, erase (and erase an edited item's
// earlier texts) after an inline confirmation, the group and column filters, and the tallies
// per column and group. A changed item redraws its own row only
// (`changed`): hundreds of items a minute never redraw the list.
import { $, t, el, lang, chip } from '../common.js';
import { LIMITS } from '../limits.js';
import { activity } from '../activities/index.js';
import * as store from './store.js';
import { button, fill } from './ui.js';
import { DRAG_TYPE } from './themes.js';

const { state, sel, itemsOf, takesItems } = store;

/** @param {number} ms a moment, as the console's clock time */
const clockTime = (ms) => new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });

/** How long after the moderator's last tap, click or key in a ranked list its rows may move (ms). */
const IDLE_MS = 2000;
/** A pointer that can hover (a mouse): only then does being over the list hold it. */
const HOVER = matchMedia('(hover: hover)');

/** The list's order without a ranking: newest first. @param {any} a @param {any} b */
const newest = (a, b) => b.seq - a.seq;
/** The list's order: the kind's ranking ("Top") where it has one and it is chosen, else newest first. */
const order = () => {
  const p = sel();
  const rank = p && activity(p.kind).rank;
  return rank && state.sort === 'top' ? rank : newest;
};

/** @param {any} i whether it passes the filters */
const passes = (i) => (!state.filterGroup || (state.filterGroup === '-' ? !i.group : i.group === state.filterGroup))
  && (state.filterCol === '' || String(i.column) === state.filterCol)
  && (!state.filterTheme || (state.filterTheme === '-' ? !i.theme : i.theme === state.filterTheme));
/** Where an item is listed: the approval queue, the main list, or nowhere (merged or filtered). @param {any} i */
const listFor = (i) => (i.prompt_id !== state.selected || i.merged_into || !passes(i) ? null
  : !i.approved && !i.hidden ? $('queue') : $('items'));

/**
 * Wires the moderation panel and returns its redraws.
 * @param {{
 *   request: (message: object, done?: () => void) => void,
 *   head: () => void,
 *   count: (promptId: string) => void,
 *   themes: () => void,
 * }} console `themes` redraws the themes bar (its counts and the picks)
 */
export function createItems({ request, head, count, themes }) {
  /** Nodes of the selected prompt's listed items, by id. */
  const nodes = new Map();
  /** @type {{ id: string, what: 'erase_item' | 'erase_item_history' } | null} An erasure awaiting its confirmation. */
  let confirming = null;
  /** A ranked list's rows wait to move while the moderator is at the list (see `holding`). */
  let resort = false;
  /** When the moderator last tapped, clicked or typed in the list. */
  let touched = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let later;
  /**
   * Whether the moderator is at the list: a mouse over it, or a tap, click or key in it less
   * than IDLE_MS ago (a touch screen's hover sticks where it was tapped, so only a real hover
   * counts; the wait covers a thumb).
   */
  const holding = () => (HOVER.matches && ($('items').matches(':hover') || $('queue').matches(':hover')))
    || performance.now() - touched < IDLE_MS;
  const settle = () => {
    clearTimeout(later);
    if (!resort) return;
    if (holding()) later = setTimeout(settle, IDLE_MS);
    else renderItems();
  };
  for (const list of [$('items'), $('queue')]) {
    list.addEventListener('pointerleave', settle);
    for (const e of ['pointerdown', 'keydown']) list.addEventListener(e, () => { touched = performance.now(); });
  }

  /** The panel for the selected prompt: hidden unless it takes items. */
  function render() {
    const p = sel();
    const mod = !!p && takesItems(p);
    $('mod').hidden = !mod;
    if (!mod) return;
    const cols = activity(p.kind).columns(p);
    fill($('f-group'), state.filterGroup, [['', t('control.all_groups')], ...state.groups.map((g) => [g.id, g.name]), ['-', t('control.no_group')]]);
    fill($('f-col'), state.filterCol, [['', t('control.all_columns')], ...cols.map((c, n) => [String(n), c])]);
    $('f-group-box').hidden = !state.groups.length;
    $('f-col-box').hidden = !cols.length;
    fill($('f-sort'), state.sort, [['top', t('control.sort_top')], ['new', t('control.sort_new')]]);
    $('f-sort-box').hidden = !activity(p.kind).rank;
    renderItems();
  }

  function renderItems() {
    // The focused action (a keyboard moderator's place) comes back on its row's new node.
    const active = /** @type {PageElement | null} */ (document.activeElement);
    const row = /** @type {HTMLElement | null | undefined} */ (active?.closest('.item-row'));
    const back = row?.dataset.id && active?.dataset.act ? [row.dataset.id, active.dataset.act] : null;
    clearTimeout(later);
    nodes.clear();
    $('queue').replaceChildren();
    $('items').replaceChildren();
    resort = false;
    const list = itemsOf(state.selected).sort(order());
    // Merged duplicates by the item they went into, found once rather than per row.
    const kids = new Map();
    for (const i of list) if (i.merged_into) kids.set(i.merged_into, [...(kids.get(i.merged_into) || []), i]);
    for (const i of list) {
      const to = listFor(i);
      if (!to) continue;
      const n = itemNode(i, kids.get(i.id) || []);
      nodes.set(i.id, n);
      to.append(n);
    }
    if (back) /** @type {HTMLElement | null} */ (nodes.get(back[0])?.querySelector(`[data-act="${back[1]}"]`))?.focus();
    renderTallies();
  }

  /**
   * An item arrived or changed: redraw its row (and its merge target's), the counts, the head.
   * @param {any} i
   */
  function changed(i) {
    count(i.prompt_id);
    if (i.prompt_id !== state.selected) return;
    place(i);
    if (i.merged_into) place(state.items.get(i.merged_into));
    head();
    renderTallies();
  }

  /**
   * An item was erased: its row goes (nothing of it is kept), and the counts follow.
   * @param {any} i what the console knew of it
   */
  function erased(i) {
    if (confirming?.id === i.id) confirming = null;
    nodes.get(i.id)?.remove();
    nodes.delete(i.id);
    count(i.prompt_id);
    if (i.prompt_id !== state.selected) return;
    if (i.merged_into) place(state.items.get(i.merged_into));
    for (const x of state.items.values()) if (x.merged_into === i.id) place(x);
    head();
    renderTallies();
  }

  /**
   * Asks before an irreversible erasure: the row's actions become the question, with the
   * erasure and Cancel (focused, so Enter on a slip does nothing for good).
   * @param {any} i
   * @param {'erase_item' | 'erase_item_history'} what
   */
  function askErase(i, what) {
    confirming = { id: i.id, what };
    place(i);
    /** @type {HTMLElement | null} */ (nodes.get(i.id)?.querySelector('[data-act="control.cancel_edit"]'))?.focus();
  }

  /** @param {any} i the confirmation row for the erasure asked of `i` */
  function confirmRow(i) {
    const what = confirming?.what || 'erase_item';
    const history = what === 'erase_item_history';
    const box = el('div', 'confirm');
    box.setAttribute('role', 'group');
    const q = el('p', 'item-meta', t(history ? 'control.erase_history_confirm' : 'control.erase_confirm'));
    const cancel = () => {
      confirming = null;
      place(state.items.get(i.id));
      /** @type {HTMLElement | null} */ (nodes.get(i.id)?.querySelector(`[data-act="${history ? 'control.erase_history' : 'control.edit'}"]`))?.focus();
    };
    const go = () => {
      confirming = null;
      request({ type: what, item_id: i.id }, () => place(state.items.get(i.id)));
    };
    box.append(q, button(history ? 'control.erase_history_do' : 'control.erase_do', 'danger', go),
      button('control.cancel_edit', 'secondary', cancel));
    box.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => { if (e.key === 'Escape') cancel(); });
    return box;
  }

  /** @param {any} i puts an item's row where it belongs now, keeping the focus in it */
  function place(i) {
    if (!i) return;
    const old = nodes.get(i.id);
    const to = listFor(i);
    if (!to) {
      old?.remove();
      nodes.delete(i.id);
      return;
    }
    const active = /** @type {PageElement | null} */ (document.activeElement);
    const focus = old && old.contains(active) && active?.dataset.act;
    const n = itemNode(i);
    nodes.set(i.id, n);
    const cmp = order();
    // Ranked, a vote moves a row and a new row pushes down those ranked below it. While the
    // moderator is at the list (`holding`: they could tap the wrong question) a changed row
    // stays where it is and a new one goes last; the list re-sorts once they leave it.
    const held = cmp !== newest && holding();
    if (held && !resort) {
      resort = true;
      later = setTimeout(settle, IDLE_MS);
    }
    if (old && old.parentNode === to && (cmp === newest || held)) old.replaceWith(n);
    else if (held) {
      old?.remove();
      to.append(n);
    } else {
      old?.remove();
      let at = /** @type {HTMLElement | null} */ (to.firstElementChild);
      const above = (/** @type {HTMLElement} */ row) => {
        const x = state.items.get(row.dataset.id || '');
        return !!x && cmp(x, i) < 0;
      };
      while (at && above(at)) at = /** @type {HTMLElement | null} */ (at.nextElementSibling);
      to.insertBefore(n, at);
    }
    if (focus) /** @type {HTMLElement | null} */ (n.querySelector(`[data-act="${focus}"]`))?.focus();
  }

  /** Counts per column and per group (visible items), the queue's heading and the merge button. */
  function renderTallies() {
    const p = sel();
    if (!p || !takesItems(p)) return;
    const list = itemsOf(p.id);
    const shown = list.filter((i) => !i.hidden && i.approved && !i.merged_into);
    const parts = /** @type {HTMLElement[]} */ ([]);
    activity(p.kind).columns(p).forEach((c, n) => {
      parts.push(el('span', 'tally', `${c}: ${shown.filter((i) => i.column === n).length}`));
    });
    for (const g of state.groups) {
      const c = chip(g, `${g.name}: ${shown.filter((i) => i.group === g.id).length}`);
      c.classList.add('tally');
      parts.push(c);
    }
    $('tallies').replaceChildren(...parts);
    $('tallies').hidden = !parts.length;
    // One line on a laptop, cut at its end: the whole of it for the pointer.
    $('tallies').title = parts.map((x) => x.textContent).join(' · ');
    const waiting = list.filter((i) => !i.approved && !i.hidden).length;
    $('queue-box').hidden = !waiting;
    $('queue-h').textContent = t('control.queue', { n: waiting });
    store.setPicked(state.picked.filter((id) => state.items.get(id) && !state.items.get(id).merged_into));
    const picked = state.picked;
    const merge = $('merge');
    merge.textContent = t('control.merge', { n: picked.length });
    merge.disabled = picked.length < 2;
    merge.title = picked.length ? t('control.merge_into', { text: state.items.get(picked[0]).text }) : t('control.merge_help');
    $('unselect').hidden = !picked.length;
    themes();
  }

  /**
   * An item's row: its text (or its edit form), what is known of it, and its actions.
   * @param {any} i
   * @param {any[]} merged the items merged into it
   */
  function itemNode(i, merged = [...state.items.values()].filter((x) => x.merged_into === i.id)) {
    const li = el('li', 'item-row');
    li.dataset.seq = i.seq;
    li.dataset.id = i.id;
    li.classList.toggle('is-hidden', i.hidden);
    li.classList.toggle('is-starred', i.starred);
    li.classList.toggle('is-waiting', !i.approved && !i.hidden);
    const box = /** @type {HTMLInputElement} */ (el('input', 'pick'));
    box.type = 'checkbox';
    box.dataset.act = 'pick';
    box.checked = state.picked.includes(i.id);
    box.setAttribute('aria-label', t('control.pick_item', { text: i.text }));
    box.addEventListener('click', (e) => pick(i.id, box.checked, e.shiftKey));
    // Dragged onto a theme's chip: this item, or all the picked ones when it is one of them.
    li.draggable = state.editItem !== i.id;
    li.addEventListener('dragstart', (/** @type {DragEvent} */ e) => {
      const ids = state.picked.includes(i.id) ? state.picked : [i.id];
      e.dataTransfer?.setData(DRAG_TYPE, JSON.stringify(ids));
      e.dataTransfer?.setData('text/plain', ids.map((x) => state.items.get(x)?.text || '').join('\n'));
      if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
    });
    const body = el('div', 'item-body');
    if (state.editItem === i.id) body.append(editForm(i));
    else body.append(el('p', 'item-text', i.text));
    body.append(meta(i));
    if (i.edited && i.history && i.history.length) {
      const d = el('details', 'history');
      d.append(el('summary', '', t('control.edited')),
        ...i.history.map((/** @type {any} */ h) => el('p', 'item-meta', t('control.original', { time: clockTime(h.at), text: h.text }))),
        button('control.erase_history', 'secondary small', () => askErase(i, 'erase_item_history')));
      d.open = !!confirming && confirming.id === i.id && confirming.what === 'erase_item_history';
      body.append(d);
    }
    if (merged.length) {
      const ul = el('ul', 'merged');
      ul.setAttribute('aria-label', t('control.merged_here'));
      for (const x of merged) {
        const m = el('li', '', x.text);
        m.append(button('control.unmerge', 'secondary small', () => request({ type: 'unmerge_item', item_id: x.id })));
        ul.append(m);
      }
      body.append(ul);
    }
    const acts = el('div', 'row-actions');
    const qa = sel()?.kind === 'questions';
    li.classList.toggle('is-answered', !!i.answered);
    if (!i.approved && !i.hidden) acts.append(button('control.approve', 'primary', () => request({ type: 'approve_item', item_id: i.id })));
    // A question: highlighted (one at a time) for the speaker, then marked answered.
    const starKey = qa ? (i.starred ? 'control.qa_unhighlight' : 'control.qa_highlight') : (i.starred ? 'control.unstar' : 'control.star');
    acts.append(button(starKey, 'secondary', () => request({ type: 'star_item', item_id: i.id, starred: !i.starred })));
    if (qa) {
      acts.append(button(i.answered ? 'control.qa_unanswer' : 'control.qa_answer', 'secondary',
        () => request({ type: 'mark_answered', item_id: i.id, answered: !i.answered })));
      acts.append(mergeInto(i));
    }
    acts.append(
      button('control.edit', 'secondary', () => {
        store.editing(i.id);
        place(i);
        /** @type {HTMLElement | null} */ (nodes.get(i.id).querySelector('textarea'))?.focus();
      }),
      button(i.hidden ? 'control.unhide' : 'control.hide', 'secondary', () => request({ type: i.hidden ? 'unhide_item' : 'hide_item', item_id: i.id })),
    );
    if (confirming?.id === i.id) body.append(confirmRow(i));
    li.append(box, body, acts);
    return li;
  }

  /**
   * A question's "Merge into…": the other questions of the prompt not merged away; choosing
   * one merges this question into it as a duplicate (its votes count there, once per person).
   * @param {any} i
   */
  function mergeInto(i) {
    const select = /** @type {HTMLSelectElement} */ (el('select', 'qa-merge'));
    select.dataset.act = 'control.qa_merge';
    select.setAttribute('aria-label', t('control.qa_merge'));
    const others = itemsOf(i.prompt_id).filter((x) => x.id !== i.id && !x.merged_into && x.approved)
      .map((x) => [x.id, x.text.length > 60 ? `${x.text.slice(0, 59)}…` : x.text]);
    fill(select, '', [['', t('control.qa_merge')], ...others]);
    select.disabled = !others.length;
    select.addEventListener('change', () => {
      if (select.value) request({ type: 'merge_items', into: select.value, items: [i.id] });
    });
    return select;
  }

  /** The item whose box was last clicked: a Shift+click picks every row from it. */
  let anchor = /** @type {string | null} */ (null);

  /**
   * Picks an item or lets it go; with Shift, every listed row between it and the last one
   * clicked goes the same way.
   * @param {string} id
   * @param {boolean} on
   * @param {boolean} range
   */
  function pick(id, on, range) {
    let ids = [id];
    if (range && anchor && anchor !== id) {
      const rows = [...nodes.entries()].filter(([, n]) => n.isConnected)
        .sort(([, a], [, b]) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1)).map(([x]) => x);
      const a = rows.indexOf(anchor);
      const b = rows.indexOf(id);
      if (a >= 0 && b >= 0) ids = rows.slice(Math.min(a, b), Math.max(a, b) + 1);
    }
    anchor = id;
    const rest = state.picked.filter((x) => !ids.includes(x));
    store.setPicked(on ? [...rest, ...ids] : rest);
    for (const x of ids) {
      const box = /** @type {HTMLInputElement | null} */ (nodes.get(x)?.querySelector('input.pick'));
      if (box) box.checked = on;
    }
    renderTallies();
  }

  /** @param {any} i the line under an item's text: time, author, group, column, tags, likes */
  function meta(i) {
    const p = sel();
    const m = el('p', 'item-meta', `${clockTime(i.created_at)} · ${i.author || ''}`);
    const g = state.groups.find((x) => x.id === i.group);
    if (g) m.append(' ', chip(g));
    const c = p && activity(p.kind).columns(p)[i.column];
    if (c) m.append(' ', el('span', 'tag col', c));
    const th = i.theme && store.themesOf(p).find((x) => x.id === i.theme);
    if (th) m.append(' ', el('span', 'tag theme', th.name));
    if (i.hidden) m.prepend(el('span', 'tag', t('control.hidden_label')), ' ');
    if (!i.approved && !i.hidden) m.prepend(el('span', 'tag wait', t('control.waiting_label')), ' ');
    if (i.starred) m.prepend(el('span', 'tag fav', t('control.starred_label')), ' ');
    if (p && p.kind === 'questions') {
      // A question's name (when the participant gave one), votes and answered mark.
      if (i.name) m.append(' · ', el('strong', 'qa-by', i.name));
      m.append(` · ▲ ${i.likes}`);
      if (i.answered) m.prepend(el('span', 'tag done', t('control.qa_answered')), ' ');
      return m;
    }
    if (i.likes) m.append(` · ♥ ${i.likes}`);
    return m;
  }

  /** @param {any} i an item's text in a form, Enter saves and Escape leaves */
  function editForm(i) {
    const f = /** @type {HTMLFormElement} */ (el('form', 'edit-form'));
    const ta = /** @type {HTMLTextAreaElement} */ (el('textarea'));
    ta.value = i.text;
    ta.maxLength = LIMITS.item_text_max;
    ta.rows = 2;
    ta.setAttribute('aria-label', t('control.edit_text'));
    const done = () => { store.editing(null); place(state.items.get(i.id)); };
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = ta.value.trim();
      if (text && text !== i.text) request({ type: 'edit_item', item_id: i.id, text }, done);
      else done();
    });
    ta.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') done();
      if (e.key === 'Enter' && !e.shiftKey) f.requestSubmit();
    });
    const save = /** @type {HTMLButtonElement} */ (el('button', 'primary small', t('control.save')));
    save.type = 'submit';
    const row = el('div', 'inline');
    // Erasing lives with editing (the item's own menu), so the row keeps its width.
    row.append(save, button('control.cancel_edit', 'secondary small', done),
      button('control.erase', 'danger small', () => { store.editing(null); askErase(i, 'erase_item'); }));
    f.append(ta, row, moveRow(i));
    return f;
  }

  /**
   * Where an item is, to change (a participant picked the wrong column or group, or it belongs
   * in another theme): each choice is sent at once, apart from the text's Save.
   * @param {any} i
   */
  function moveRow(i) {
    const p = sel();
    const row = el('div', 'move-row');
    /**
     * @param {string} k the label's key
     * @param {string} value
     * @param {string[][]} options
     * @param {(v: string) => object} message
     */
    const choice = (k, value, options, message) => {
      const label = el('label', 'filter');
      const select = el('select');
      select.dataset.act = k;
      fill(select, value, options);
      select.addEventListener('change', () => request(message(/** @type {HTMLSelectElement} */ (select).value)));
      label.append(el('span', '', t(k)), ' ', select);
      row.append(label);
    };
    const cols = p ? activity(p.kind).columns(p) : [];
    if (cols.length > 1) {
      choice('control.move_column', String(i.column || 0), cols.map((c, n) => [String(n), c]),
        (v) => ({ type: 'move_item', item: i.id, column: Number(v) }));
    }
    if (state.groups.length) {
      choice('control.move_group', i.group || '', [['', t('control.no_group')], ...state.groups.map((g) => [g.id, g.name])],
        (v) => ({ type: 'move_item', item: i.id, group: v || null }));
    }
    const themes = store.themesOf(p);
    if (themes.length) {
      choice('control.move_theme', i.theme || '', [['', t('control.unthemed')], ...themes.map((x) => [x.id, x.name])],
        (v) => ({ type: 'set_item_theme', items: [i.id], theme: v || null }));
    }
    return row;
  }

  $('merge').addEventListener('click', () => {
    const picked = state.picked;
    if (picked.length < 2) return;
    request({ type: 'merge_items', into: picked[0], items: picked.slice(1) }, () => { store.setPicked([]); renderItems(); });
  });
  $('unselect').addEventListener('click', () => { store.setPicked([]); renderItems(); });
  $('f-group').addEventListener('change', (e) => {
    store.filter('filterGroup', /** @type {PageElement} */ (e.target).value);
    renderItems();
  });
  $('f-col').addEventListener('change', (e) => {
    store.filter('filterCol', /** @type {PageElement} */ (e.target).value);
    renderItems();
  });
  $('f-sort').addEventListener('change', (e) => {
    store.sortBy(/** @type {PageElement} */ (e.target).value === 'new' ? 'new' : 'top');
    renderItems();
  });

  return { render, changed, erased };
}
