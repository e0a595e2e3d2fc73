//! Every UI string comes from `web/i18n/<lang>.json`, and every language has all of them.
//!
//! The checks read the embedded files (a test in `assets` keeps them equal to `web/`): the
//! languages' key sets, the keys that pages and scripts use, and text that would reach the
//! screen without going through the strings. Each check is a function returning its findings,
//! so the last tests can show that a violation is caught.

use std::collections::{BTreeMap, BTreeSet};

use super::generated::LANGUAGES;
use super::FILES;

/// Attributes that put text on the screen or in a screen reader, with the `data-i18n-*`
/// attribute that translates each (`None`: nothing translates it, so it must not be used).
const TEXT_ATTRIBUTES: [(&str, Option<&str>); 4] = [
    ("placeholder", Some("data-i18n-placeholder")),
    ("aria-label", Some("data-i18n-aria-label")),
    ("title", None),
    ("alt", Some("data-i18n-alt")),
];

/// Script sinks whose string argument reaches the screen as it is.
const SCRIPT_SINKS: [&str; 8] = [
    "textContent =",
    "textContent +=",
    "innerText =",
    "innerHTML =",
    "placeholder =",
    "confirm(",
    "alert(",
    "prompt(",
];

fn file(name: &str) -> &'static str {
    let (_, _, bytes) = FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} is not embedded"));
    std::str::from_utf8(bytes).unwrap()
}

fn strings(lang: &str) -> BTreeMap<String, String> {
    let name = format!("i18n/{lang}.json");
    let values: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(file(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    values
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            other => panic!("{name}: {k} is not a string: {other}"),
        })
        .collect()
}

fn web_files(ext: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    FILES
        .iter()
        .filter(move |(n, _, _)| n.ends_with(ext))
        .map(|(n, _, _)| (*n, file(n)))
}

/// Keys missing from a language (present in another) and empty values.
fn key_set_problems(languages: &[(&str, BTreeMap<String, String>)]) -> Vec<String> {
    let all: BTreeSet<&String> = languages.iter().flat_map(|(_, s)| s.keys()).collect();
    let mut problems = Vec::new();
    for (lang, strings) in languages {
        for key in &all {
            match strings.get(*key) {
                None => problems.push(format!("{lang}.json has no {key}")),
                Some(v) if v.trim().is_empty() => {
                    problems.push(format!("{lang}.json: {key} is empty"))
                }
                Some(_) => {}
            }
        }
    }
    problems
}

/// The namespaces of the keys (`control` in `control.open`): a script literal shaped like a
/// key in one of them is taken to be a key.
fn namespaces(keys: &BTreeMap<String, String>) -> BTreeSet<&str> {
    keys.keys()
        .filter_map(|k| k.split_once('.'))
        .map(|(ns, _)| ns)
        .collect()
}

/// Whether `s` looks like a key: `ns.rest` (lowercase, digits, underscores).
fn key_shaped(s: &str, namespaces: &BTreeSet<&str>, rest_may_be_empty: bool) -> bool {
    let Some((ns, rest)) = s.split_once('.') else {
        return false;
    };
    namespaces.contains(ns)
        && (rest_may_be_empty || !rest.is_empty())
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Whitespace collapsed, for comparing a page's fallback text with the Finnish string.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One tag's name and attributes; `tag` is the text between `<` and `>`.
fn parse_tag(tag: &str) -> (String, Vec<(String, String)>) {
    let tag = tag.trim_end_matches('/');
    let b = tag.as_bytes();
    let mut i = 0;
    while i < b.len() && !b[i].is_ascii_whitespace() {
        i += 1;
    }
    let name = tag[..i].to_ascii_lowercase();
    let mut attributes = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        let attribute = tag[start..i].to_ascii_lowercase();
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i];
                let from = i + 1;
                i = from;
                while i < b.len() && b[i] != quote {
                    i += 1;
                }
                value = tag[from..i.min(b.len())].to_owned();
                i += 1;
            } else {
                let from = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = tag[from..i].to_owned();
            }
        }
        attributes.push((attribute, value));
    }
    (name, attributes)
}

