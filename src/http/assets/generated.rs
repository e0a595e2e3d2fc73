//! Assets made by the server at startup rather than read from `web/`: the limits the client
//! checks, and each page's share of the strings.
//!
//! The client used to copy the server's numbers (280 characters, 2–12 options) by hand, and a
//! phone used to download the facilitator's 140 strings it never shows. Both now come from
//! one source: the `session` constants and `web/i18n/<lang>.json`.

use crate::session as s;

/// The languages the client offers (`web/i18n/<lang>.json`), each split per page.
pub(super) const LANGUAGES: [&str; 3] = ["fi", "sv", "en"];

/// The string namespaces (the part of a key before its first dot) each page uses, by the
/// name in `<html data-strings="…">`; `None` is every namespace. The facilitator's console
/// shows nearly everything, so it loads the whole file; the phone, the projector and the
/// front page load a third of it. `i18n_check` proves every key a page's files use is here.
pub(super) const PAGE_STRINGS: [(&str, Option<&[&str]>); 5] = [
    (
        "participant",
        Some(&["conn", "error", "lang", "participant", "results"]),
    ),
    (
        "screen",
        Some(&["conn", "error", "lang", "results", "screen"]),
    ),
    ("index", Some(&["app", "error", "index", "lang"])),
    (
        "series",
        Some(&["app", "error", "index", "kind", "lang", "series"]),
    ),
    ("control", None),
];

/// Error codes only the console, the start page and the series page can meet (facilitator
/// commands, imports, exports, series, the admin password): the phone's and the projector's
/// strings leave them out, as they are a third of those files. `errorText` shows the generic
/// error for a code it has no string for, so a code listed here by mistake degrades, never breaks.
pub(super) const STAFF_ERRORS: &[&str] = &[
    "unknown_theme",
    "theme_exists",
    "too_many_themes",
    "theme_on_ballot",
    "not_themable",
    "prompt_already_open",
    "prompt_not_draft",
    "invalid_prompt",
    "invalid_key",
    "key_required",
    "slug_taken",
    "invalid_slug",
    "invalid_title",
    "prompt_in_use",
    "no_next_prompt",
    "empty_ballot",
    "invalid_group",
    "group_in_use",
    "invalid_merge",
    "invalid_time",
    "admin_password_required",
    "invalid_admin_password",
    "unknown_prompt",
    "unknown_time_zone",
    "export_failed",
    "invalid_options",
    "draft_not_showable",
    "import_no_file",
    "too_large",
    "invalid_document",
    "wrong_format",
    "unsupported_version",
    "too_many",
    "invalid_id",
    "duplicate_id",
    "dot_vote_source_missing",
    "invalid_state",
    "unknown_group",
    "unknown_participant",
    "unknown_item",
    "invalid_item",
    "invalid_answer",
    "invalid_time_zone",
    "series_not_found",
    "series_taken",
    "series_full",
    "invalid_agenda",
    "not_rehearsing",
];

