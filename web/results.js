// Results drawn in place: poll bars, scale distributions, word clouds and dot-vote rankings.
// Each keeps its nodes by key and only changes what changed, so frames arriving several
// times a second never rebuild the list (no flicker, no lost focus).
import { el, t, lang } from './common.js';

/** A number the local way (3,5 in Finnish). */
export const num = (x) => x.toLocaleString(lang, { maximumFractionDigits: 1 });
const share = (n, of) => (of ? n / of : 0);

/** Puts `box`'s children in the order of `keys`: existing nodes move, new ones come from `make`. */
function keyed(box, keys, make) {
  const old = box.k || new Map();
  const now = new Map();
  let at = box.firstChild;
  for (const k of keys) {
    const n = old.get(k) || make(k);
    now.set(k, n);
    if (n === at) at = at.nextSibling;
    else box.insertBefore(n, at);
  }
  for (const [k, n] of old) if (!now.has(k)) n.remove();
  box.k = now;
  return now;
}

function barRow() {
  const li = el('li', 'bar-row');
  const label = el('span', 'bar-label');
  const n = el('span', 'bar-num');
  const track = el('span', 'bar-track');
  const fill = el('span', 'bar-fill');
  track.append(fill);
  li.append(label, n, track);
  li.set = (text, value, w) => {
    label.textContent = text;
    n.textContent = value;
    fill.style.setProperty('--w', w.toFixed(4));
  };
  return li;
}

/** Poll options as bars with counts and percentages (of those who answered). */
export function poll(box, prompt, r) {
  const nodes = keyed(box, prompt.options.map((_, i) => i), barRow);
  prompt.options.forEach((o, i) => {
    const n = r ? r.counts[i] || 0 : 0;
    const p = share(n, r && r.voters);
    nodes.get(i).set(o, r ? t('results.count_pct', { n, p: Math.round(p * 100) }) : '', p);
  });
}

function scaleBlock(max) {
  const box = el('li', 'scale-block');
  const head = el('div', 'scale-head');
  const label = el('p', 'scale-statement');
  const mean = el('p', 'scale-mean');
  head.append(label, mean);
  const hist = el('ol', 'hist');
  const cols = [];
  for (let v = 1; v <= max; v++) {
    const c = el('li', 'hist-col');
    const n = el('span', 'hist-n');
    const bar = el('span', 'hist-bar');
    c.append(n, bar, el('span', 'hist-v', String(v)));
    hist.append(c);
    cols.push([n, bar]);
  }
  const ends = el('p', 'scale-ends');
  const lo = el('span');
  const hi = el('span');
  ends.append(lo, hi);
  box.append(head, hist, ends);
  box.set = (text, s, p) => {
    label.textContent = text;
    mean.textContent = s && s.mean != null ? t('results.mean', { mean: num(s.mean), n: s.n }) : '';
    const top = s ? Math.max(1, ...s.counts) : 1;
    cols.forEach(([n, bar], i) => {
      const c = s ? s.counts[i] || 0 : 0;
      n.textContent = s ? String(c) : '';
      bar.style.setProperty('--h', (c / top).toFixed(4));
    });
    lo.textContent = p.min_label ? `1 = ${p.min_label}` : '';
    hi.textContent = p.max_label ? `${p.max} = ${p.max_label}` : '';
  };
  return box;
}

/** Each statement: the distribution over 1..N, the mean and how many rated it. */
export function scale(box, prompt, r) {
  const nodes = keyed(box, prompt.statements.map((_, i) => i), () => scaleBlock(prompt.max));
  prompt.statements.forEach((s, i) => nodes.get(i).set(s, r && r.statements[i], prompt));
}

/** A stable colour slot for a word, so a word keeps its colour as the cloud changes. */
const hue = (s) => [...s].reduce((h, c) => (h * 31 + c.codePointAt(0)) % 997, 7) % 6;

/** The most frequent words, sized by count, the largest in the middle. */
export function cloud(box, r, most = 80) {
  const words = r ? r.words.slice(0, most) : [];
  const top = words.length ? words[0].count : 1;
  const nodes = keyed(box, words.map((w) => w.text), (k) => {
    const n = el('li', `word w${hue(k)}`, k);
    n.append(el('span', 'sr-only'));
    return n;
  });
  words.forEach((w, i) => {
    const n = nodes.get(w.text);
    n.style.setProperty('--s', Math.sqrt(w.count / top).toFixed(3));
    n.style.order = String(i % 2 ? -i : i);
    n.lastChild.textContent = ` (${w.count})`;
  });
}

function rankRow() {
  const li = el('li', 'rank-row');
  const pos = el('span', 'rank-pos');
  const text = el('span', 'rank-text');
  const n = el('span', 'rank-n');
  const track = el('span', 'bar-track');
  const fill = el('span', 'bar-fill');
  track.append(fill);
  li.append(pos, text, n, track);
  li.set = (p, s, dots, w) => {
    pos.textContent = `${p}.`;
    text.textContent = s;
    n.textContent = t('results.dots', { n: dots });
    fill.style.setProperty('--w', w.toFixed(4));
  };
  return li;
}

/** The ballot ranked by dots (the first `most`); equal dots share a place. Without results, `ballot` in its order. */
export function ranking(box, r, ballot = [], most = 1000) {
  const list = (r ? r.ranking : ballot.map((b) => ({ item_id: b.id, text: b.text, dots: null }))).slice(0, most);
  const top = Math.max(1, ...list.map((x) => x.dots || 0));
  const nodes = keyed(box, list.map((x) => x.item_id), rankRow);
  let place = 0;
  list.forEach((x, i) => {
    if (!i || x.dots !== list[i - 1].dots) place = i + 1;
    const row = nodes.get(x.item_id);
    row.set(r ? place : i + 1, x.text, x.dots || 0, (x.dots || 0) / top);
    row.classList.toggle('no-n', !r);
  });
}
