// The wire contract as the web client reads it: a hand-written mirror of docs/protocol.md
// (and the Rust types in src/protocol), checked against the scripts by `tsc -p web`
// (tests/it/browser.rs). Types only: never served. When a frame or field changes on the
// server, change it here too and the type check shows every script that must follow.

/** Milliseconds since the Unix epoch, on the server's clock. */
type Millis = number;

/** The activity kinds; each has its module in web/activities/ and a line in its registry. */
type Kind = 'brainstorm' | 'poll' | 'scale' | 'word_cloud' | 'dot_vote' | 'matrix' | 'questions';

/** Who sees results besides the facilitator. */
type ShowResults = 'live' | 'after_close' | 'hidden';

/** What every prompt has, whatever its kind. */
interface PromptCommon {
  id: string;
  title: string;
  instructions: string;
  time_limit_secs: number | null;
  auto_close: boolean;
  per_group: boolean;
  premoderation: boolean;
  wall: boolean;
  show_results: ShowResults;
  reset_column?: boolean;
  state: 'draft' | 'open' | 'closed';
  locked: boolean;
  created_at: Millis;
  opened_at: Millis | null;
  closed_at: Millis | null;
  closes_at: Millis | null;
  /** The prompt's texts in the session's other languages (docs/protocol.md, "Prompts in several languages"); absent when none. */
  translations?: Partial<Record<Lang, PromptTranslation>>;
}

/** A UI and prompt language. */
type Lang = 'fi' | 'sv' | 'en';

/** A prompt's texts in one other language; each absent (or `""`) when not given. */
interface PromptTranslation {
  title?: string;
  instructions?: string;
  options?: string[];
  statements?: string[];
  min_label?: string;
  max_label?: string;
  columns?: string[];
  x?: { label?: string; low?: string; high?: string };
  y?: { label?: string; low?: string; high?: string };
}

/** Each kind's own settings (docs/protocol.md, "Activity fields"). */
/** A brainstorm's named heading for its items, made by the facilitator (docs/protocol.md, "Themes"). */
interface Theme { id: string; name: string }
interface BrainstormFields {
  kind: 'brainstorm';
  columns: string[];
  /** The facilitator's themes in their order; absent when none. */
  themes?: Theme[];
  /** The projector lays the prompt out by theme; absent when off. */
  by_theme?: boolean;
}
interface PollFields { kind: 'poll'; options: string[]; multiple: boolean; may_change: boolean }
interface ScaleFields { kind: 'scale'; statements: string[]; max: number; min_label: string; max_label: string }
interface WordCloudFields { kind: 'word_cloud'; max_answers: number }
interface DotVoteFields {
  kind: 'dot_vote';
  source: string;
  /** What the dots go on (absent: items); with `themes` the ballot holds theme ids. */
  vote_on?: 'items' | 'themes';
  dots: number;
  max_per_item: number;
  ballot?: string[];
  ballot_items?: { id: string; text: string }[];
}
type ActivityFields = BrainstormFields | PollFields | ScaleFields | WordCloudFields | DotVoteFields | MatrixFields;

/** A prompt as sent in `welcome` and the prompt events. */
type Prompt = PromptCommon & ActivityFields & ThemeFields;

/** A prompt's derived numbers, tagged by kind (brainstorms have none on the wire). */
type Results =
  | { kind: 'poll'; voters: number; counts: number[] }
  | { kind: 'scale'; statements: { counts: number[]; n: number; mean: number | null }[] }
  | { kind: 'word_cloud'; participants: number; words: { text: string; count: number }[] }
  | { kind: 'dot_vote'; voters: number; ranking: { item_id: string; text: string; dots: number }[] }
  | MatrixResults;

/** An item (a brainstorm's or word cloud's answer) as the role may see it. */
interface Item {
  id: string;
  prompt_id: string;
  text: string;
  created_at: Millis;
  seq: number;
  column?: number;
  group?: string;
  hidden: boolean;
  approved: boolean;
  starred: boolean;
  merged_into?: string;
  /** The theme it is in (a duplicate: its root's); absent when none. */
  theme?: string;
  merged: number;
  likes: number;
  edited: boolean;
  /** Facilitator only. */
  history?: { text: string; at: Millis }[];
  /** Facilitator only. */
  author?: string;
  /** Its theme's id (a merged duplicate: its root's); absent when none. */
  theme?: string;
}

/** A small group or theme table. */
interface Group { id: string; name: string; color: string | null; translations?: Partial<Record<Lang, string>> }

/** What the projector shows. */
type ScreenView = { kind: 'follow' } | { kind: 'join' } | { kind: 'prompt'; prompt_id: string };

/** `welcome.session`. */
interface SessionView {
  slug: string; title: string; language: Lang; screen_language?: Lang;
  /** A rehearsal: every view says so (absent: live). */
  rehearsal?: boolean;
  /** The seq of the last rehearsal reset: a phone that knew the session before drops its unsent texts. */
  last_reset?: number;
}

type Role = 'participant' | 'facilitator' | 'screen';

/** The answer to `hello` and the resync after lag: everything the role may see now. */
interface Welcome {
  type: 'welcome';
  protocol: number;
  role: Role;
  seq: number;
  server_time: Millis;
  session: SessionView;
  prompt: Prompt | null;
  screen?: ScreenView;
  prompts?: Prompt[];
  groups: Group[];
  items: Item[];
  /** Facilitator: older items were left out; fetch those with a `seq` below it with `items`. */
  items_before?: number;
  results: Record<string, Results>;
  participants?: number;
  /** Facilitator only: notes by prompt id, absent when none. */
  notes?: Record<string, string>;
}