/// A page's unknown keys, words outside `data-i18n` elements, untranslated text attributes,
/// and fallback texts that differ from the Finnish strings.
fn page_problems(page: &str, html: &str, fi: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut html = html.to_owned();
    while let Some(start) = html.find("<!--") {
        let end = html[start..]
            .find("-->")
            .map_or(html.len(), |e| start + e + 3);
        html.replace_range(start..end, "");
    }
    let b = html.as_bytes();
    // The open element whose text `data-i18n` replaces: its name and key.
    let mut translated: Option<(String, String)> = None;
    let mut i = 0;
    while i < b.len() {
        let lt = html[i..].find('<').map_or(b.len(), |p| i + p);
        let text = &html[i..lt];
        match &translated {
            Some((name, key)) => {
                if let Some(finnish) = fi.get(key) {
                    if collapse(text) != collapse(finnish) {
                        problems.push(format!(
                            "{page}: <{name} data-i18n=\"{key}\"> says {:?}, fi.json {finnish:?}",
                            collapse(text)
                        ));
                    }
                }
            }
            // Numbers and punctuation (`0/280`) are not words to translate.
            None if text.chars().any(char::is_alphabetic) => {
                problems.push(format!("{page}: hard-coded text {:?}", collapse(text)));
            }
            None => {}
        }
        if lt >= b.len() {
            break;
        }
        // The tag's end, skipping quoted attribute values.
        let mut gt = lt + 1;
        let mut quote = None;
        while gt < b.len() {
            match (quote, b[gt]) {
                (None, b'>') => break,
                (None, q @ (b'"' | b'\'')) => quote = Some(q),
                (Some(q), c) if c == q => quote = None,
                _ => {}
            }
            gt += 1;
        }
        let tag = &html[lt + 1..gt.min(b.len())];
        i = gt + 1;
        if tag.starts_with('!') {
            continue;
        }
        if let Some(closing) = tag.strip_prefix('/') {
            let closing = closing.trim().to_ascii_lowercase();
            if translated
                .as_ref()
                .is_some_and(|(name, _)| *name == closing)
            {
                translated = None;
            }
            continue;
        }
        let (name, attributes) = parse_tag(tag);
        if let Some((parent, key)) = &translated {
            problems.push(format!(
                "{page}: <{parent} data-i18n=\"{key}\"> holds <{name}>, which its text replaces"
            ));
        }
        let attribute = |a: &str| attributes.iter().find(|(n, _)| n == a).map(|(_, v)| v);
        for (a, key) in &attributes {
            if a.starts_with("data-i18n") && !fi.contains_key(key) {
                problems.push(format!("{page}: {a}=\"{key}\" is not a key"));
            }
        }
        for (a, translator) in TEXT_ATTRIBUTES {
            let Some(value) = attribute(a) else { continue };
            match translator.and_then(attribute) {
                Some(key) if fi.get(key).is_some_and(|f| collapse(f) != collapse(value)) => {
                    problems.push(format!("{page}: {a}={value:?} differs from fi {key}"));
                }
                Some(_) => {}
                None if !value.trim().is_empty() => {
                    problems.push(format!("{page}: {a}={value:?} is not translated"));
                }
                None => {}
            }
        }
        if name == "script" || name == "style" {
            let end = format!("</{name}");
            i = html[i..].find(&end).map_or(b.len(), |p| i + p);
        } else if let Some(key) = attribute("data-i18n") {
            translated = Some((name, key.clone()));
        }
    }
    problems
}

/// A string literal in a script: where it is, and its text with each `${…}` as `\u{1}`.
struct Literal {
    start: usize,
    end: usize,
    text: String,
}

