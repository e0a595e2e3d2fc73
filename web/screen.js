// The projector: the join address and what the facilitator puts on it (the current prompt by
// default, the full-screen join page, or an earlier prompt) with, by kind, its wall of items (in
// columns when it has them, a starred item large on top), poll bars, scale distributions, the
// word cloud or the dot-vote ranking. Public, so it only shows what the screen role receives.
// Changes are applied to the nodes they touch: hundreds of items a minute never redraw it all.
// Everything fits the screen (`fit`): the question and instructions in a few lines, every poll
// option and dot-vote item at the largest size that fits (then in columns), the cards in rows in
// the order they came, so that a hidden card leaves a gap instead of moving the others.
// `?group=g1` shows one group's items; `?theme=light` (or T, or the button) a light theme;
// `?lang=sv` (or the buttons) a language other than the session's; F (or the button) full screen.
import {
  $, t, el, setLang, lang, pickLang, onLang, slug, store, Conn, remaining, mmss, errorText, chip, isPublic,
  initLangSwitch,
} from './common.js';
import * as draw from './results.js';
import { activity, loadAll } from './activities/index.js';

// The projector may show any kind: all their modules before anything renders.
await loadAll();

/** Card text sizes, in vh, tried from the largest down until the cards fit. */
const SIZES = [5.2, 4.4, 3.7, 3.1, 2.6, 2.3, 2];
/**
 * Below this card size (vh) Finnish cards get soft hyphens: narrow columns (six on one wall)
 * would otherwise shrink the text until "opiskeluterveydenhuoltopalvelut" fits on one line.
 */
const HYPHENATE_BELOW = 2.6;
/** Session title sizes (vh) on the join page: at most two lines, so the QR code stays on screen. */
const TITLE_SIZES = [7, 6.2, 5.5, 4.8, 4.2];
const TITLE_LINES = 2;
/** Question sizes (vh), tried from the largest down until it takes at most `Q_LINES` lines. */
const Q_SIZES = [5.6, 5, 4.4, 3.9, 3.5, 3.2];
const Q_LINES = 3;
/** Instruction sizes (vh), likewise, for at most `I_LINES` lines (longer ones are clamped). */
const I_SIZES = [3.4, 3, 2.7, 2.4, 2.2];
const I_LINES = 3;
/**
 * Poll and dot-vote label sizes (vh), tried from the largest down in one, two and three
 * columns. 2.6 vh is 28 px at 1080p, which the worst case (14 items of 60 characters under
 * 300 characters of instructions) still gets, in two columns.
 */
const CHART_SIZES = [4.4, 4, 3.6, 3.3, 3, 2.8, 2.6, 2.4, 2.2, 2, 1.8, 1.6];
/** The label size (vh) a chart should get: 28 px at 1080p. */
const CHART_GOOD = 2.6;
/** A label size (vh) at which one column beats more columns of larger labels (36 px at 1080p). */
const CHART_COMFORT = 3.3;
/** How many steps of `Q_SIZES` the question may give up for a chart to reach `CHART_GOOD`. */
const Q_YIELDS = 3;
/** The most columns a poll or ranking is split into. */
const CHART_COLS = 3;
/** The most dot-vote places the projector lists. */
const RANKED = 15;
const query = new URLSearchParams(location.search);
const only = query.get('group');
/** Where the projector remembers a language chosen on it (apart from the console's). */
const LANG_KEY = 'paja.screen.lang';
/** A language asked for in the address or chosen on this projector; else the session's. */
const chosenLang = () => query.get('lang') || store.get(LANG_KEY);

let session = null;
/** What the facilitator chose to show: `{kind: 'follow' | 'join' | 'prompt', prompt_id?}`. */
let view = { kind: 'follow' };
/** The prompt on the stage: the one shown, or the current one (beneath the join page, too). */
let prompt = null;
let refused = null;
let participants = 0;
/** Participants online per group; null until the first presence frame. */
let present = null;
let groups = [];
let result = null;
let seq = 0;
let fitting = 0;
/** The card size (index into SIZES) of the last fit: hidden cards leave slots until it changes. */
let sized = -1;
/** What the chart was last fitted for (prompt, screen, rows, texts). */
let chartKey = '';
/** Whether the cards carry soft hyphens (set by the fit, for this prompt). */
let hy = false;
/** The current prompt's visible items (of `only`'s group), by id, and their cards. */
const items = new Map();
const cards = new Map();
/** Empty places of hidden cards, by item id, so that the cards after them do not move. */
const slots = new Map();
/** The lists the cards go into: one, or one per column. */
let lists = [];
const join = `${location.host}/${slug}`;
// The server draws the participant address as a QR code: in the band always, large between prompts.
const qr = `/${encodeURIComponent(slug)}/qr.svg`;
$('qr').src = qr;
$('idle-qr').src = qr;

