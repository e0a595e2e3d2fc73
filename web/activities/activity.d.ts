// The shape of an activity module (web/activities/<kind>.js), for the type checker only.

/** What the phone lends an activity's view: its state (read live) and its actions. */
interface PhoneContext {
  /** The current prompt (never null while a view is up). */
  readonly prompt: Prompt & Record<string, any>;
  /** This phone's own answers to it: `poll`, `poll_until`, `scale`, `dots`, `places`. */
  readonly mine: Record<string, any>;
  /** Sends a frame; `ok` or `fail` runs on its answer. False when it cannot be sent now. */
  act(frame: object, ok: (() => void) | null, fail: (() => void) | null): boolean;
  /** Tells the participant (and a screen reader) what happened. */
  say(text: string): void;
  canAnswer(): boolean;
  button(text: string, cls: string, onClick: () => void): HTMLButtonElement;
  /** Puts participant or prompt text into `node`, hyphenated, `lang` set to its language. */
  says(node: HTMLElement, text: string): HTMLElement;
  /** How long after voting a final poll answer may still change (ms). */
  graceMs: number;
  /** The server's clock. */
  now(): number;
  /** The phone's store (participant/store.js): `state.wall`, `state.items`, `state.left`, `liked`. */
  readonly store: { state: Record<string, any>; liked(id: string, yes: boolean): void };
}

/** What the console lends an activity's summary line. */
interface SummaryContext {
  /** A prompt's title by id (the id itself when gone). */
  title(id: string): string;
}

/** One activity kind: everything the three pages need to know of it. */
interface Activity {
  kind: Kind;
  /** Takes texts from phones (the text box, moderation, a wall, per-group answers). */
  items: boolean;
  /** Has results on the wire (a brainstorm's are its items). */
  results: boolean;
  /** Its items go on the projector as cards, in columns if it has them. */
  cards: boolean;
  /** The columns an item may go in. */
  columns(p: Prompt): string[];
  /** How many answered, as the projector and the console both count it. */
  answered(r: Results): number;
  /** Most answers one phone may give (items), or Infinity. */
  answerLimit(p: Prompt): number;
  /** The phone's text box for item kinds. */
  text?: { max: number; rows: number; label: string; short: boolean; hint(given: number, p: Prompt): string };
  /**
   * An order of its items by merit (questions: unanswered first, most votes, oldest), which the
   * projector ranks by and the console offers beside newest first.
   */
  rank?(a: any, b: any): number;
  /** The kind draws the wall itself in its phone view (the phone's wall list stays away). */
  ownWall?: boolean;
  /** Extra fields of a `submit` from the phone's view (a question's optional `name`). */
  submitExtra?(): Record<string, string>;
  /** The phone's answering view: builds into `box`, returns the redraw. */
  phone?(box: HTMLElement, ctx: PhoneContext): () => void;
  /** Whether the phone's view has a countdown to redraw every tick. */
  phoneTicks?(mine: Record<string, any>): boolean;
  /** The results a phone shows under its answer, when it shows them. */
  phoneResults?: { shown(p: Prompt, mine: Record<string, any>): boolean; className: string; draw(box: HTMLElement, p: any, r: any): void };
  /** Rows of its chart on the projector (bars shrink with their number), at most `most`. */
  chartRows(p: Prompt, most: number): number;
  /** Whether its chart is rows of labels that the projector fits into columns. */
  rowChart: boolean;
  /** Draws its results; `words` and `ranked` cap a cloud's words and a ranking's rows. */
  chart(box: HTMLElement, p: any, r: any, cap: { words?: number; ranked?: number }): void;
  /** Its settings, in words, for the console's one-line summary. */
  summary(p: any, ctx: SummaryContext): string[];
  /** The editor: the draft fields it owns, their defaults, and reading them from the form. */
  editor: {
    fields: string[];
    defaults: Record<string, any>;
    /** Its inputs, when the kind builds them rather than having them in control.html. */
    build?(): HTMLElement;
    /** Fills the kind's inputs from `v`; `sources` are the prompts a ballot may come from, [id, label]. */
    fill(v: Record<string, any>, sources?: string[][]): void;
    /** Copies the kind's inputs into `d`; a problem as [string key, input id], else null. */
    read(d: Record<string, any>): [string, string] | null;
  };
}
