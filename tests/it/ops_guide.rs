//! The IT team's guide (the top of docs/operations.md) promises that every command it shows is
//! one `scripts/test-package` runs, with the same text. That script needs root and a Debian
//! machine; this check needs neither, so a doc edit that the script does not follow (or the
//! other way round) fails here, on every `cargo test`, before anyone follows a stale command.
//!
//! A block is tested when the line before its opening fence is [`MARKER`]; every non-empty
//! line in it must appear verbatim on one line of the script (the script may wrap it, e.g. in
//! `if $systemd; then …` or `x=$(…)`, but not change it).

use std::fs;
use std::path::Path;

/// What the guide writes right before a block whose every line the script runs.
const MARKER: &str = "<!-- tested by scripts/test-package -->";
/// The guide has this many tested blocks at least (its seven steps); fewer means the markers
/// were lost, and the check would pass on nothing.
const MIN_BLOCKS: usize = 10;

#[test]
fn every_command_in_the_ops_guide_is_run_verbatim_by_test_package() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = fs::read_to_string(root.join("docs/operations.md")).expect("docs/operations.md");
    let script =
        fs::read_to_string(root.join("scripts/test-package")).expect("scripts/test-package");
    let blocks = tested_blocks(&doc);
    assert!(
        blocks.len() >= MIN_BLOCKS,
        "only {} tested blocks in docs/operations.md (each marked {MARKER})",
        blocks.len()
    );
    let missing = missing_lines(&blocks, &script);
    assert!(
        missing.is_empty(),
        "lines of docs/operations.md's tested blocks that scripts/test-package does not run \
         verbatim (change the script to run them, or the guide to show what it runs):\n{}",
        missing.join("\n")
    );
}

/// The check itself can fail: one word changed in a guide's command is reported.
#[test]
fn a_changed_word_in_a_guide_command_is_caught() {
    let script =
        "set -e\nif x; then systemctl restart paja; fi\ncurl -fsS http://127.0.0.1:8080/healthz\n";
    let doc = format!(
        "text\n{MARKER}\n```sh\nsystemctl restart paja\ncurl -fsS http://127.0.0.1:8080/healthz\n```\n"
    );
    assert!(missing_lines(&tested_blocks(&doc), script).is_empty());
    let changed = doc.replace("restart paja", "reload paja");
    assert_eq!(
        missing_lines(&tested_blocks(&changed), script),
        ["systemctl reload paja"]
    );
    let unmarked = doc.replace(MARKER, "");
    assert!(tested_blocks(&unmarked).is_empty());
}

/// The lines of every fenced block right after a [`MARKER`] line, one Vec per block.
fn tested_blocks(doc: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if line.trim() != MARKER {
            continue;
        }
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "{MARKER} must be right before a fenced block, found {fence:?}"
        );
        let block = lines
            .by_ref()
            .take_while(|line| !line.starts_with("```"))
            .filter(|line| !line.trim().is_empty())
            .map(|line| line.trim_end().to_owned())
            .collect();
        blocks.push(block);
    }
    blocks
}

/// The blocks' lines that are on no line of the script.
fn missing_lines(blocks: &[Vec<String>], script: &str) -> Vec<String> {
    blocks
        .iter()
        .flatten()
        .filter(|wanted| !script.lines().any(|line| line.contains(wanted.as_str())))
        .cloned()
        .collect()
}