const conn = new Conn(() => ({ type: 'hello', protocol: 1, role: 'screen', last_seq: seq }), onMessage);
conn.onStatus = renderConn;
conn.onRefused = (code) => { refused = code; render(); };

const shows = (i) => !i.hidden && i.approved !== false && !i.merged_into && (!only || i.group === only);

function onMessage(m) {
  if (typeof m.seq === 'number' && m.type !== 'ack') seq = Math.max(seq, m.seq);
  switch (m.type) {
    case 'welcome':
      session = m.session;
      seq = m.seq;
      participants = m.participants || 0;
      groups = m.groups || [];
      view = m.screen || { kind: 'follow' };
      if (!chosenLang() && pickLang(session.language) !== lang) setLang(session.language);
      load(m.prompt, m.items, m.prompt && m.results[m.prompt.id]);
      break;
    case 'screen_changed':
      view = m.view;
      // The same prompt stays on the stage (the join page went on or off): keep its cards,
      // only the view changes. Another prompt: lay it out, hidden or not, in one go.
      if (m.prompt && prompt && m.prompt.id === prompt.id) {
        prompt = m.prompt;
        result = m.results[prompt.id] || null;
        render();
      } else load(m.prompt, m.items, m.prompt && m.results[m.prompt.id]);
      break;
    case 'presence':
      participants = m.participants;
      present = m.groups || {};
      renderBand();
      renderPresence();
      break;
    case 'groups_changed':
      groups = m.groups;
      renderBand();
      renderPresence();
      for (const i of items.values()) putCard(i);
      break;
    case 'prompt_opened':
      // Showing an earlier prompt, the stage stays; the `screen_changed` that follows an
      // opening brings the new prompt.
      if (view.kind !== 'prompt') load(m.prompt, m.items || [], null);
      break;
    case 'prompt_updated':
    case 'prompt_closed':
      if (prompt && m.prompt.id === prompt.id) {
        const relayout = String(m.prompt.columns) !== String(prompt.columns);
        prompt = m.prompt;
        if (relayout) load(prompt, [...items.values()], result);
        else {
          renderHead();
          renderChart();
          refit();
        }
      }
      break;
    case 'results':
      if (prompt && m.prompt_id === prompt.id) {
        result = m.results;
        renderChart();
        renderHead();
      }
      break;
    case 'item_added':
    case 'item_unhidden':
    case 'item_updated':
      if (prompt && m.item.prompt_id === prompt.id) {
        if (shows(m.item)) putCard(m.item);
        else dropCard(m.item.id);
      }
      break;
    case 'item_hidden':
    case 'item_removed':
      dropCard(m.item_id);
      break;
  }
}

/** A new prompt (or a fresh welcome): lays out the stage for its kind. */
function load(p, list, r) {
  prompt = p;
  result = r || null;
  items.clear();
  cards.clear();
  slots.clear();
  sized = -1;
  hy = false;
  const colNames = p ? activity(p.kind).columns(p) : [];
  const box = $('cols');
  box.replaceChildren(...colNames.map((name) => {
    const c = el('section', 'wall-col');
    const h = el('h2', 'wall-col-h');
    // Narrow columns (six on a wall): a long Finnish heading breaks at a hyphen, not mid-word.
    h.append(el('span', 'wall-col-name', finnishHyphens(name)), el('span', 'wall-col-n'));
    c.append(h, el('ul', 'cards'));
    return c;
  }));
  box.hidden = !colNames.length;
  box.style.setProperty('--cols', String(colNames.length || 1));
  $('cards').replaceChildren();
  $('cards').hidden = !p || !activity(p.kind).cards || colNames.length > 0;
  lists = colNames.length ? [...box.querySelectorAll('.cards')] : [$('cards')];
  $('stars').replaceChildren();
  draw.reset($('chart'));
  for (const i of [...list].sort((a, b) => a.seq - b.seq)) if (shows(i)) putCard(i, true);
  render();
}

