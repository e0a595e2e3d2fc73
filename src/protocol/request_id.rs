//! The request `id` a client may put on any frame, echoed in the reply as it was sent.
//!
//! A string id is echoed as a string (cut to [`REQUEST_ID_MAX`] characters), an integer id as
//! the same integer: a client that numbers its requests (`{"type":"items","id":3}`) finds its
//! `3` in the reply. Any other JSON value (a float, `true`, `null`, an array, an object) is not
//! an id and the reply has none.

use serde::{Serialize, Serializer};

use super::REQUEST_ID_MAX;

/// A request id as the client sent it: text, or an integer kept as its decimal digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestId {
    /// The string, or the integer's digits.
    text: String,
    /// Whether it was a JSON integer (and is echoed as one).
    number: bool,
}

impl RequestId {
    /// The id a frame's `id` field holds, if it holds one (see the module's doc).
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::String(s) => Some(Self::from(s.as_str())),
            serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => Some(Self {
                text: n.to_string(),
                number: true,
            }),
            _ => None,
        }
    }

    /// The id as text (an integer's decimal digits).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<&str> for RequestId {
    fn from(text: &str) -> Self {
        Self {
            text: text.chars().take(REQUEST_ID_MAX).collect(),
            number: false,
        }
    }
}

impl From<String> for RequestId {
    fn from(text: String) -> Self {
        Self::from(text.as_str())
    }
}

impl std::ops::Deref for RequestId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq<str> for RequestId {
    fn eq(&self, other: &str) -> bool {
        !self.number && self.text == other
    }
}

impl PartialEq<&str> for RequestId {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.number {
            if let Ok(n) = self.text.parse::<i64>() {
                return serializer.serialize_i64(n);
            }
            if let Ok(n) = self.text.parse::<u64>() {
                return serializer.serialize_u64(n);
            }
        }
        serializer.serialize_str(&self.text)
    }
}
