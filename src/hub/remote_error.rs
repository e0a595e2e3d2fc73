//! A [`CommandError`] across the network (cluster): the owner sends its wire code and
//! message ([`RemoteError`]); the edge turns them back into a `CommandError` whose `code()`
//! and message are what a single server would have sent the phone.
//!
//! `code()` returns `&'static str` (the connection code and metrics rely on it), so a code
//! that arrives as a `String` is interned: the set of codes is small and fixed by the
//! program, and [`MAX_CODES`] bounds it even against a confused peer.

use std::collections::HashSet;
use std::sync::Mutex;

use super::CommandError;
use crate::cluster::wire::RemoteError;

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
    use crate::session::Rejection;

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
