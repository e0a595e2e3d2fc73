// @ts-check
// Word cloud: up to three short answers per phone; the results are the normalised words with
// their counts, drawn as a cloud.
import { $, t } from '../common.js';
import { LIMITS } from '../limits.js';
import * as draw from '../results.js';

/** @type {Activity} */
export default {
  kind: 'word_cloud',
  items: true,
  results: true,
  cards: false,
  columns: () => [],
  answered: (r) => ('participants' in r ? r.participants : 0),
  answerLimit: (p) => ('max_answers' in p ? p.max_answers : Infinity),
  text: {
    max: LIMITS.word_cloud_text_max,
    rows: 1,
    label: 'participant.your_word',
    short: true,
    hint: (given, p) => t('participant.used', { n: given, max: 'max_answers' in p ? p.max_answers : 0 }),
  },
  phoneResults: { shown: () => true, className: 'cloud', draw: (box, p, r) => draw.cloud(box, r, 40) },
  chartRows: () => 0,
  rowChart: false,
  chart: (box, p, r, cap) => draw.cloud(box, r, cap.words),
  summary: (p) => [t('control.s_answers', { n: p.max_answers })],
  editor: {
    fields: ['max_answers'],
    defaults: { max_answers: 3 },
    fill(v) {
      $('e-answers').value = String(v.max_answers || 3);
    },
    read(d) {
      d.max_answers = Number($('e-answers').value);
      return null;
    },
  },
};