function render() {
  $('refused').hidden = !refused;
  if (refused) $('refused').textContent = errorText(refused);
  renderBand();
  renderConn();
  // The join page: asked for, or nothing on the stage yet.
  const joining = !prompt || view.kind === 'join';
  $('idle').hidden = !session || !joining;
  $('live').hidden = joining;
  $('idle-title').textContent = session ? session.title : '';
  // Host and session name as two unbreakable pieces: a long address wraps at the slash only.
  if ($('idle-url').textContent !== join) {
    $('idle-url').replaceChildren(el('span', 'nowrap', location.host), el('span', 'nowrap', `/${slug}`));
  }
  if (session) document.title = session.title;
  // Participants write in the session's language: hyphenation (where the browser can) follows it.
  $('live').lang = textLang();
  $('idle-title').lang = textLang();
  renderHead();
  renderPresence();
  renderChart();
  renderStars();
  refit();
}

function renderBand() {
  $('join-url').textContent = join;
  $('participants').textContent = t('screen.participants', { n: participants });
  const g = groups.find((x) => x.id === only);
  $('group-name').hidden = !g;
  if (g) $('group-name').replaceChildren(chip(g));
}

function renderHead() {
  if (!prompt) return;
  $('q').textContent = prompt.title;
  $('instr').textContent = prompt.instructions || '';
  $('instr').hidden = !prompt.instructions;
  $('closed').hidden = prompt.state !== 'closed';
  const unit = activity(prompt.kind);
  const secret = unit.results && !isPublic(prompt);
  $('rnote').hidden = !secret;
  $('rnote').textContent = t(prompt.show_results === 'hidden' ? 'screen.results_hidden' : 'screen.results_after');
  $('notes').hidden = secret === false && prompt.state !== 'closed';
  const r = result;
  const n = !unit.results ? items.size : !r ? null : unit.answered(r);
  $('count').textContent = n === null ? ''
    : t(unit.results ? 'screen.answered' : 'screen.count', { n });
  if (lists.length > 1) {
    const per = lists.map(() => 0);
    for (const i of items.values()) per[i.column || 0]++;
    $('cols').querySelectorAll('.wall-col-n').forEach((e, c) => { e.textContent = String(per[c]); });
  }
  tick();
}

/** Participants online per group, when the prompt is done in groups. */
function renderPresence() {
  const box = $('presence');
  box.hidden = !prompt || !prompt.per_group || !groups.length;
  if (box.hidden) return;
  box.replaceChildren(...groups.filter((g) => !only || g.id === only).map((g) => {
    const li = el('li');
    li.append(chip(g), present ? ` ${present[g.id] || 0}` : '');
    return li;
  }));
}

function renderChart() {
  const box = $('chart');
  const k = prompt && prompt.kind;
  const unit = activity(k);
  box.hidden = !k || !unit.results;
  if (box.hidden) return;
  box.className = `chart ${k}`;
  const r = isPublic(prompt) ? result : null;
  // Bars shrink with their number so that all fit under the question.
  box.style.setProperty('--rows', String(unit.chartRows(prompt, RANKED) || 1));
  unit.chart(box, prompt, r, { ranked: RANKED });
  refit();
}

/** Starred items, largest on top (the newest two). */
function renderStars() {
  const starred = [...items.values()].filter((i) => i.starred).sort((a, b) => b.seq - a.seq).slice(0, 2);
  $('stars').hidden = !starred.length || !prompt || !activity(prompt.kind).cards;
  $('stars').replaceChildren(...starred.map((i) => el('li', 'star-item', i.text)));
}

function renderConn() {
  $('conn').dataset.status = conn.status;
  $('conn-text').textContent = t(`conn.${conn.status}`);
}

/** Adds or redraws an item's card, in seq order within its list. */
function putCard(i, quiet) {
  const was = items.get(i.id);
  items.set(i.id, i);
  if (!activity(prompt.kind).cards) return;
  const card = el('li', quiet || was ? 'card-item' : 'card-item new');
  card.dataset.seq = i.seq;
  card.classList.toggle('starred', i.starred);
  card.append(el('span', 'card-text', cardText(i)));
  const g = !only && groups.find((x) => x.id === i.group);
  if (g || i.likes || i.merged) {
    const foot = el('span', 'card-foot');
    if (g) foot.append(chip(g));
    // Duplicates merged into it: the card stands for them all.
    if (i.merged) foot.append(el('span', 'card-merged', `×${i.merged + 1}`));
    if (i.likes) foot.append(el('span', 'card-likes', `♥ ${i.likes}`));
    card.append(foot);
  }
  // Shown again: back into the place it left.
  const old = cards.get(i.id) || slots.get(i.id);
  slots.delete(i.id);
  cards.set(i.id, card);
  if (old) old.replaceWith(card);
  else {
    const list = lists[Math.min(i.column || 0, lists.length - 1)];
    let at = list.lastChild;
    if (!at || +at.dataset.seq < i.seq) list.append(card);
    else {
      while (at.previousSibling && +at.previousSibling.dataset.seq > i.seq) at = at.previousSibling;
      list.insertBefore(card, at);
    }
  }
  if (!quiet) changed(i.starred || (was && was.starred));
}

