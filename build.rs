//! Puts the commit a binary was built from into it, so `paja --version` (and an operator's bug
//! report) says exactly which code runs: `PAJA_COMMIT` (a short hash, `+dirty` when the files
//! compiled into the binary differ from that commit) and `PAJA_VERSION` (clap's version line,
//! `0.1.0 (commit abc1234)`, or just `0.1.0` when the commit is unknown).
//!
//! The commit comes from the `PAJA_COMMIT` environment variable when set (a build from a
//! tarball, where there is no `.git`), else from `git` when this directory is the top of a git
//! checkout (a worktree's `.git` is a file; `git` itself resolves it), else it stays unset.
//!
//! Rebuilds: the script reruns when HEAD, the branch it points to or `packed-refs` change, and
//! when the crate's own inputs change (`src/`, `web/`, the manifests) — those recompile the
//! crate anyway, so rerunning here costs one `git status`, and keeps `+dirty` true.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What the binary is compiled from; a change in one of them makes `+dirty` possible.
const INPUTS: [&str; 5] = ["src", "web", "Cargo.toml", "Cargo.lock", "build.rs"];

fn main() {
    println!("cargo:rerun-if-env-changed=PAJA_COMMIT");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = match std::env::var("PAJA_COMMIT") {
        Ok(commit) if !commit.trim().is_empty() => Some(commit.trim().to_owned()),
        _ => from_git(&manifest),
    };
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    match commit {
        Some(commit) => {
            println!("cargo:rustc-env=PAJA_COMMIT={commit}");
            println!("cargo:rustc-env=PAJA_VERSION={version} (commit {commit})");
        }
        None => println!("cargo:rustc-env=PAJA_VERSION={version}"),
    }
}

/// The short hash of HEAD, with `+dirty` when an input differs from it; `None` outside a git
/// checkout of this very directory (e.g. a tarball unpacked inside someone's home repository).
fn from_git(manifest: &Path) -> Option<String> {
    let top = git(manifest, &["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(manifest).ok()? {
        return None;
    }
    watch_refs(manifest);
    for input in INPUTS {
        println!("cargo:rerun-if-changed={input}");
    }
    let short = git(manifest, &["rev-parse", "--short", "HEAD"])?;
    let mut status = vec!["--no-optional-locks", "status", "--porcelain"];
    status.extend(["--untracked-files=no", "--"]);
    status.extend(INPUTS);
    let dirty = git(manifest, &status).is_some_and(|changes| !changes.is_empty());
    Some(if dirty {
        format!("{short}+dirty")
    } else {
        short
    })
}

/// `rerun-if-changed` on HEAD, the ref it names and `packed-refs`, wherever the git directory
/// is (a worktree keeps HEAD in its own directory and the refs in the main one). Only paths that
/// exist are named: cargo reruns on every build for a missing one. A branch that is only in
/// `packed-refs` is watched there and through its folder (`refs/heads/`), where its next commit
/// writes it; never the whole git directory, which changes with every object written.
fn watch_refs(manifest: &Path) {
    let git_path = |name: &str| {
        let args = ["rev-parse", "--path-format=absolute", "--git-path", name];
        git(manifest, &args).map(PathBuf::from)
    };
    let mut watched = Vec::new();
    watched.extend(git_path("HEAD"));
    watched.extend(git_path("packed-refs"));
    if let Some(reference) = git(manifest, &["symbolic-ref", "-q", "HEAD"]) {
        if let Some(file) = git_path(&reference) {
            let folder = file.parent().map(Path::to_path_buf);
            watched.extend(if file.exists() { Some(file) } else { folder });
        }
    }
    for path in watched.into_iter().filter(|path| path.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// `git args` run in `dir`: its trimmed output, or `None` when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8(output.stdout).ok()?.trim().to_owned())
}
