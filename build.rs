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
/// exist are named: cargo reruns on every build for a missing one. A branch packed today and
/// loose tomorrow is caught by watching its directory.
fn watch_refs(manifest: &Path) {
    let mut paths = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(reference) = git(manifest, &["symbolic-ref", "-q", "HEAD"]) {
        paths.push(reference);
    }
    for path in paths {
        let args = ["rev-parse", "--path-format=absolute", "--git-path", &path];
        let Some(file) = git(manifest, &args).map(PathBuf::from) else {
            continue;
        };
        let watched = if file.exists() {
            Some(file)
        } else {
            file.parent()
                .filter(|dir| dir.exists())
                .map(Path::to_path_buf)
        };
        if let Some(watched) = watched {
            println!("cargo:rerun-if-changed={}", watched.display());
        }
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
