// @ts-check
// Everything on the projector fits the screen: the question and instructions in a few lines,
// every poll option and dot-vote item at the largest size that fits (then in columns), and the
// wall's cards (screen/wall.js). Results frames come several times a second: a chart whose rows
// still fit keeps its layout.
import { $, lang } from '../common.js';
import { activity } from '../activities/index.js';
import { state } from './store.js';
import { wordsFit } from './wall.js';

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

/**
 * The largest of `sizes` (vh) at which `node` takes at most `lines` lines (else the smallest).
 * @param {HTMLElement} node
 * @param {number[]} sizes
 * @param {number} lines
 */
function fitLines(node, sizes, lines) {
  for (const s of sizes) {
    node.style.setProperty('font-size', `${s}vh`);
    if (node.scrollHeight <= parseFloat(getComputedStyle(node).lineHeight) * lines + 2) return;
  }
}

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
  if (box.hidden || !activity(state.prompt.kind).rowChart) return Infinity;
  const n = Math.max(1, box.children.length);
  const set = (/** @type {number} */ cols, /** @type {number} */ s) => {
    box.style.setProperty('--chart-cols', String(cols));
    box.style.setProperty('--chart-rows', String(Math.ceil(n / cols)));
    box.style.setProperty('--chart-size', `${CHART_SIZES[s]}vh`);
  };
  /** @type {[number, number] | null} */
  let best = null;
  for (let cols = 1; cols <= Math.min(CHART_COLS, n); cols++) {
    let lo = 0;
    let hi = CHART_SIZES.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      set(cols, mid);
      if (chartFits()) hi = mid;
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
 * The stage's fit, once per frame however often it is asked for (`refit`).
 * @param {{ fitCards: () => boolean | void }} wall
 */
export function createFit({ fitCards }) {
  const fitting = {
    /** The animation frame asked for, 0 when none is pending. */
    frame: 0,
    /** What the chart was last fitted for (prompt, screen, rows, texts). */
    chartKey: '',
  };

  /** Lays out the stage: the question and instructions, then the chart or the cards in what is left. */
  function fit() {
    fitting.frame = 0;
    const prompt = state.prompt;
    if (!$('idle').hidden) fitLines($('idle-title'), TITLE_SIZES, TITLE_LINES);
    if ($('live').hidden || !prompt) return;
    const key = [prompt.id, innerWidth, innerHeight, $('chart').children.length, prompt.title, prompt.instructions, lang].join('\n');
    const cards = activity(prompt.kind).cards;
    if (!cards && key === fitting.chartKey && chartFits()) return;
    fitting.chartKey = key;
    // Results before the question: it gives up a few sizes before the labels go below 2.6 vh.
    for (let q = 0; q <= Q_YIELDS; q++) {
      fitLines($('q'), Q_SIZES.slice(q), Q_LINES);
      if (!$('instr').hidden) fitLines($('instr'), I_SIZES, I_LINES);
      // Cards fit at any question size; the by-theme view may ask the question for room.
      if (cards) {
        if (fitCards() !== false) break;
        continue;
      }
      if (fitChart() >= CHART_GOOD) break;
    }
  }

  /** Asks for a fit in the next frame. */
  const refit = () => { fitting.frame ||= requestAnimationFrame(fit); };
  return { refit };
}