/**
 * Takes an item's card off the wall, leaving an empty slot of its size: the cards after it keep
 * their places (people are reading them) until the next change of text size closes the gaps.
 */
function dropCard(id) {
  const was = items.get(id);
  if (!was) return;
  items.delete(id);
  const card = cards.get(id);
  cards.delete(id);
  if (card && card.isConnected && !card.classList.contains('gone')) {
    const slot = el('li', 'card-slot');
    slot.dataset.seq = card.dataset.seq;
    slot.setAttribute('aria-hidden', 'true');
    slot.style.setProperty('height', `${card.getBoundingClientRect().height}px`);
    card.replaceWith(slot);
    slots.set(id, slot);
  } else card?.remove();
  changed(was.starred);
}

/** The language participants write in: the session's. */
const textLang = () => (session ? pickLang(session.language) : lang);

/** The one language whose syllables `hyphenate` knows. */
const FINNISH = 'fi';

/** `text` with soft hyphens when the session is in Finnish. */
const finnishHyphens = (text) => (textLang() === FINNISH ? hyphenate(text) : text);

/** An item's text for its card: with soft hyphens once the fit asked for them. */
const cardText = (i) => (hy ? hyphenate(i.text) : i.text);

const VOWEL = /[aeiouyäöå]/i;

/**
 * Soft hyphens at Finnish syllable boundaries (before a consonant that starts a syllable: one
 * followed by a vowel) in words of 12 letters or more, at least three letters from either end.
 * Debian's Chromium has no hyphenation dictionaries, so `hyphens: auto` alone breaks nothing;
 * the browser breaks at these only where a line is full, and shows the hyphen.
 */
function hyphenate(text) {
  return text.replace(/\p{L}{12,}/gu, (w) => {
    const c = [...w];
    let out = c[0];
    for (let k = 1; k < c.length; k++) {
      if (k >= 3 && c.length - k >= 3 && !VOWEL.test(c[k]) && VOWEL.test(c[k + 1])
        && c.slice(0, k).some((x) => VOWEL.test(x))) out += '\u00AD';
      out += c[k];
    }
    return out;
  });
}

function changed(stars) {
  if (stars) renderStars();
  renderHead();
  refit();
}

const refit = () => { fitting ||= requestAnimationFrame(fit); };

/** Lays out the stage: the question and instructions, then the chart or the cards in what is left. */
function fit() {
  fitting = 0;
  if (!$('idle').hidden) fitLines($('idle-title'), TITLE_SIZES, TITLE_LINES);
  if ($('live').hidden || !prompt) return;
  // Results frames come several times a second: the same rows that still fit keep their layout.
  const key = [prompt.id, innerWidth, innerHeight, $('chart').children.length, prompt.title, prompt.instructions, lang].join('\n');
  const cards = activity(prompt.kind).cards;
  if (!cards && key === chartKey && chartFits()) return;
  chartKey = key;
  // Results before the question: it gives up a few sizes before the labels go below 2.6 vh.
  for (let q = 0; q <= Q_YIELDS; q++) {
    fitLines($('q'), Q_SIZES.slice(q), Q_LINES);
    if (!$('instr').hidden) fitLines($('instr'), I_SIZES, I_LINES);
    if (cards) {
      fitCards();
      break;
    }
    if (fitChart() >= CHART_GOOD) break;
  }
}

/** The largest of `sizes` (vh) at which `node` takes at most `lines` lines (else the smallest). */
function fitLines(node, sizes, lines) {
  for (const s of sizes) {
    node.style.setProperty('font-size', `${s}vh`);
    if (node.scrollHeight <= parseFloat(getComputedStyle(node).lineHeight) * lines + 2) return;
  }
}

/** Whether every word of `nodes` fits its box (none sticks out unbroken). */
const wordsFit = (nodes) => [...nodes].every((e) => e.scrollWidth <= e.clientWidth + 1);

/** Whether every row of the chart shows, each word whole. */
function chartFits() {
  const box = $('chart');
  return box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1
    && wordsFit(box.querySelectorAll('.bar-label, .rank-text'));
}

