//! Sheet names Excel accepts: at most 31 UTF-16 units, none of `[]:*?/\`, no leading or
//! trailing apostrophe, never "History", and unique without regard to case.

/// Excel's limit on a sheet name, in UTF-16 code units.
const SHEET_NAME_MAX: usize = 31;
/// Characters Excel refuses in a sheet name.
const SHEET_NAME_FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// Sheet names handed out so far, so none repeats (Excel compares them case-insensitively).
#[derive(Default)]
pub(super) struct SheetNames {
    taken: Vec<String>,
}

impl SheetNames {
    /// A valid, unused sheet name made from `wanted`: the characters Excel refuses become
    /// spaces, control characters go, and a name past 31 UTF-16 units is cut with `…`.
    pub(super) fn claim(&mut self, wanted: &str) -> String {
        let base = sheet_name(wanted);
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name.to_lowercase()) || name.eq_ignore_ascii_case("history") {
            let suffix = format!(" ({n})");
            name = format!("{}{suffix}", cut(&base, SHEET_NAME_MAX - suffix.len()));
            n += 1;
        }
        self.taken.push(name.to_lowercase());
        name
    }
}

/// `wanted` as a sheet name Excel accepts (not yet checked for uniqueness).
fn sheet_name(wanted: &str) -> String {
    let cleaned: String = wanted
        .chars()
        .map(|c| {
            if SHEET_NAME_FORBIDDEN.contains(&c) || c.is_whitespace() {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = if collapsed.encode_utf16().count() > SHEET_NAME_MAX {
        format!("{}…", cut(&collapsed, SHEET_NAME_MAX - 1).trim_end())
    } else {
        collapsed
    };
    // Excel refuses a name that starts or ends with an apostrophe, and an empty one.
    let name = name.trim_matches('\'').trim().to_owned();
    if name.is_empty() {
        "-".to_owned()
    } else {
        name
    }
}

/// The longest start of `s` that fits in `units` UTF-16 code units.
fn cut(s: &str, units: usize) -> &str {
    let mut used = 0;
    for (at, c) in s.char_indices() {
        used += c.len_utf16();
        if used > units {
            return &s[..at];
        }
    }
    s
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_short_valid_and_unique() {
        let mut names = SheetNames::default();
        assert_eq!(names.claim("Yhteenveto"), "Yhteenveto");
        let long = names.claim("3 Mitkä toimijat tulisi olla verkostossa mukana?");
        assert_eq!(long, "3 Mitkä toimijat tulisi olla v…");
        assert_eq!(long.encode_utf16().count(), 31);
        assert_eq!(names.claim("4 a/b [c]: *d?\\e"), "4 a b c d e");
        assert_eq!(names.claim("5 'lainaus'"), "5 'lainaus");
        assert_eq!(names.claim("YHTEENVETO"), "YHTEENVETO (2)");
        assert_eq!(names.claim("History"), "History (2)");
        assert_eq!(names.claim("'"), "-");
        assert_eq!(names.claim("6 rivi\nkaksi\ttab"), "6 rivi kaksi tab");
        // Emoji take two UTF-16 units each: Excel's limit counts those, not characters.
        let emoji = names.claim(&format!("7 {}", "🙂".repeat(20)));
        assert!(emoji.encode_utf16().count() <= 31, "{emoji}");
        for name in &names.taken {
            assert!(!name.contains(SHEET_NAME_FORBIDDEN), "{name}");
        }
    }
}
