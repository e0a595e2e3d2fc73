//! Stop words: the little words that carry no topic ("ja", "och", "the"), per language.
//!
//! Short lists of the commonest function words (conjunctions, pronouns, auxiliaries,
//! particles), from Snowball's stop lists trimmed to what short seminar answers contain. A
//! word is matched folded and unstemmed; a list of fifty is scanned faster than it is hashed.

use super::Lang;

/// Finnish function words.
const FI: &[&str] = &[
    "ei", "eivät", "eli", "en", "ennen", "entä", "et", "ette", "että", "hän", "he", "ja", "jo",
    "joka", "jos", "jota", "jotka", "kanssa", "kuin", "kun", "me", "mikä", "mitä", "mutta", "myös",
    "ne", "niin", "nyt", "ole", "olla", "on", "ovat", "se", "sekä", "sen", "siis", "sitä", "tai",
    "tämä", "te", "vaan", "vai", "vain", "voi", "yms",
];

/// Swedish function words.
const SV: &[&str] = &[
    "alla", "att", "av", "de", "dem", "den", "det", "du", "där", "efter", "eller", "en", "ett",
    "för", "från", "har", "hon", "han", "i", "inte", "jag", "med", "men", "mot", "man", "när",
    "och", "om", "på", "sig", "som", "så", "till", "under", "upp", "ut", "vara", "vi", "vid", "är",
    "åt", "över",
];

/// English function words.
const EN: &[&str] = &[
    "a", "about", "all", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has",
    "have", "in", "into", "is", "it", "its", "more", "not", "of", "on", "or", "our", "so", "than",
    "that", "the", "their", "them", "they", "this", "to", "too", "was", "we", "were", "what",
    "when", "which", "who", "will", "with", "you",
];

/// Whether a folded word is a stop word of `lang`.
pub fn is_stop(word: &str, lang: Lang) -> bool {
    let list = match lang {
        Lang::Fi => FI,
        Lang::Sv => SV,
        Lang::En => EN,
    };
    list.contains(&word)
}
