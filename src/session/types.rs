//! Newtypes that validate when parsed, so an invalid value cannot exist past the edge.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Rejection;

/// Milliseconds since the Unix epoch, as given by the caller (the state machine has no clock).
pub type Millis = u64;

/// Shortest session name accepted, in characters.
pub const SLUG_MIN: usize = 3;
/// Longest session name accepted, in characters: short enough to type on a phone.
pub const SLUG_MAX: usize = 32;

/// Path segments the service uses itself; a session may not take them as its name.
pub const RESERVED_SLUGS: &[&str] = &[
    "api",
    "ws",
    "assets",
    "static",
    "admin",
    "healthz",
    "readyz",
    "metrics",
    "new",
    "join",
    "control",
    "screen",
    "export",
    "login",
    "logout",
    "help",
    "about",
    "docs",
    "www",
    "favicon-ico",
    "robots-txt",
];

/// A session's short name, as typed by participants: `hyvinsivi` in `/hyvinsivi`.
///
/// 3–32 characters of `a–z`, `0–9` and `-`, not starting or ending with `-`, and not one of
/// [`RESERVED_SLUGS`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SessionName(String);

/// Why a session name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    /// Outside 3–32 characters.
    #[error("the session name must be 3–32 characters long")]
    Length,
    /// A character other than a–z, 0–9 and `-`, or a leading/trailing `-`.
    #[error("the session name may only hold a–z, 0–9 and '-' (not first or last)")]
    Characters,
    /// A name the service uses for its own paths.
    #[error("that name is reserved by the service")]
    Reserved,
}