/// The string literals of a script (nested ones in `${…}` too), and the script with comments
/// and literals blanked out, so code around a literal can be read without being misled.
fn literals(src: &str) -> (Vec<Literal>, String) {
    fn literal(b: &[u8], start: usize, out: &mut Vec<Literal>) -> usize {
        let quote = b[start];
        let mut text = Vec::new();
        let mut j = start + 1;
        while j < b.len() {
            match b[j] {
                b'\\' => {
                    text.extend(b.get(j + 1));
                    j += 2;
                }
                c if c == quote => {
                    j += 1;
                    break;
                }
                b'$' if quote == b'`' && b.get(j + 1) == Some(&b'{') => {
                    text.push(1);
                    j = code(b, j + 2, out, true);
                }
                c => {
                    text.push(c);
                    j += 1;
                }
            }
        }
        out.push(Literal {
            start,
            end: j,
            text: String::from_utf8_lossy(&text).into_owned(),
        });
        j
    }
    /// Code from `i`; inside `${…}` it stops after the closing brace.
    fn code(b: &[u8], mut i: usize, out: &mut Vec<Literal>, nested: bool) -> usize {
        let mut depth = 0;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i += 2;
                    while i < b.len() && !b[i..].starts_with(b"*/") {
                        i += 1;
                    }
                    i += 2;
                }
                b'\'' | b'"' | b'`' => i = literal(b, i, out),
                b'{' => {
                    depth += 1;
                    i += 1;
                }
                b'}' if nested && depth == 0 => return i + 1,
                b'}' => {
                    depth -= 1;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        i
    }
    let b = src.as_bytes();
    let mut out = Vec::new();
    code(b, 0, &mut out, false);
    out.sort_by_key(|l| l.start);
    let mut masked = b.to_vec();
    for l in &out {
        for m in &mut masked[l.start + 1..l.end.saturating_sub(1).max(l.start + 1)] {
            *m = b' ';
        }
    }
    // Comments too: blank everything from `//` or `/*` outside literals.
    let mut i = 0;
    while i + 1 < masked.len() {
        if masked[i] == b'\\' {
            i += 2;
            continue;
        }
        if masked[i] == b'/' && masked[i + 1] == b'/' {
            while i < masked.len() && masked[i] != b'\n' {
                masked[i] = b' ';
                i += 1;
            }
        } else if masked[i] == b'/' && masked[i + 1] == b'*' {
            while i + 1 < masked.len() && !(masked[i] == b'*' && masked[i + 1] == b'/') {
                masked[i] = b' ';
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    // Multi-byte characters were inside literals or comments, so blanking kept it UTF-8;
    // lossy conversion only guards against a stray byte.
    (out, String::from_utf8_lossy(&masked).into_owned())
}

/// Which argument (0-based) of which call the literal at `at` is, reading the masked source
/// backwards to the unmatched `(`.
fn call_argument(masked: &str, at: usize) -> Option<(&str, usize)> {
    let b = masked.as_bytes();
    let mut depth = 0usize;
    let mut commas = 0;
    let mut i = at;
    while i > 0 {
        i -= 1;
        match b[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' if depth > 0 => depth -= 1,
            b'(' => {
                let name_end = masked[..i].trim_end().len();
                let name_start = masked[..name_end]
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                    .map_or(0, |p| p + 1);
                return Some((&masked[name_start..name_end], commas));
            }
            b'[' | b'{' | b';' => return None,
            b',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    None
}

/// A script's unknown keys and literal text sent straight to the screen.
fn script_problems(script: &str, js: &str, keys: &BTreeMap<String, String>) -> Vec<String> {
    let namespaces = namespaces(keys);
    let (literals, masked) = literals(js);
    let mut problems = Vec::new();
    for (n, l) in literals.iter().enumerate() {
        let before = masked[..l.start].trim_end();
        // Keys: exact, or a template's fixed beginning (`kind.${p.kind}`).
        match l.text.split_once('\u{1}') {
            Some((prefix, _))
                if key_shaped(prefix, &namespaces, true)
                    && !keys.keys().any(|k| k.starts_with(prefix)) =>
            {
                problems.push(format!("{script}: no key starts with {prefix:?}"));
            }
            None if key_shaped(&l.text, &namespaces, false) && !keys.contains_key(&l.text) => {
                problems.push(format!("{script}: {:?} is not a key", l.text));
            }
            _ => {}
        }
        if before.ends_with("errorText(") && !keys.contains_key(&format!("error.{}", l.text)) {
            problems.push(format!(
                "{script}: errorText({:?}) has no error.{0}",
                l.text
            ));
        }
        // Hard-coded text: letters in a literal that goes to the screen as it is.
        if !l.text.chars().any(char::is_alphabetic) {
            continue;
        }
        let to_screen = SCRIPT_SINKS.iter().any(|s| before.ends_with(s))
            || (n > 0
                && literals[n - 1].text == "aria-label"
                && masked[literals[n - 1].end..l.start].trim() == ","
                && masked[..literals[n - 1].start]
                    .trim_end()
                    .ends_with("setAttribute("))
            || call_argument(&masked, l.start) == Some(("el", 2));
        if to_screen {
            problems.push(format!("{script}: hard-coded text {:?}", l.text));
        }
    }
    problems
}

/// The keys (or, for templates, the fixed beginnings of keys) that a script's literals name.
fn script_keys(js: &str, namespaces: &BTreeSet<&str>) -> Vec<String> {
    literals(js)
        .0
        .into_iter()
        .filter_map(|l| match l.text.split_once('\u{1}') {
            Some((prefix, _)) if key_shaped(prefix, namespaces, true) => Some(prefix.to_owned()),
            None if key_shaped(&l.text, namespaces, false) => Some(l.text),
            _ => None,
        })
        .collect()
}

/// The web files a page loads: the page, then its module and everything imported from it.
fn page_files(page: &'static str) -> Vec<&'static str> {
    let mut out = vec![page];
    let mut i = 0;
    while i < out.len() {
        let name = out[i];
        i += 1;
        for (other, _, _) in FILES.iter().filter(|(n, _, _)| n.ends_with(".js")) {
            let text = file(name);
            let named = if name.ends_with(".html") {
                text.contains(&format!("\"/assets/{other}\""))
            } else {
                text.contains(&format!("'{}'", super::relative(name, other)))
            };
            if named && !out.contains(other) {
                out.push(other);
            }
        }
    }
    out
}

/// Keys a page's files use that its share of the strings (`PAGE_STRINGS`) leaves out. An
/// activity module serves all three pages: its `control.*` keys are its editor's and
/// summary's, which only the console calls, and its `participant.*` keys its phone view's, so
/// only the page of that name needs them.
fn page_share_problems(keys: &BTreeMap<String, String>) -> Vec<String> {
    let namespaces = namespaces(keys);
    let mut problems = Vec::new();
    for (page, share) in super::generated::PAGE_STRINGS {
        let Some(share) = share else { continue };
        let html = format!("{page}.html");
        let files = page_files(
            FILES
                .iter()
                .find(|(n, _, _)| *n == html)
                .map_or("", |f| f.0),
        );
        for name in files {
            let text = file(name);
            let used: Vec<String> = if name.ends_with(".html") {
                text.split("data-i18n")
                    .skip(1)
                    .filter_map(|rest| rest.split('"').nth(1))
                    .map(str::to_owned)
                    .collect()
            } else {
                script_keys(text, &namespaces)
            };
            for key in used {
                let ns = key.split('.').next().unwrap_or_default();
                if name.starts_with("activities/")
                    && ["control", "participant"].contains(&ns)
                    && ns != page
                {
                    continue;
                }
                if !share.contains(&ns) {
                    problems.push(format!("{name} ({page}'s strings): {key} is not loaded"));
                }
            }
        }
    }
    problems
}

fn assert_none(problems: Vec<String>) {
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_language_has_every_key() {
    let languages: Vec<_> = LANGUAGES.iter().map(|&l| (l, strings(l))).collect();
    assert_none(key_set_problems(&languages));
}

/// `keys` with the server's bounds filled in where a string names one (`{max_columns}`), as
/// the client shows them (`t` in common.js): the pages' fallback texts say the numbers.
fn with_limits(mut keys: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let js = super::generated::limits_js();
    let json = js
        .split_once('(')
        .and_then(|(_, rest)| rest.rsplit_once(')'))
        .map_or("{}", |(json, _)| json);
    let limits: BTreeMap<String, serde_json::Value> = serde_json::from_str(json).unwrap();
    for text in keys.values_mut() {
        for (name, value) in &limits {
            *text = text.replace(&format!("{{{name}}}"), &value.to_string());
        }
    }
    keys
}

#[test]
fn pages_take_every_text_from_the_strings() {
    let fi = with_limits(strings("fi"));
    assert!(fi["control.options"].contains("(2–12)"));
    let problems = web_files(".html")
        .flat_map(|(name, html)| page_problems(name, html, &fi))
        .collect();
    assert_none(problems);
}

#[test]
fn scripts_use_only_keys_that_exist_and_no_literal_text() {
    let fi = strings("fi");
    let problems = web_files(".js")
        .flat_map(|(name, js)| script_problems(name, js, &fi))
        .collect();
    assert_none(problems);
}

#[test]
fn each_page_loads_every_string_its_files_use() {
    assert!(page_files("participant.html").contains(&"common.js"));
    assert_none(page_share_problems(&strings("fi")));
}

#[test]
fn the_checks_catch_violations() {
    let keys: BTreeMap<String, String> = [("a.x", "Yksi"), ("a.y", "Kaksi"), ("kind.poll", "K")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let mut partial = keys.clone();
    partial.remove("a.y");
    partial.insert("a.x".into(), " ".into());
    let found = key_set_problems(&[("fi", keys.clone()), ("sv", partial)]);
    assert_eq!(found, ["sv.json: a.x is empty", "sv.json has no a.y"]);

    let page = |html: &str| page_problems("t.html", html, &keys);
    assert_none(page(
        "<!doctype html><p data-i18n=\"a.x\">Yksi</p> <!-- note --><input \
         data-i18n-placeholder=\"a.y\" placeholder=\"Kaksi\"><script>x = 'y'</script>",
    ));
    assert_eq!(page("<main><p>Tervetuloa</p></main>").len(), 1);
    assert_eq!(page("<p data-i18n=\"a.z\">Yksi</p>").len(), 1);
    assert_eq!(page("<p data-i18n=\"a.x\">One</p>").len(), 1);
    assert!(!page("<p data-i18n=\"a.x\">Yksi <b>!</b></p>").is_empty());
    assert_eq!(page("<input placeholder=\"Nimi\">").len(), 1);
    assert_eq!(page("<div aria-label=\"Kieli\"></div>").len(), 1);
    assert_eq!(page("<img alt=\"Logo\">").len(), 1);

    let script = |js: &str| script_problems("t.js", js, &keys);
    assert_none(script(
        "// t('a.nope') in a comment\nt('a.x'); t(`kind.${p.kind}`); el('p', 'a-b', `${n}.`);\n\
         s.replace(/^.*\\//, ''); e.textContent = ''; f(`${h ? `${h}:` : ''}`, \"a.y\");",
    ));
    assert_eq!(script("t('a.nope')").len(), 1);
    assert_eq!(
        script("t(`a.${x}`); t(`nope.${x}`); t(`kind.x${y}`)").len(),
        1
    );
    assert_eq!(script("x = `${t(\"a.nope\")}`").len(), 1);
    assert_eq!(script("e.textContent = 'Hei';").len(), 1);
    assert_eq!(script("li.append(el('span', 'c', 'Hei'))").len(), 1);
    assert_eq!(script("b.setAttribute('aria-label', `Hei ${n}`)").len(), 1);
    assert_eq!(script("errorText('network')").len(), 1);
}
