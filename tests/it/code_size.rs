//! The size rules of issue 12, kept by a test rather than by memory: no Rust file in `src/` or
//! `load/src/` over [`FILE_LINES`] lines and no function over [`FN_LINES`] lines, test code
//! excepted. A file or function past its limit holds more than one concept; split it by concept
//! (as `session/` and `export/activity/` are), don't squeeze it.
//!
//! The scanner is deliberately small: it blanks comments, strings and char literals, then finds
//! `fn` bodies by brace matching. Test code is `tests.rs`, anything under a `tests/` folder,
//! `#[cfg(test)] mod … { … }` blocks and the files of modules declared `#[cfg(test)] mod …;`
//! (test kits, fixtures, checks of the embedded files); none of it counts.

use std::fs;
use std::path::{Path, PathBuf};

/// Most lines a non-test Rust file may have: about what one concept needs with its docs.
const FILE_LINES: usize = 600;
/// Most lines a non-test function may have, from its `fn` line to its closing brace: past this
/// a function does several things, and each wants a name.
const FN_LINES: usize = 80;

#[test]
fn no_file_or_function_is_over_its_limit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "load/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(
        files.len() > 20,
        "the scanner found too few files: {files:?}"
    );
    let scans: Vec<(String, Scan)> = files
        .iter()
        .map(|path| {
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (name, Scan::of(&fs::read_to_string(path).unwrap()))
        })
        .collect();
    // Files of modules declared behind `#[cfg(test)]` (`mod testkit;`) are test code too.
    let test_only: Vec<String> = scans
        .iter()
        .flat_map(|(name, scan)| scan.test_modules.iter().map(move |m| child_prefix(name, m)))
        .collect();
    let mut over = Vec::new();
    for (name, scan) in &scans {
        if is_test_file(name) || test_only.iter().any(|p| name.starts_with(p.as_str())) {
            continue;
        }
        let lines = scan.counted_lines();
        if lines > FILE_LINES {
            over.push(format!("{name}: {lines} lines (limit {FILE_LINES})"));
        }
        for f in scan.functions() {
            let key = format!("{name}::{}", f.name);
            if f.lines > FN_LINES && !f.in_test {
                over.push(format!(
                    "{key} (line {}): {} lines (limit {FN_LINES})",
                    f.start + 1,
                    f.lines
                ));
            }
        }
    }
    assert!(
        over.is_empty(),
        "over the size limits:\n{}",
        over.join("\n")
    );
}

#[test]
fn the_scanner_counts_functions_and_skips_test_blocks() {
    let source = r##"fn short() {
    let s = "} not a brace {";
    let c = '}';
    // } nor this {
}

pub(crate) fn longer<'a>(x: &'a str) -> &'a str {
    /* { */
    let r = r#"{"#;
    x
}

trait T {
    fn declared(&self);
}

#[cfg(test)]
mod tests {
    fn in_test() {
    }
}
"##;
    let scan = Scan::of(source);
    let found: Vec<_> = scan.functions().collect();
    let found: Vec<_> = found
        .iter()
        .map(|f| (f.name.as_str(), f.lines, f.in_test))
        .collect();
    assert_eq!(
        found,
        [
            ("short", 5, false),
            ("longer", 5, false),
            ("in_test", 2, true)
        ]
    );
    // 21 lines, of which the 5 of the test module (its attribute included) do not count.
    assert_eq!(scan.counted_lines(), 16);
}

/// Where the files of module `child`, declared in file `parent`, live: `parent`'s folder (for
/// `mod.rs`, `lib.rs`, `main.rs`) or a folder named as `parent`, then `child.rs` or `child/`.
/// Returned without its ending so that it prefixes both.
fn child_prefix(parent: &str, child: &str) -> String {
    let (dir, file) = parent.rsplit_once('/').unwrap_or(("", parent));
    let stem = file.trim_end_matches(".rs");
    let base = if matches!(stem, "mod" | "lib" | "main") {
        dir.to_string()
    } else {
        format!("{dir}/{stem}")
    };
    format!("{base}/{child}")
}

