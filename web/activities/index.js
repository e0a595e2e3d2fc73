// @ts-check
// The activity registry: one line per kind. The pages ask it instead of testing `kind`, so a
// new kind is one module beside these plus its line here (and its strings). Modules load on
// demand: a phone fetches only the kind it is answering, so a new kind costs it nothing.

/** @type {Record<string, () => Promise<{default: Activity}>>} */
const LOADERS = {
  brainstorm: () => import('./brainstorm.js'),
  poll: () => import('./poll.js'),
  scale: () => import('./scale.js'),
  word_cloud: () => import('./word_cloud.js'),
  dot_vote: () => import('./dot_vote.js'),
  matrix: () => import('./matrix.js'),
  questions: () => import('./questions.js'),
};

/** Every kind this client knows, in the editor's order. */
export const KINDS = Object.keys(LOADERS);

/** The modules loaded so far, by kind. */
/** @type {Record<string, Activity>} */
const loaded = {};

/**
 * Stands in for a kind while its module loads (or for a kind this client does not know): takes
 * no answers and draws nothing, so a page renders a quiet prompt rather than guessing.
 * @type {Activity}
 */
const PENDING = {
  kind: 'brainstorm',
  items: false,
  results: false,
  cards: false,
  columns: () => [],
  answered: () => 0,
  answerLimit: () => Infinity,
  chartRows: () => 0,
  rowChart: false,
  chart: () => {},
  summary: () => [],
  editor: { fields: [], defaults: {}, fill: () => {}, read: () => null },
};

/** The module of `kind` if loaded, else the stand-in. */
export const activity = (/** @type {string | null} */ kind) => (kind && loaded[kind]) || PENDING;

/** Whether `kind`'s module is loaded (or will never be: an unknown kind). */
export const ready = (/** @type {string} */ kind) => !!loaded[kind] || !LOADERS[kind];

/** Loads `kind`'s module (once). */
export async function load(/** @type {string} */ kind) {
  if (!loaded[kind] && LOADERS[kind]) loaded[kind] = (await LOADERS[kind]()).default;
  return activity(kind);
}

/** Every loaded module. */
export const all = () => Object.values(loaded);

/** Loads every kind: for the console and the projector, which show them all. */
export const loadAll = () => Promise.all(Object.keys(LOADERS).map(load));
