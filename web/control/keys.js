// @ts-check
// The console's keyboard shortcuts as a table (like Miniflux's keyboard_handler.js): the
// console names what each key does; this module decides when a key press is a shortcut.

/**
 * Runs `table[key]` for a plain key press (no Ctrl, Cmd or Alt) outside form fields, unless
 * `paused()` (a dialog is open, or the console has no access); the browser's own handling of
 * that key is then prevented. Keys are matched in lower case.
 * @param {Record<string, () => void>} table
 * @param {() => boolean} paused
 */
export function bindKeys(table, paused) {
  addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || paused()) return;
    const target = /** @type {Element} */ (e.target);
    // A checkbox takes only Space: M on a picked item's box is the shortcut.
    if (target.closest && target.closest('input:not([type="checkbox"]), textarea, select, summary')) return;
    const run = table[e.key.toLowerCase()];
    if (!run) return;
    run();
    e.preventDefault();
  });
}
