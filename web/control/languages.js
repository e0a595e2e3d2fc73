// @ts-check
// The session's languages (docs/protocol.md, "Prompts in several languages"): the main language
// the questions are written in, and the one the projector stacks under it ("fi + sv"). The
// editor's second language is its own (control/editor.js).
import { $, t, el, onLang } from '../common.js';

const LANGS = ['fi', 'sv', 'en'];

/**
 * Wires the languages panel; `session` reads the session as the server last said.
 * @param {{ request: (message: object, done?: () => void) => void, session: () => any }} console
 */
export function createLanguages({ request, session }) {
  const main = $('l-main');
  const screen = $('l-screen');

  function render() {
    const s = session();
    if (!s) return;
    main.replaceChildren(...LANGS.map((l) => new Option(t(`lang.${l}`), l)));
    main.value = s.language;
    screen.replaceChildren(new Option(t('control.screen_main_only'), ''),
      ...LANGS.filter((l) => l !== s.language).map((l) => new Option(`${t(`lang.${s.language}`)} + ${t(`lang.${l}`)}`, l)));
    screen.value = s.screen_language || '';
  }

  const send = () => {
    const screenLang = screen.value && screen.value !== main.value ? screen.value : null;
    request({ type: 'set_languages', main: main.value, screen: screenLang });
  };
  main.addEventListener('change', send);
  screen.addEventListener('change', send);
  onLang(render);

  return {
    render,
    /** @param {any} m a `languages_changed` frame */
    changed(m) {
      const s = session();
      if (s) {
        s.language = m.language;
        s.screen_language = m.screen_language;
      }
      render();
    },
  };
}

/** The languages other than `main`, for the editor's second-language choice. */
export const others = (/** @type {string} */ main) => LANGS.filter((l) => l !== main);

/** An option element for each language, named in the page's language. */
export const langOptions = (/** @type {string[]} */ langs) => langs.map((l) => el('option', '', t(`lang.${l}`)));
