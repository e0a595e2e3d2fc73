// The projector: the join address, the current prompt and its visible items as cards that
// shrink to fit as they multiply. Public, so it only ever shows what the screen role receives.
import { $, t, el, setLang, lang, pickLang, onLang, slug, Conn, remaining, mmss, errorText } from './common.js';

/** Card text sizes, in vh, tried from the largest down until the cards fit. */
const SIZES = [5.2, 4.4, 3.7, 3.1, 2.6, 2.3, 2];

let session = null;
let prompt = null;
let refused = null;
let participants = 0;
let seq = 0;
/** The current prompt's visible items, by id. */
const items = new Map();
const cards = new Map();
const join = `${location.host}/${slug}`;

const conn = new Conn(() => ({ type: 'hello', protocol: 1, role: 'screen', last_seq: seq }), onMessage);
conn.onStatus = renderConn;
conn.onRefused = (code) => { refused = code; render(); };

function onMessage(m) {
  if (typeof m.seq === 'number' && m.type !== 'ack') seq = Math.max(seq, m.seq);
  switch (m.type) {
    case 'welcome':
      session = m.session;
      seq = m.seq;
      prompt = m.prompt;
      participants = m.participants || 0;
      if (pickLang(session.language) !== lang) setLang(session.language);
      items.clear();
      for (const i of m.items) if (!i.hidden) items.set(i.id, i);
      render();
      break;
    case 'presence':
      participants = m.participants;
      renderBand();
      break;
    case 'prompt_opened':
      prompt = m.prompt;
      items.clear();
      render();
      // A reopened prompt may already have items, and this event does not carry them:
      // a fresh welcome does.
      conn.resync();
      break;
    case 'prompt_updated':
    case 'prompt_closed':
      if (prompt && m.prompt.id === prompt.id) {
        prompt = m.prompt;
        renderHead();
      }
      break;
    case 'item_added':
    case 'item_unhidden':
      if (prompt && m.item.prompt_id === prompt.id && !m.item.hidden && !items.has(m.item.id)) {
        items.set(m.item.id, m.item);
        addCard(m.item, true);
        renderHead();
        fit();
      }
      break;
    case 'item_hidden':
      if (items.delete(m.item_id)) {
        cards.get(m.item_id)?.remove();
        cards.delete(m.item_id);
        renderHead();
        fit();
      }
      break;
  }
}

function render() {
  $('refused').hidden = !refused;
  if (refused) $('refused').textContent = errorText(refused);
  renderBand();
  renderConn();
  $('idle').hidden = !session || !!prompt;
  $('live').hidden = !prompt;
  $('idle-title').textContent = session ? session.title : '';
  $('idle-url').textContent = join;
  if (session) document.title = session.title;
  renderHead();
  cards.clear();
  $('cards').replaceChildren();
  for (const i of [...items.values()].sort((a, b) => a.seq - b.seq)) addCard(i, false);
  fit();
}

function renderBand() {
  $('join-url').textContent = join;
  $('participants').textContent = t('screen.participants', { n: participants });
}

function renderHead() {
  if (!prompt) return;
  $('q').textContent = prompt.title;
  $('closed').hidden = prompt.state !== 'closed';
  $('count').textContent = t('screen.count', { n: items.size });
  tick();
}

function renderConn() {
  $('conn').dataset.status = conn.status;
  $('conn-text').textContent = t(`conn.${conn.status}`);
}

/** Adds a card in seq order; `fresh` ones fade in. */
function addCard(i, fresh) {
  const card = el('li', fresh ? 'card-item new' : 'card-item', i.text);
  card.dataset.seq = String(i.seq);
  const list = $('cards');
  const after = [...list.children].find((c) => Number(c.dataset.seq) > i.seq);
  list.insertBefore(card, after || null);
  cards.set(i.id, card);
}

/** Picks the largest text size at which every card fits; below the smallest, the oldest give way. */
function fit() {
  const list = $('cards');
  if ($('live').hidden) return;
  for (const c of list.children) c.classList.remove('gone');
  const size = (i) => list.style.setProperty('--card-size', `${SIZES[i]}vh`);
  // Cards flow down columns; whatever does not fit makes extra columns to the right.
  const fits = () => list.scrollWidth <= list.clientWidth + 1 && list.scrollHeight <= list.clientHeight + 1;
  let lo = 0;
  let hi = SIZES.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    size(mid);
    if (fits()) hi = mid;
    else lo = mid + 1;
  }
  size(lo);
  const all = [...list.children];
  const batch = Math.max(1, Math.ceil(all.length / 20));
  for (let k = 0; k < all.length - 1 && !fits(); k += batch) {
    for (const c of all.slice(k, k + batch)) c.classList.add('gone');
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

setInterval(tick, 500);

let resizeTimer = 0;

addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(fit, 100);
});
onLang(render);
setLang('fi');
render();
conn.connect();
