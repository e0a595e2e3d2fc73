// @ts-check
// Questions to the speaker (Q&A) on the phone: ask (with an optional name when the prompt takes
// names), upvote the others' questions (a like), sorted Top or Newest; own ones marked, answered
// ones below the rest and marked. The list never re-sorts under a reader's thumb: while it is
// touched or the page scrolled (and IDLE_MS after), counts change in place and new questions
// wait behind a "N new questions" button; the re-sort comes when idle, each row sliding from
// where it was (FLIP; none under prefers-reduced-motion). Rows reuse the wall's styles (app.css).
import { LIMITS } from '../limits.js';

// The phone's view on the phone page, the console's editor of the setting elsewhere (as
// matrix.js loads its views).
const onPhone = document.documentElement.dataset.strings === 'participant';
const phoneView = onPhone ? await import('./questions_phone.js') : null;
const views = onPhone ? null : await import('./questions_views.js');

/**
 * Unanswered first, most votes, oldest first: the projector's order and the console's "Top".
 * @param {any} a @param {any} b
 */
export const rank = (a, b) => (!!a.answered === !!b.answered ? 0 : a.answered ? 1 : -1)
  || b.likes - a.likes || a.created_at - b.created_at || a.seq - b.seq;

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
    label: 'participant.your_answer',
    short: false,
    hint: () => '',
  },
  ownWall: true,
  rank,
  submitExtra: () => (phoneView ? phoneView.submitExtra() : {}),
  phone: (box, ctx) => (phoneView ? phoneView.phone(box, ctx) : () => {}),
  chartRows: () => 0,
  rowChart: false,
  chart: () => {},
  summary: (p) => (views ? views.summary(p) : []),
  editor: {
    fields: ['names'],
    defaults: { names: false },
    build: views ? views.build : undefined,
    fill: (v) => views && views.fill(v),
    read: (d) => (views ? views.read(d) : null),
  },
};