impl SessionName {
    /// Parses a session name, refusing anything a URL path or a participant could trip over.
    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        let len = raw.chars().count();
        if !(SLUG_MIN..=SLUG_MAX).contains(&len) {
            return Err(SlugError::Length);
        }
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok_chars || raw.starts_with('-') || raw.ends_with('-') {
            return Err(SlugError::Characters);
        }
        if RESERVED_SLUGS.contains(&raw) {
            return Err(SlugError::Reserved);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A series' name (`hyvinsivi-2018` in `/series/hyvinsivi-2018`): the same rules as a
/// session name, in a namespace of its own (series live apart from sessions on disk and in URLs).
pub type SeriesName = SessionName;

/// Longest template reference a prompt may carry, in characters: a template prompt's id
/// (`p12`) with room to spare.
pub const TEMPLATE_REF_MAX: usize = 40;

impl<'de> Deserialize<'de> for SessionName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for SessionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// UI language of a session; participants may switch their own view. Ordered (fi, sv, en)
/// so that it keys a prompt's translations.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Finnish, the default: Paja's first users are Finnish public-sector seminars.
    #[default]
    Fi,
    /// Swedish, Finland's second national language.
    Sv,
    /// English.
    En,
}

/// The stemmer's language is the session's: word clouds and suggestions group in it.
impl From<Language> for crate::text::Lang {
    fn from(language: Language) -> Self {
        match language {
            Language::Fi => crate::text::Lang::Fi,
            Language::Sv => crate::text::Lang::Sv,
            Language::En => crate::text::Lang::En,
        }
    }
}

/// The session's time zone, an IANA name the bundled database knows (`Europe/Helsinki`, the
/// default: Paja's first seminars are Finnish). Exports show times in it; the live views
/// show each device's own clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

/// The session's time zone unless its facilitator chose another.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Helsinki";

/// A time zone name that is not in the database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {0:?} (use an IANA name such as Europe/Helsinki)")]
pub struct UnknownTimeZone(pub String);

impl TimeZoneName {
    /// Accepts an IANA name the bundled database knows.
    pub fn parse(name: &str) -> Result<Self, UnknownTimeZone> {
        let name = name.trim();
        match jiff::tz::TimeZone::get(name) {
            Ok(_) => Ok(TimeZoneName(name.to_owned())),
            Err(_) => Err(UnknownTimeZone(name.to_owned())),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        TimeZoneName(DEFAULT_TIME_ZONE.to_owned())
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = UnknownTimeZone;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        TimeZoneName::parse(&name)
    }
}

impl From<TimeZoneName> for String {
    fn from(name: TimeZoneName) -> String {
        name.0
    }
}

/// An anonymous participant: a UUID made on the device and kept in its localStorage.
///
/// It is a bearer identity (whoever knows it sees that participant's items), so it never goes
/// on the wire to anyone else: others see only its [`ParticipantId::pseudonym`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ParticipantId(pub Uuid);

impl ParticipantId {
    /// A short, stable, non-reversible name for exports and the facilitator's view:
    /// `p-1a2b3c4d5e`. Salted with the session's name, so the same phone in two sessions gets
    /// two unrelated pseudonyms and exports cannot be linked.
    pub fn pseudonym(&self, session: &SessionName) -> String {
        let mut hasher = Sha256::new();
        hasher.update(session.as_str().as_bytes());
        hasher.update([0u8]);
        hasher.update(self.0.as_bytes());
        let digest = hasher.finalize();
        let mut out = String::with_capacity(12);
        out.push_str("p-");
        for b in &digest[..5] {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }
}

/// Identifies a prompt within its session: `p1`, `p2`, … in order of creation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PromptId(pub String);

impl fmt::Display for PromptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Identifies an item; made by the participant's device so that a resend is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemId(pub Uuid);

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Identifies a group within its session: `g1`, `g2`, … in order of creation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupId(pub String);

/// An earlier text of an edited item, kept for the record and the exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// The text before the edit.
    pub text: String,
    /// When it was replaced.
    pub at: Millis,
}

/// Longest item, in characters after trimming: a tweet's worth, one idea per item.
pub const ITEM_TEXT_MAX: usize = 280;
/// Longest prompt title, in characters.
pub const PROMPT_TITLE_MAX: usize = 500;
/// Longest prompt instructions, in characters.
pub const PROMPT_INSTRUCTIONS_MAX: usize = 2000;
/// Longest session title, in characters.
pub const SESSION_TITLE_MAX: usize = 200;
/// Shortest time box, in seconds.
pub const TIME_LIMIT_MIN_SECS: u32 = 10;
/// Longest time box, in seconds (three hours: a whole afternoon's group work).
pub const TIME_LIMIT_MAX_SECS: u32 = 3 * 60 * 60;

/// Trims, drops control characters other than line breaks and tabs, and checks the length.
///
/// Returns the cleaned text, or [`Rejection::TextEmpty`] / [`Rejection::TextTooLong`].
pub fn clean_text(raw: &str, max: usize) -> Result<String, Rejection> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    let cleaned = cleaned.trim();
    let len = cleaned.chars().count();
    if len == 0 {
        return Err(Rejection::TextEmpty);
    }
    if len > max {
        return Err(Rejection::TextTooLong { max });
    }
    Ok(cleaned.to_owned())
}

/// Formats ms since the epoch as ISO 8601 in UTC with milliseconds: `2018-05-24T07:15:02.123Z`.
pub fn iso8601(ms: Millis) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        ms % 1000
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(SessionName::parse("hyvinsivi").is_ok());
        assert!(SessionName::parse("a-1").is_ok());
        assert_eq!(SessionName::parse("ab"), Err(SlugError::Length));
        assert_eq!(SessionName::parse(&"a".repeat(33)), Err(SlugError::Length));
        assert_eq!(SessionName::parse("Hyvin"), Err(SlugError::Characters));
        assert_eq!(SessionName::parse("-abc"), Err(SlugError::Characters));
        assert_eq!(SessionName::parse("abc-"), Err(SlugError::Characters));
        assert_eq!(SessionName::parse("äiti"), Err(SlugError::Characters));
        assert_eq!(SessionName::parse("a/b"), Err(SlugError::Characters));
        assert_eq!(SessionName::parse("api"), Err(SlugError::Reserved));
        assert_eq!(SessionName::parse("assets"), Err(SlugError::Reserved));
    }

    #[test]
    fn text_is_trimmed_and_bounded_in_characters_not_bytes() {
        assert_eq!(clean_text("  moi \n", 280).unwrap(), "moi");
        assert_eq!(clean_text("a\u{0}b", 280).unwrap(), "ab");
        assert_eq!(clean_text(" \n\t ", 280), Err(Rejection::TextEmpty));
        let ae = "ä".repeat(280);
        assert_eq!(clean_text(&ae, 280).unwrap(), ae);
        assert_eq!(
            clean_text(&"ä".repeat(281), 280),
            Err(Rejection::TextTooLong { max: 280 })
        );
    }

    #[test]
    fn pseudonym_is_stable_per_session_and_hides_the_id() {
        let p = ParticipantId(Uuid::nil());
        let a = SessionName::parse("aamu").unwrap();
        let b = SessionName::parse("ilta").unwrap();
        assert_eq!(p.pseudonym(&a), p.pseudonym(&a));
        assert_ne!(p.pseudonym(&a), p.pseudonym(&b));
        assert_eq!(p.pseudonym(&a).len(), 12);
        assert!(!p.pseudonym(&a).contains("0000"));
    }

    #[test]
    fn iso8601_known_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_527_146_102_123), "2018-05-24T07:15:02.123Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(4_107_542_399_999), "2100-02-28T23:59:59.999Z");
    }

    #[test]
    fn time_zones_are_checked_names_helsinki_by_default() {
        assert_eq!(TimeZoneName::default().as_str(), "Europe/Helsinki");
        assert_eq!(
            TimeZoneName::parse(" Europe/Stockholm ").unwrap().as_str(),
            "Europe/Stockholm"
        );
        assert!(TimeZoneName::parse("Europe/Espoo").is_err());
        assert!(TimeZoneName::parse("").is_err());
        // Snapshots written before sessions had one load as Helsinki; a bad name never loads.
        let meta: crate::store::format::MetaV1 = serde_json::from_str(
            r#"{"slug":"vanha","title":"t","language":"fi","created_at":0,"key_hash":"00"}"#,
        )
        .unwrap();
        assert_eq!(meta.time_zone, TimeZoneName::default());
        assert!(serde_json::from_str::<TimeZoneName>(r#""Mars/Base""#).is_err());
    }
}
