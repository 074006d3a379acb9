//! From the name a town types to a crate name, a module name and a title.
//!
//! "état civil" gives the module `etat_civil`, the crate
//! `beffroi-etat-civil`, the Rust identifier `beffroi_etat_civil` and the
//! title "État civil"; "Fosses-la-Ville" gives the site `fosses-la-ville`.
//! Module names join words with `_` (like `contenttypes`, they are keys of
//! `site.toml` and prefixes of Fluent keys), crate names with `-`.

use std::fmt;

/// The longest module name or site slug accepted, in characters.
pub(crate) const MAX_LEN: usize = 40;

/// Names no new module or site may take: the core, the scaffold, the
/// modules this workspace ships, and names Cargo or Rust keep for themselves.
const TAKEN: &[&str] = &[
    "beffroi",
    "core",
    "catalog",
    "contenttypes",
    "website",
    "scaffold",
    "plugin",
    "tests",
    "std",
    "alloc",
    "test",
    "proc_macro",
];

/// Rust's keywords (strict and reserved): a crate or module cannot be called so.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Why a name cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadName(pub(crate) String);

impl fmt::Display for BadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadName {}

/// The names derived for a new module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModuleNames {
    /// The module's name in `site.toml` and its manifest: `etat_civil`.
    pub(crate) name: String,
    /// The crate's name: `beffroi-etat-civil`.
    pub(crate) crate_name: String,
    /// The crate as Rust names it: `beffroi_etat_civil`.
    pub(crate) ident: String,
    /// A readable title: `État civil`.
    pub(crate) title: String,
    /// The words, ASCII, capitalised, for the example type: `Etat Civil`.
    pub(crate) words_title: String,
}

/// The names derived for a new site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SiteNames {
    /// The site's id, crate and binary name: `fosses-la-ville`.
    pub(crate) slug: String,
    /// Its title as typed, tidied: `Fosses-la-Ville`.
    pub(crate) title: String,
}

/// Lower-case ASCII for one character: accents dropped, ligatures spelt
/// out; `None` for what is not a letter or digit.
fn fold_char(c: char) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("àáâãäåāăą", "a"),
        ("çćĉċč", "c"),
        ("ďđ", "d"),
        ("èéêëēĕėęě", "e"),
        ("ĝğġģ", "g"),
        ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"),
        ("ĵ", "j"),
        ("ķ", "k"),
        ("ĺļľŀł", "l"),
        ("ñńņňŉ", "n"),
        ("òóôõöøōŏő", "o"),
        ("ŕŗř", "r"),
        ("śŝşš", "s"),
        ("ţťŧ", "t"),
        ("ùúûüũūŭůűų", "u"),
        ("ŵ", "w"),
        ("ýÿŷ", "y"),
        ("źżž", "z"),
        ("æ", "ae"),
        ("œ", "oe"),
        ("ß", "ss"),
        ("þ", "th"),
        ("ð", "d"),
    ];
    const ASCII: [&str; 36] = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
        "s", "t", "u", "v", "w", "x", "y", "z", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    ];
    let lower = c.to_lowercase().next().unwrap_or(c);
    if lower.is_ascii_lowercase() {
        return ASCII.get(usize::from(lower as u8 - b'a')).copied();
    }
    if lower.is_ascii_digit() {
        return ASCII.get(26 + usize::from(lower as u8 - b'0')).copied();
    }
    TABLE
        .iter()
        .find(|(from, _)| from.contains(lower))
        .map(|(_, to)| *to)
}

