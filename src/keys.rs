//! Secrets: facilitator keys are made, hashed and checked here and nowhere else.
//!
//! A facilitator key is 192 bits from the OS's random source, shown once as 48 hex
//! characters; only its SHA-256 digest is stored (`SessionMeta::key_hash`, hex). Every
//! comparison of a secret (a key against its stored digest, the admin password) runs over
//! SHA-256 digests in constant time, so neither the content nor the length of a guess leaks
//! through timing. A leaf module: it depends on nothing else in Paja, so `http`, `hub` and
//! `session` can all use it without an import circle.

use sha2::{Digest, Sha256};

/// A secret's SHA-256 digest, the form in which keys are kept in memory and compared.
pub type KeyDigest = [u8; 32];

/// Random bytes in a facilitator key: 192 bits, far beyond guessing at any request rate.
const KEY_BYTES: usize = 24;

/// A new facilitator key: 192 bits from the OS's random source, as 48 hex characters.
pub fn new_key() -> String {
    hex(&random_bytes::<KEY_BYTES>())
}

/// `N` bytes from the OS's random source (also the salt of an import's fresh ids).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::fill(&mut bytes).is_err() {
        // Never hand out anything guessable: fall back to v4 UUIDs (also OS randomness).
        for chunk in bytes.chunks_mut(16) {
            let u = uuid::Uuid::new_v4();
            chunk.copy_from_slice(&u.as_bytes()[..chunk.len()]);
        }
    }
    bytes
}

/// The SHA-256 digest of a secret.
pub fn digest(secret: &str) -> KeyDigest {
    Sha256::digest(secret.as_bytes()).into()
}

/// The stored form of a key: its SHA-256 digest in lower-case hex.
pub fn hash_key(key: &str) -> String {
    hex(&digest(key))
}

/// The digest a stored hex hash stands for. Lenient, as it always was: a hash that is not
/// 64 hex digits reads as zeros where it is unreadable, which no key's digest matches in
/// practice (the files are written by Paja itself).
pub fn parse_hash(text: &str) -> KeyDigest {
    let mut out = [0u8; 32];
    for (i, chunk) in text.as_bytes().chunks(2).take(32).enumerate() {
        let s = std::str::from_utf8(chunk).unwrap_or("00");
        out[i] = u8::from_str_radix(s, 16).unwrap_or(0);
    }
    out
}

/// Whether `key` is the key whose digest is `stored`, in constant time.
pub fn verify(stored: &KeyDigest, key: &str) -> bool {
    digests_match(stored, &digest(key))
}

/// Constant-time equality of two secrets (compared as SHA-256 digests, so lengths leak nothing).
pub fn secrets_match(a: &str, b: &str) -> bool {
    digests_match(&digest(a), &digest(b))
}

/// Constant-time equality of two digests: every byte is looked at, whatever differs first.
fn digests_match(a: &KeyDigest, b: &KeyDigest) -> bool {
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_verify_only_themselves() {
        let a = new_key();
        let b = new_key();
        assert_eq!(a.len(), 48);
        assert_ne!(a, b);
        let stored = parse_hash(&hash_key(&a));
        assert!(verify(&stored, &a));
        assert!(!verify(&stored, &b));
        assert!(!verify(&stored, ""));
    }

    #[test]
    fn the_stored_hash_is_sha256_hex_and_reads_back() {
        // printf 'golden-key' | sha256sum
        let hash = hash_key("golden-key");
        assert_eq!(
            hash,
            "62518b7ee254c5426695f549d536d62c3c2374500711c708a970b19a5846b24c"
        );
        assert_eq!(parse_hash(&hash), digest("golden-key"));
        // Unreadable hex reads as zeros rather than failing.
        assert_eq!(parse_hash("zz"), [0u8; 32]);
    }

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(secrets_match("salasana", "salasana"));
        assert!(!secrets_match("salasana", "salasanA"));
        assert!(!secrets_match("salasana", "salasana "));
        assert!(!secrets_match("", "x"));
        assert!(secrets_match("", ""));
    }
}