/**
 * Every poll option or ranked item on screen: the fewest columns (up to three) whose labels fit
 * at `CHART_COMFORT` or more, else the columns that fit the largest labels; the rows run down
 * the first column, then the next. Returns the label size in vh (0 when none fits: the smallest).
 */
function fitChart() {
  const box = $('chart');
  if (box.hidden || !activity(prompt.kind).rowChart) return Infinity;
  const n = Math.max(1, box.children.length);
  const set = (cols, s) => {
    box.style.setProperty('--chart-cols', cols);
    box.style.setProperty('--chart-rows', String(Math.ceil(n / cols)));
    box.style.setProperty('--chart-size', `${CHART_SIZES[s]}vh`);
  };
  const fits = chartFits;
  let best = null;
  for (let cols = 1; cols <= Math.min(CHART_COLS, n); cols++) {
    let lo = 0;
    let hi = CHART_SIZES.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      set(cols, mid);
      if (fits()) hi = mid;
      else lo = mid + 1;
    }
    if (lo < CHART_SIZES.length && (!best || lo < best[1])) best = [cols, lo];
    // Scale first, then columns: one column as long as its labels stay comfortably large.
    if (best && CHART_SIZES[best[1]] >= CHART_COMFORT) break;
  }
  set(...(best || [Math.min(CHART_COLS, n), CHART_SIZES.length - 1]));
  return best ? CHART_SIZES[best[1]] : 0;
}

/**
 * Picks the largest card size at which every card fits, its longest word unbroken (Finnish
 * below `HYPHENATE_BELOW`: at a soft hyphen); below the smallest, the oldest give way and a
 * count says how many. The cards stay in rows in the order they came, so a new card never moves
 * the others, and a hidden card's slot stays empty until the size changes.
 */
function fitCards() {
  for (const c of cards.values()) c.classList.remove('gone');
  for (const l of lists) l.querySelector('.card-more')?.remove();
  const size = (s) => lists.forEach((l) => l.style.setProperty('--card-size', `${SIZES[s]}vh`));
  const fits = (l) => l.scrollHeight <= l.clientHeight + 1 && wordsFit(l.querySelectorAll('.card-text'));
  const search = () => {
    let lo = 0;
    let hi = SIZES.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      size(mid);
      if (lists.every(fits)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  let s = search();
  if (s !== sized && slots.size) {
    for (const slot of slots.values()) slot.remove();
    slots.clear();
    s = search();
  }
  if (SIZES[s] < HYPHENATE_BELOW && !hy && textLang() === FINNISH) {
    hy = true;
    for (const [id, c] of cards) c.querySelector('.card-text').textContent = cardText(items.get(id));
    s = search();
  }
  size(s);
  sized = s;
  for (const l of lists) {
    if (fits(l)) continue;
    const more = el('li', 'card-more');
    more.dataset.seq = '-1';
    more.textContent = t('screen.earlier', { n: l.children.length });
    l.prepend(more);
    const all = [...l.querySelectorAll('.card-item')];
    const batch = Math.max(1, Math.ceil(all.length / 20));
    let gone = 0;
    for (let k = 0; k < all.length - 1 && !fits(l); k += batch) {
      for (const c of all.slice(k, k + batch)) c.classList.add('gone');
      gone = Math.min(all.length - 1, k + batch);
      more.textContent = t('screen.earlier', { n: gone });
    }
  }
}

function tick() {
  const ms = prompt && prompt.state === 'open' ? remaining(prompt) : null;
  const tm = $('timer');
  tm.hidden = ms === null;
  if (ms === null) return;
  tm.textContent = ms > 0 ? mmss(ms) : t('screen.time_up');
  tm.classList.toggle('up', ms <= 0);
}

function theme(light) {
  document.body.classList.toggle('light', light);
  store.set('paja.theme', light ? 'light' : 'dark');
}

/** Full screen on or off (browsers allow it only from a key press or a click). */
function fullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else document.documentElement.requestFullscreen?.().catch(() => {});
}

theme((query.get('theme') || store.get('paja.theme')) === 'light');
$('theme').addEventListener('click', () => theme(!document.body.classList.contains('light')));
$('fullscreen').addEventListener('click', fullscreen);
addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const k = e.key.toLowerCase();
  if (k === 't') theme(!document.body.classList.contains('light'));
  else if (k === 'f') fullscreen();
});
setInterval(tick, 500);

let resizeTimer = 0;
addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(refit, 100);
});
onLang(() => load(prompt, [...items.values()], result));
initLangSwitch(LANG_KEY);
setLang(chosenLang() || 'fi');
render();
conn.connect();
