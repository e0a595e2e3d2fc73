// Types for the type checker only (`tsc -p web`): never served. See web/tsconfig.json.

/**
 * An element the page's own HTML holds by id (`$('e-title')`): the page knows which control it
 * is, so the union of the controls' properties is offered rather than a cast at every read.
 */
type PageElement = HTMLElement &
  Pick<HTMLInputElement, 'value' | 'checked' | 'disabled' | 'placeholder' | 'select' | 'files' | 'maxLength'> &
  Pick<HTMLTextAreaElement, 'rows'> &
  Pick<HTMLDialogElement, 'open' | 'close' | 'showModal'> &
  Pick<HTMLAnchorElement, 'href'> &
  Pick<HTMLImageElement, 'src' | 'alt'>;

/** The limits the server sends in `/assets/limits.js` (made from `session`'s constants). */
interface Limits {
  slug_min: number;
  slug_max: number;
  session_title_max: number;
  item_text_max: number;
  prompt_title_max: number;
  prompt_instructions_max: number;
  time_limit_min_secs: number;
  time_limit_max_secs: number;
  time_limit_max_minutes: number;
  add_time_max_secs: number;
  group_name_max: number;
  poll_grace_ms: number;
  max_columns: number;
  column_name_max: number;
  poll_options_min: number;
  poll_options_max: number;
  option_max: number;
  max_statements: number;
  scale_min: number;
  scale_max: number;
  scale_label_max: number;
  word_cloud_max_answers: number;
  word_cloud_text_max: number;
  max_dots: number;
  matrix_steps: number;
  matrix_label_max: number;
  matrix_end_max: number;
  theme_name_max: number;
  notes_max: number;
  question_text_max: number;
  question_name_max: number;
}
