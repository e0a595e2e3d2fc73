// @ts-check
// The facilitator's notes on the selected prompt (issue 14): a text box under the prompt's head,
// opened and closed with its button, saved with `set_notes` a second after typing stops and
// when the box is left, its state in words (saving, saved). What the server holds comes back
// in the welcome (so a reload or reconnect shows it) and in `notes_changed`; a box being typed
// in keeps its text until that text is saved.
import { $, t } from '../common.js';
import * as store from './store.js';

const { state, sel } = store;

/** How long typing must pause before the notes are saved (ms): a save per pause, not per key. */
const SAVE_AFTER_MS = 1000;

/**
 * Wires the notes box and returns its redraw and the handler of `notes_changed`.
 * @param {{ request: (message: object, done?: () => void) => void }} console
 */
export function createNotes({ request }) {
  const box = /** @type {HTMLTextAreaElement} */ (/** @type {unknown} */ ($('notes')));
  const notes = {
    /** The prompt whose notes the box holds. */
    prompt: /** @type {string | null} */ (null),
    /** Typed but not yet acknowledged by the server. */
    dirty: false,
    /** The pending save. */
    timer: 0,
    /** Saves on their way. */
    sending: 0,
  };

  /** @param {'saving' | 'saved' | 'unsaved' | ''} what the state line */
  const say = (what) => { $('notes-state').textContent = what ? t(`control.notes_${what}`) : ''; };

  /** Sends the box's text, if it changed, for the prompt it holds. */
  function save() {
    clearTimeout(notes.timer);
    notes.timer = 0;
    const id = notes.prompt;
    if (!notes.dirty || !id) return;
    const text = box.value;
    notes.dirty = false;
    notes.sending++;
    say('saving');
    request({ type: 'set_notes', prompt: id, notes: text }, () => {
      notes.sending--;
      store.setNotes(id, text);
      if (!notes.sending && !notes.dirty && notes.prompt === id) say('saved');
      renderToggle();
    });
  }

  /** The button says whether the selected prompt has notes. */
  function renderToggle() {
    const p = sel();
    const has = !!p && !!(state.notes[p.id] || '').trim();
    $('notes-toggle').classList.toggle('has-notes', has);
    $('notes-toggle').textContent = t(has ? 'control.notes_some' : 'control.notes');
  }

  /** Shows the selected prompt's notes (a box with unsaved text is saved first). */
  function render() {
    const p = sel();
    $('notes-toggle').hidden = !p;
    if (notes.prompt !== (p ? p.id : null)) {
      save();
      notes.prompt = p ? p.id : null;
      notes.dirty = false;
      say('');
    }
    if (p && !notes.dirty && !notes.sending && box.value !== (state.notes[p.id] || '')) box.value = state.notes[p.id] || '';
    renderToggle();
  }

  /**
   * The server's notes of a prompt (this console's save, or another console's).
   * @param {string} id
   * @param {string} text
   */
  function changed(id, text) {
    store.setNotes(id, text);
    if (id === notes.prompt && !notes.dirty && !notes.sending) box.value = text;
    renderToggle();
  }

  /**
   * A fresh welcome: saves whose acks the old connection lost are sent again (the same text
   * twice changes nothing), unless the server already holds that text.
   */
  function resync() {
    if (!notes.sending) return;
    notes.sending = 0;
    if (notes.prompt && box.value !== (state.notes[notes.prompt] || '')) {
      notes.dirty = true;
      save();
    } else say('saved');
  }

  /** @param {boolean} open the box shown or not */
  function show(open) {
    $('notes-box').hidden = !open;
    $('notes-toggle').setAttribute('aria-expanded', String(open));
  }

  box.addEventListener('input', () => {
    notes.dirty = true;
    say('unsaved');
    clearTimeout(notes.timer);
    notes.timer = setTimeout(save, SAVE_AFTER_MS);
  });
  box.addEventListener('blur', save);
  $('notes-toggle').addEventListener('click', () => {
    const open = $('notes-box').hidden !== false;
    show(open);
    if (open) box.focus();
  });

  return { render, changed, resync };
}