/// The name's words, folded to lower-case ASCII: "État-civil 2" → [etat, civil, 2].
fn words(typed: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in typed.chars() {
        match fold_char(c) {
            Some(s) => cur.push_str(s),
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whitespace collapsed, the first letter in capitals.
fn tidy_title(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn check_words(typed: &str, words: &[String], joined: &str, what: &str) -> Result<(), BadName> {
    if typed.trim().is_empty() {
        return Err(BadName(format!("the {what} name is empty")));
    }
    if words.is_empty() {
        return Err(BadName(format!(
            "`{typed}` has no letters or digits to make a {what} name from"
        )));
    }
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(BadName(format!(
            "`{typed}` gives `{joined}`, which starts with a digit; crate names cannot (write the number in words, or put a word first)"
        )));
    }
    if joined.chars().count() > MAX_LEN {
        return Err(BadName(format!(
            "`{typed}` gives `{joined}`, longer than {MAX_LEN} characters; choose a shorter name"
        )));
    }
    let underscored = joined.replace('-', "_");
    if KEYWORDS.contains(&joined) || KEYWORDS.contains(&underscored.as_str()) {
        return Err(BadName(format!(
            "`{typed}` gives `{joined}`, a Rust keyword, which cannot name a crate; choose another name"
        )));
    }
    if TAKEN.contains(&underscored.as_str()) || TAKEN.contains(&joined) {
        return Err(BadName(format!(
            "`{joined}` is already taken by Beffroi itself ({}); choose another name",
            TAKEN.join(", ")
        )));
    }
    Ok(())
}

/// Derives a module's names from what a town typed ("état civil",
/// "Parking-Permits"). A leading word `beffroi` is dropped, since the crate
/// name adds it.
pub(crate) fn module(typed: &str) -> Result<ModuleNames, BadName> {
    let mut ws = words(typed);
    if ws.len() > 1 && ws[0] == "beffroi" {
        ws.remove(0);
    }
    let name = ws.join("_");
    check_words(typed, &ws, &name, "module")?;
    let title = tidy_title(&typed.replace(['-', '_'], " "));
    let words_title = ws
        .iter()
        .map(|w| tidy_title(w))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(ModuleNames {
        crate_name: format!("beffroi-{}", ws.join("-")),
        ident: format!("beffroi_{name}"),
        name,
        title,
        words_title,
    })
}

/// Derives a site's slug (its id, crate and binary name) and title from
/// the town's name ("Fosses-la-Ville").
pub(crate) fn site(typed: &str) -> Result<SiteNames, BadName> {
    let ws = words(typed);
    let slug = ws.join("-");
    check_words(typed, &ws, &slug, "site")?;
    Ok(SiteNames {
        slug,
        title: tidy_title(typed),
    })
}

/// The module name a site's `--modules` entry means: `etat-civil`,
/// `état civil` and `beffroi-etat-civil` all mean `etat_civil`.
pub(crate) fn module_key(typed: &str) -> String {
    let mut ws = words(typed);
    if ws.len() > 1 && ws[0] == "beffroi" {
        ws.remove(0);
    }
    ws.join("_")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn accented_names_fold_to_ascii() {
        let n = module("état civil").unwrap();
        assert_eq!(n.name, "etat_civil");
        assert_eq!(n.crate_name, "beffroi-etat-civil");
        assert_eq!(n.ident, "beffroi_etat_civil");
        assert_eq!(n.title, "État civil");
        assert_eq!(n.words_title, "Etat Civil");
    }

    #[test]
    fn separators_and_case_are_normalised() {
        let n = module("Parking-Permits").unwrap();
        assert_eq!(n.name, "parking_permits");
        assert_eq!(n.crate_name, "beffroi-parking-permits");
        assert_eq!(n.title, "Parking Permits");
        let n = module("  Œuvres   d'art!! ").unwrap();
        assert_eq!(n.name, "oeuvres_d_art");
        assert_eq!(n.title, "Œuvres d'art!!");
        assert_eq!(module("beffroi-agenda").unwrap().name, "agenda");
        assert_eq!(module("Straße 2").unwrap().name, "strasse_2");
    }

    #[test]
    fn site_names_keep_the_towns_spelling() {
        let s = site("Fosses-la-Ville").unwrap();
        assert_eq!(s.slug, "fosses-la-ville");
        assert_eq!(s.title, "Fosses-la-Ville");
        let s = site("écaussinnes").unwrap();
        assert_eq!(s.slug, "ecaussinnes");
        assert_eq!(s.title, "Écaussinnes");
    }

    #[test]
    fn names_that_cannot_work_are_refused_with_a_reason() {
        for (typed, says) in [
            ("", "empty"),
            ("   ", "empty"),
            ("!!! ---", "no letters or digits"),
            ("2e service", "starts with a digit"),
            ("type", "keyword"),
            ("self", "keyword"),
            ("Catalog", "already taken"),
            ("contenttypes", "already taken"),
            ("website", "already taken"),
            ("beffroi", "already taken"),
            ("core", "already taken"),
            (
                "service communal de la population et de l'état civil",
                "longer than",
            ),
        ] {
            let err = module(typed).unwrap_err();
            assert!(err.0.contains(says), "{typed:?}: {err}");
        }
        assert!(site("fn").unwrap_err().0.contains("keyword"));
        assert!(site("1000 Bruxelles").unwrap_err().0.contains("digit"));
    }

    #[test]
    fn module_keys_accept_any_spelling() {
        assert_eq!(module_key("etat-civil"), "etat_civil");
        assert_eq!(module_key("État civil"), "etat_civil");
        assert_eq!(module_key("beffroi-etat-civil"), "etat_civil");
        assert_eq!(module_key("contenttypes"), "contenttypes");
    }
}
