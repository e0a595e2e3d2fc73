//! The `paja` binary as the Debian package runs it: `--version` names the commit (build.rs),
//! the admin password comes from a file and stays out of `ps`, and the package's environment
//! file (`deploy/debian/paja.env`) documents every setting `paja serve` reads.

use std::process::Command;

use serde_json::json;

use crate::support::{http, Paja};

/// `paja --version` is `paja 0.1.0 (commit <short hash>)`, the hash HEAD's when this is a git
/// checkout (`+dirty` after it when the sources differ from HEAD).
#[test]
fn the_version_names_the_commit() {
    let output = Command::new(env!("CARGO_BIN_EXE_paja"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(output.status.success());
    let line = String::from_utf8(output.stdout).unwrap();
    let prefix = concat!("paja ", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(prefix), "{line}");
    let head = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    let Ok(head) = head.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()) else {
        eprintln!("git is missing: the commit is not compared");
        return;
    };
    if head.is_empty() || std::env::var_os("PAJA_COMMIT").is_some() {
        eprintln!("not a git checkout, or PAJA_COMMIT is set: the commit is not compared");
        return;
    }
    let shown = line
        .trim()
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix(" (commit "))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no commit in {line:?}"));
    assert_eq!(shown.trim_end_matches("+dirty"), head, "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_password_file_guards_creation_and_stays_out_of_ps() {
    let data = tempfile::tempdir().unwrap();
    let secret = data.path().join("admin-password");
    std::fs::write(&secret, "vain-tiedostossa-7\n").unwrap();
    let paja = Paja::spawn(
        &data.path().join("data"),
        &["--admin-password-file", secret.to_str().unwrap()],
    );
    let create = |password: &str| json!({"slug":"tiedosto","title":"T","admin_password":password});
    let response = http(paja.addr, "POST", "/api/sessions", &[], Some(&create("x"))).await;
    assert_eq!(response.status, 403, "{}", response.text());
    // The trailing newline is not part of the password.
    let body = create("vain-tiedostossa-7");
    let response = http(paja.addr, "POST", "/api/sessions", &[], Some(&body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", paja.child.id())).unwrap();
    let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    assert!(cmdline.contains("--admin-password-file"), "{cmdline}");
    assert!(!cmdline.contains("vain-tiedostossa"), "{cmdline}");
}

#[test]
fn an_unreadable_password_file_stops_the_start_naming_it() {
    let data = tempfile::tempdir().unwrap();
    let missing = data.path().join("ei-ole");
    let output = Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .env("PAJA_ADMIN_PASSWORD_FILE", &missing)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let named = format!("--admin-password-file: {}", missing.display());
    assert!(stderr.contains(&named), "{stderr}");
    // Both ways at once is a mistake, not a precedence rule to remember.
    let output = Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["--admin-password", "a", "--admin-password-file"])
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

/// Every `PAJA_…` variable `paja serve --help` names is in the package's environment file
/// (commented, with its default), so a new flag cannot ship undocumented there.
#[test]
fn the_environment_file_names_every_setting() {
    let output = Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    let env_file = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/debian/paja.env");
    let env_file = std::fs::read_to_string(env_file).unwrap();
    let names: Vec<&str> = help
        .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .filter(|word| word.starts_with("PAJA_"))
        .collect();
    assert!(names.contains(&"PAJA_ADMIN_PASSWORD_FILE"), "{help}");
    let missing: Vec<&&str> = names
        .iter()
        .filter(|name| !env_file.contains(&format!("{name}=")))
        .collect();
    assert!(
        missing.is_empty(),
        "not in deploy/debian/paja.env: {missing:?}"
    );
}
