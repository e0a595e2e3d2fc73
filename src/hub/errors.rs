//! Why a command did not take effect ([`CommandError`]), and how such an error crosses the
//! network in a cluster: the owner sends its wire code and message ([`RemoteError`]); the
//! edge turns them back into a `CommandError` whose `code()` and message are what a single
//! server would have sent the phone.
//!
//! `code()` returns `&'static str` (the connection code and metrics rely on it), so a code
//! that arrives as a `String` is interned: the set of codes is small and fixed by the
//! program, and [`MAX_CODES`] bounds it even against a confused peer.

use std::collections::HashSet;
use std::sync::Mutex;

use crate::cluster::wire::RemoteError;
use crate::session::Rejection;

/// Why a command did not take effect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The session's rules refused it.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// It could not be written to disk; nothing changed, try again later.
    #[error("the server could not save this right now; try again")]
    Storage,
    /// The session is shutting down.
    #[error("the server is restarting; try again in a moment")]
    Unavailable,
    /// A write failed and reading the session back from disk failed too: rather than serve
    /// a state the disk does not hold, the session takes no more changes until a restart.
    #[error("the server could not save and could not read this session back from disk; it takes no changes until the server is restarted (see the server log)")]
    ReadOnly,
    /// Refused by the node that owns the session (cluster): its code and message as that
    /// node said them, so a phone on any node hears what a single server would say.
    #[error("{message}")]
    Remote {
        /// The wire code (one of the codes above, interned: see `remote_error.rs`).
        code: &'static str,
        /// The message.
        message: String,
    },
}

impl CommandError {
    /// The wire code.
    pub fn code(&self) -> &'static str {
        match self {
            CommandError::Rejected(r) => r.code(),
            CommandError::Storage => "storage_unavailable",
            CommandError::Unavailable => "unavailable",
            CommandError::ReadOnly => "read_only",
            CommandError::Remote { code, .. } => code,
        }
    }
}

/// Most distinct codes interned; any further one reads as `unavailable`.
const MAX_CODES: usize = 256;

/// Codes seen so far (leaked once each, never freed: bounded by [`MAX_CODES`]).
static CODES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);

/// `code` as a `&'static str`.
fn intern(code: &str) -> &'static str {
    let Ok(mut codes) = CODES.lock() else {
        return "unavailable";
    };
    let codes = codes.get_or_insert_with(HashSet::new);
    if let Some(known) = codes.get(code) {
        return known;
    }
    if codes.len() >= MAX_CODES {
        return "unavailable";
    }
    let leaked: &'static str = Box::leak(code.to_owned().into_boxed_str());
    codes.insert(leaked);
    leaked
}

impl From<&CommandError> for RemoteError {
    fn from(error: &CommandError) -> Self {
        RemoteError {
            code: error.code().to_owned(),
            message: error.to_string(),
        }
    }
}

impl From<RemoteError> for CommandError {
    fn from(error: RemoteError) -> Self {
        // The node-local errors keep their own variants (and so their own handling).
        match error.code.as_str() {
            "unavailable" => CommandError::Unavailable,
            "storage_unavailable" => CommandError::Storage,
            "read_only" => CommandError::ReadOnly,
            code => CommandError::Remote {
                code: intern(code),
                message: error.message,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rejection relayed through another node reaches the phone with the same code and
    /// message as on a single server.
    #[test]
    fn a_relayed_error_keeps_its_code_and_message() {
        for error in [
            CommandError::Rejected(Rejection::TextTooLong { max: 280 }),
            CommandError::Rejected(Rejection::PromptClosed),
            CommandError::Storage,
            CommandError::Unavailable,
            CommandError::ReadOnly,
        ] {
            let wire: RemoteError = (&error).into();
            let json = serde_json::to_string(&wire).unwrap();
            let back = CommandError::from(serde_json::from_str::<RemoteError>(&json).unwrap());
            assert_eq!(back.code(), error.code());
            assert_eq!(back.to_string(), error.to_string());
        }
    }

    #[test]
    fn codes_are_interned_once() {
        let a = intern("some_code");
        let b = intern(&String::from("some_code"));
        assert!(std::ptr::eq(a, b));
    }
}