/// `limits.js`: every bound the client checks before sending, as the server enforces it. The
/// strings name them too (`{max_columns}`), so no text repeats a number either.
pub(super) fn limits_js() -> String {
    let limits = serde_json::json!({
        "slug_min": s::SLUG_MIN,
        "slug_max": s::SLUG_MAX,
        "session_title_max": s::SESSION_TITLE_MAX,
        "item_text_max": s::ITEM_TEXT_MAX,
        "prompt_title_max": s::PROMPT_TITLE_MAX,
        "prompt_instructions_max": s::PROMPT_INSTRUCTIONS_MAX,
        "time_limit_min_secs": s::TIME_LIMIT_MIN_SECS,
        "time_limit_max_secs": s::TIME_LIMIT_MAX_SECS,
        "time_limit_max_minutes": s::TIME_LIMIT_MAX_SECS / 60,
        "add_time_max_secs": s::ADD_TIME_MAX_SECS,
        "group_name_max": s::GROUP_NAME_MAX,
        "poll_grace_ms": s::POLL_GRACE_MS,
        "max_columns": s::MAX_COLUMNS,
        "column_name_max": s::COLUMN_NAME_MAX,
        "poll_options_min": *s::POLL_OPTIONS.start(),
        "poll_options_max": *s::POLL_OPTIONS.end(),
        "option_max": s::OPTION_MAX,
        "max_statements": s::MAX_STATEMENTS,
        "scale_min": *s::SCALE_SIZES.start(),
        "scale_max": *s::SCALE_SIZES.end(),
        "scale_label_max": s::SCALE_LABEL_MAX,
        "word_cloud_max_answers": s::WORDCLOUD_MAX_ANSWERS,
        "word_cloud_text_max": s::WORDCLOUD_TEXT_MAX,
        "max_dots": s::MAX_DOTS,
        "matrix_steps": s::MATRIX_STEPS,
        "matrix_label_max": s::AXIS_LABEL_MAX,
        "matrix_end_max": s::AXIS_END_MAX,
        "theme_name_max": s::THEME_NAME_MAX,
        "notes_max": s::NOTES_MAX,
        "question_text_max": crate::session::QUESTION_TEXT_MAX,
        "question_name_max": crate::session::QUESTION_NAME_MAX,
    });
    format!("export const LIMITS = Object.freeze({limits});\n")
}

/// One page's strings in one language: the keys of `all` (a `web/i18n/<lang>.json`) in the
/// page's namespaces, or `all` itself when the page uses every namespace or `all` is not JSON
/// (the strings check fails the build's tests on that long before).
pub(super) fn page_strings(all: &[u8], namespaces: Option<&[&str]>) -> Vec<u8> {
    let Some(namespaces) = namespaces else {
        return all.to_vec();
    };
    let Ok(map) = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(all) else {
        return all.to_vec();
    };
    // The start and series pages call the HTTP API, whose errors are the staff's.
    let staff = namespaces.contains(&"index");
    let subset: serde_json::Map<_, _> = map
        .into_iter()
        .filter(|(key, _)| match key.split_once('.') {
            Some(("error", code)) if !staff && STAFF_ERRORS.contains(&code) => false,
            Some((ns, _)) => namespaces.contains(&ns),
            None => false,
        })
        .collect();
    serde_json::to_vec(&subset).unwrap_or_else(|_| all.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_the_sessions_own() {
        let js = limits_js();
        let json = js
            .strip_prefix("export const LIMITS = Object.freeze(")
            .and_then(|r| r.strip_suffix(");\n"))
            .unwrap();
        let limits: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(limits["item_text_max"], s::ITEM_TEXT_MAX);
        assert_eq!(limits["poll_options_min"], 2);
        assert_eq!(limits["poll_options_max"], 12);
        assert_eq!(limits["matrix_steps"], s::MATRIX_STEPS);
    }

    #[test]
    fn phones_and_the_projector_get_no_staff_error() {
        let all = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/web/i18n/fi.json")).unwrap();
        let every: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&all).unwrap();
        for code in STAFF_ERRORS {
            assert!(
                every.contains_key(&format!("error.{code}")),
                "{code} has no string"
            );
        }
        for (page, namespaces) in PAGE_STRINGS {
            let strings: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&page_strings(&all, namespaces)).unwrap();
            let public = matches!(page, "participant" | "screen");
            assert_eq!(
                !strings.contains_key("error.invalid_agenda"),
                public,
                "{page}"
            );
            assert!(strings.contains_key("error.generic"), "{page}");
            if page == "participant" {
                for code in [
                    "text_too_long",
                    "prompt_closed",
                    "rate_limited",
                    "not_yours",
                ] {
                    assert!(strings.contains_key(&format!("error.{code}")), "{code}");
                }
            }
        }
    }

    #[test]
    fn a_page_gets_only_its_namespaces() {
        let all = br#"{"a.x":"1","b.y":"2","c.z":"3","nodot":"4"}"#;
        assert_eq!(
            page_strings(all, Some(&["a", "c"])),
            br#"{"a.x":"1","c.z":"3"}"#
        );
        assert_eq!(page_strings(all, None), all);
    }
}