/** A page of the facilitator's older items, the answer to `{"type":"items","before":…}`. */
interface ItemsPage {
  type: 'items';
  id?: string | number;
  items: Item[];
  /** Still older ones remain: the next request's `before`. */
  items_before?: number;
}

/** Frames from the server (the ones the client reads; see docs/protocol.md for all fields). */
type ServerMessage =
  | Welcome
  | ItemsPage
  | { type: 'resumed'; seq: number; server_time: Millis }
  | { type: 'ack'; id: string; seq?: number }
  | { type: 'error'; id?: string; code: string; message: string }
  | { type: 'pong' }
  | { type: 'presence'; participants: number; groups: Record<string, number> }
  | { type: 'results'; prompt_id: string; results: Results }
  | { type: 'prompt_added' | 'prompt_updated' | 'prompt_opened' | 'prompt_closed'; seq: number; prompt: Prompt }
  | { type: 'prompt_deleted'; seq: number; prompt_id: string }
  | { type: 'agenda_reordered'; seq: number; order: string[] }
  | { type: 'groups_changed'; seq: number; groups: Group[] }
  | { type: 'screen_changed'; seq: number; view: ScreenView }
  | { type: 'item_added' | 'item_updated' | 'item_unhidden'; seq: number; item: Item }
  | { type: 'item_hidden' | 'item_removed'; seq: number; item_id: string }
  | { type: 'item_erased'; seq: number; item_id: string }
  | NotesChanged
  | LanguagesChanged;

/** `GET /api/sessions/{slug}/suggestions?prompt=…`: groups of unthemed items sharing a stem. */
interface Suggestions { prompt: string; suggestions: { label: string; items: string[] }[] }

// --- The matrix (2×2) activity: its settings, its results, its phone's frames and `mine`. ---

/** One axis of a matrix: its name and the words at its ends ("" when none). */
interface MatrixAxis { label: string; low: string; high: string }

/** A matrix's settings: the ballot comes from `source` as a dot vote's does. */
interface MatrixFields {
  kind: 'matrix';
  source: string;
  x: MatrixAxis;
  y: MatrixAxis;
  ballot?: string[];
  ballot_items?: { id: string; text: string }[];
}

/** Each ballot item's mean position (1..5 on each axis) and population sd; null when nobody placed it. */
interface MatrixResults {
  kind: 'matrix';
  participants: number;
  items: { item_id: string; text: string; n: number; x: number | null; y: number | null; sx: number | null; sy: number | null }[];
}

/** A phone places an item (again: moves it) or takes it off. */
type MatrixAction =
  | { type: 'place'; id: string; prompt_id: string; item_id: string; x: number; y: number }
  | { type: 'unplace'; id: string; prompt_id: string; item_id: string };

/** `welcome.mine.places`: this phone's placements, item id → [x, y]. */
interface MatrixMine { places?: Record<string, [number, number]> }

// --- Themes, moved items and notes (docs/protocol.md, "Themes, moving items and notes"). ---

/** A brainstorm's heading for sorting its items; `id` is made by the console. */
interface Theme { id: string; name: string }

/** A brainstorm's themes in order, and whether the projector lays it out by them. */
interface ThemeFields { themes?: Theme[]; by_theme?: boolean }

/** Facilitator only: a prompt's notes changed (`""`: none). */
interface NotesChanged { type: 'notes_changed'; seq: number; prompt: string; notes: string }

/** The session was put in rehearsal or made live again (every role). */
interface RehearsalChanged { type: 'rehearsal'; seq: number; on: boolean }

/** A rehearsal was reset: every client starts over from a fresh page (every role). */
interface SessionReset { type: 'session_reset'; seq: number }

/** What the console sends for the rehearsal (each with an `id` and acked). */
type RehearsalAction =
  | { type: 'set_rehearsal'; id: string; on: boolean }
  | { type: 'reset_rehearsal'; id: string };

/** What the console sends to sort a brainstorm (each with an `id` and acked). */
type ThemeAction =
  | { type: 'add_theme'; id: string; prompt: string; theme: string; name: string; items?: string[] }
  | { type: 'rename_theme'; id: string; prompt: string; theme: string; name: string }
  | { type: 'merge_themes'; id: string; prompt: string; from: string; into: string }
  | { type: 'remove_theme'; id: string; prompt: string; theme: string }
  | { type: 'move_theme'; id: string; prompt: string; theme: string; to: number }
  | { type: 'set_item_theme'; id: string; items: string[]; theme: string | null }
  | { type: 'move_item'; id: string; item: string; column?: number; group?: string | null }
  | { type: 'set_notes'; id: string; prompt: string; notes: string }
  | { type: 'show_by_theme'; id: string; prompt: string; on: boolean };

/** Everyone: the session's main language or the projector's second language changed. */
interface LanguagesChanged { type: 'languages_changed'; seq: number; language: Lang; screen_language?: Lang }

/** What the console sends for the session's languages (acked; docs/protocol.md, "Prompts in several languages"). */
type LanguagesAction = { type: 'set_languages'; id: string; main: Lang; screen?: Lang | null };
