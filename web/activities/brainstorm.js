// @ts-check
// Brainstorm: short texts from phones, in columns if the facilitator names them; the
// projector shows them as cards. No results on the wire: its items are its results.
import { $, t, lines } from '../common.js';
import { LIMITS } from '../limits.js';

/** @type {Activity} */
export default {
  kind: 'brainstorm',
  items: true,
  results: false,
  cards: true,
  columns: (p) => ('columns' in p && p.columns) || [],
  answered: () => 0,
  answerLimit: () => Infinity,
  text: { max: LIMITS.item_text_max, rows: 3, label: 'participant.your_answer', short: false, hint: () => t('participant.hint') },
  chartRows: () => 0,
  rowChart: false,
  chart: () => {},
  summary: (p) => (p.columns.length ? [t('control.s_columns', { list: p.columns.join(' | ') })] : []),
  editor: {
    fields: ['columns'],
    defaults: { columns: [] },
    fill(v) {
      $('e-columns').value = (v.columns || []).join('\n');
    },
    read(d) {
      d.columns = lines('e-columns');
      d.reset_column = $('e-reset-col').checked;
      return d.columns.length > LIMITS.max_columns ? ['control.columns_invalid', 'e-columns'] : null;
    },
  },
};
