//! Secrets read from files (`--admin-password-file`, `--metrics-token-file`): a value on the
//! command line is visible to every user in `ps` and `/proc/<pid>/cmdline`, a file readable
//! only by the service is not (systemd's `LoadCredential=`, or a root-owned 0600 file).

use std::path::Path;

/// Largest secret file read, in bytes: a password or token, not a document.
pub const SECRET_FILE_MAX_BYTES: u64 = 4096;

/// Why a secret file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Larger than [`SECRET_FILE_MAX_BYTES`], or not UTF-8, or empty after trimming.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The secret in `path`: its contents without the trailing newline(s) an editor or
/// `echo` leaves (`\n` or `\r\n`); other whitespace is kept, as it may be part of the secret.
pub fn read_secret_file(path: &Path) -> Result<String, SecretError> {
    let shown = path.display().to_string();
    let io = |source| SecretError::Io {
        path: shown.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > SECRET_FILE_MAX_BYTES {
        return Err(SecretError::Invalid {
            path: shown,
            reason: "larger than 4 KiB; not a password or token file",
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|_| SecretError::Invalid {
        path: shown.clone(),
        reason: "not UTF-8 text",
    })?;
    let secret = text.trim_end_matches(['\n', '\r']);
    if secret.is_empty() {
        return Err(SecretError::Invalid {
            path: shown,
            reason: "empty",
        });
    }
    Ok(secret.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_file_loses_its_trailing_newline_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        std::fs::write(&path, " sala sana \r\n").unwrap();
        assert_eq!(read_secret_file(&path).unwrap(), " sala sana ");
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            read_secret_file(&path),
            Err(SecretError::Invalid { .. })
        ));
        std::fs::write(&path, vec![b'x'; 5000]).unwrap();
        assert!(matches!(
            read_secret_file(&path),
            Err(SecretError::Invalid { .. })
        ));
        assert!(matches!(
            read_secret_file(&dir.path().join("missing")),
            Err(SecretError::Io { .. })
        ));
    }
}