/// Test files: `tests.rs` anywhere and anything under a `tests/` folder.
fn is_test_file(name: &str) -> bool {
    name.ends_with("/tests.rs") || name.split('/').any(|part| part == "tests")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// One function found: its name, where it starts (0-based line), its length in lines.
struct Function {
    name: String,
    start: usize,
    lines: usize,
    in_test: bool,
}

/// A source file with comments, strings and char literals blanked (newlines kept), so braces
/// and `fn` can be found by plain scanning.
struct Scan {
    code: Vec<u8>,
    /// Line ranges (first, last; 0-based, inclusive) of `#[cfg(test)] mod … { … }` blocks.
    test_blocks: Vec<(usize, usize)>,
    /// Names of modules declared behind `#[cfg(test)]` whose code is in files of their own.
    test_modules: Vec<String>,
    total_lines: usize,
}

impl Scan {
    fn of(source: &str) -> Scan {
        let code = blank(source.as_bytes());
        let total_lines = source.lines().count();
        let mut scan = Scan {
            code,
            test_blocks: Vec::new(),
            test_modules: Vec::new(),
            total_lines,
        };
        (scan.test_blocks, scan.test_modules) = scan.find_test_modules();
        scan
    }

    fn counted_lines(&self) -> usize {
        let test: usize = self.test_blocks.iter().map(|(a, b)| b - a + 1).sum();
        self.total_lines - test
    }

    fn line_of(&self, at: usize) -> usize {
        self.code[..at].iter().filter(|&&b| b == b'\n').count()
    }

    /// The index of the brace closing the one at `open`.
    fn closing(&self, open: usize) -> usize {
        let mut depth = 0usize;
        for (i, &b) in self.code.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
        }
        self.code.len() - 1
    }

    /// The `#[cfg(test)]` modules: inline ones as line ranges, those in files by name.
    fn find_test_modules(&self) -> (Vec<(usize, usize)>, Vec<String>) {
        let text = String::from_utf8_lossy(&self.code);
        let (mut blocks, mut files) = (Vec::new(), Vec::new());
        let mut from = 0;
        while let Some(found) = text[from..].find("#[cfg(test)]") {
            let attr = from + found;
            from = attr + 1;
            let rest = &text[attr + "#[cfg(test)]".len()..];
            let rest_trimmed = rest.trim_start();
            let declared = ["mod ", "pub mod ", "pub(crate) mod "]
                .iter()
                .find_map(|v| rest_trimmed.strip_prefix(v));
            let Some(declared) = declared else {
                continue;
            };
            let after = attr + "#[cfg(test)]".len() + (rest.len() - rest_trimmed.len());
            let (brace, semi) = (text[after..].find('{'), text[after..].find(';'));
            let Some(brace) = brace.filter(|b| semi.is_none_or(|s| *b < s)) else {
                // `mod testkit;`: a file of its own
                let name = declared
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next();
                files.extend(name.map(str::to_string));
                continue;
            };
            let end = self.closing(after + brace);
            blocks.push((self.line_of(attr), self.line_of(end)));
        }
        (blocks, files)
    }

    fn functions(&self) -> impl Iterator<Item = Function> + '_ {
        let code = &self.code;
        let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        (0..code.len().saturating_sub(3)).filter_map(move |i| {
            let keyword = &code[i..i + 3] == b"fn " && (i == 0 || !is_ident(code[i - 1]));
            if !keyword {
                return None;
            }
            let name_start = i + 3;
            let name_len = code[name_start..]
                .iter()
                .take_while(|&&b| is_ident(b))
                .count();
            if name_len == 0 {
                return None; // `fn (` in a type
            }
            let name = String::from_utf8_lossy(&code[name_start..name_start + name_len]);
            // The body is the first `{` before any `;` (a declaration without a body).
            let rest = &code[name_start..];
            let brace = rest.iter().position(|&b| b == b'{' || b == b';')?;
            if rest[brace] != b'{' {
                return None;
            }
            let start = self.line_of(i);
            let end = self.line_of(self.closing(name_start + brace));
            let in_test = self
                .test_blocks
                .iter()
                .any(|(a, b)| (*a..=*b).contains(&start));
            Some(Function {
                name: name.into_owned(),
                start,
                lines: end - start + 1,
                in_test,
            })
        })
    }
}

/// Blanks comments, string literals (plain, byte and raw) and char literals to spaces, keeping
/// newlines so line numbers stay; lifetimes (`'a`) are left alone.
fn blank(src: &[u8]) -> Vec<u8> {
    let mut out = src.to_vec();
    let mut i = 0;
    let wipe = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to.min(src.len())] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < src.len() {
        let b = src[i];
        let next = src.get(i + 1).copied();
        if b == b'/' && next == Some(b'/') {
            let end = src[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(src.len(), |p| i + p);
            wipe(&mut out, i, end);
            i = end;
        } else if b == b'/' && next == Some(b'*') {
            let (mut depth, mut j) = (1, i + 2);
            while j < src.len() && depth > 0 {
                if src[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if src[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            wipe(&mut out, i, j);
            i = j;
        } else if b == b'r'
            && (i == 0 || !is_ident(src[i - 1]) || src[i - 1] == b'b')
            && matches!(next, Some(b'"') | Some(b'#'))
        {
            // A raw string: r"…", r#"…"#, br##"…"## and so on.
            let hashes = src[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if src.get(i + 1 + hashes) != Some(&b'"') {
                i += 1; // `r#ident`
                continue;
            }
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let body = i + 2 + hashes;
            let end = find(&src[body..], &close).map_or(src.len(), |p| body + p + close.len());
            wipe(&mut out, i + 1, end);
            i = end;
        } else if b == b'"' {
            let mut j = i + 1;
            while j < src.len() && src[j] != b'"' {
                j += if src[j] == b'\\' { 2 } else { 1 };
            }
            wipe(&mut out, i, j + 1);
            i = j + 1;
        } else if b == b'\'' {
            // A char literal ('x', '\n', '\u{1F600}', 'ä') or a lifetime ('a).
            let len = if next == Some(b'\\') {
                src[i + 3..].iter().position(|&c| c == b'\'').map(|p| p + 4)
            } else {
                let ch = std::str::from_utf8(&src[i + 1..(i + 5).min(src.len())])
                    .or_else(|e| std::str::from_utf8(&src[i + 1..i + 1 + e.valid_up_to()]))
                    .ok()
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
                (src.get(i + 1 + ch) == Some(&b'\'')).then_some(ch + 2)
            };
            match len {
                Some(len) => {
                    wipe(&mut out, i, i + len);
                    i += len;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
