//! Translations: Fluent catalogs per module and language, merged per site;
//! language negotiation from the request; dates and numbers written the
//! way each language writes them; and a completeness check of the catalogs.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::error::{Error, Result};
use crate::module::Module;

/// Every message a site can show, per language.
pub struct Catalog {
    bundles: HashMap<String, FluentBundle<FluentResource>>,
    default: String,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("languages", &self.bundles.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Catalog {
    /// Loads the catalogs of `modules` for `languages`. A syntax error in a
    /// catalog is an error naming the module and language.
    pub fn new(
        languages: &[String],
        default: &str,
        modules: &[&'static dyn Module],
    ) -> Result<Self> {
        let mut bundles = HashMap::new();
        let mut all: Vec<String> = languages.to_vec();
        if !all.iter().any(|l| l == "en") {
            all.push("en".into());
        }
        for lang in &all {
            let id: LanguageIdentifier = lang.parse().map_err(|_| Error::Config {
                file: "site.toml".into(),
                message: format!("`{lang}` is not a language code"),
            })?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            bundle.set_use_isolating(false);
            for m in modules {
                let man = m.manifest();
                for (l, source) in man.translations {
                    if l != lang {
                        continue;
                    }
                    let res =
                        FluentResource::try_new((*source).to_owned()).map_err(|(_, errs)| {
                            Error::Config {
                                file: format!("{}/locales/{l}.ftl", man.name),
                                message: format!(
                                    "{} syntax error(s), first: {:?}",
                                    errs.len(),
                                    errs.first()
                                ),
                            }
                        })?;
                    // A later module may override an earlier one's message.
                    bundle.add_resource_overriding(res);
                }
            }
            bundles.insert(lang.clone(), bundle);
        }
        Ok(Self {
            bundles,
            default: default.to_owned(),
        })
    }

    /// The message `key` in `lang`, falling back to the site's default
    /// language, then English, then the key itself.
    pub fn message(&self, lang: &str, key: &str, args: &[(&str, String)]) -> String {
        let fargs = (!args.is_empty()).then(|| {
            let mut a = FluentArgs::new();
            for (k, v) in args {
                a.set(*k, FluentValue::from(v.clone()));
            }
            a
        });
        for l in [lang, self.default.as_str(), "en"] {
            let Some(bundle) = self.bundles.get(l) else {
                continue;
            };
            let Some(msg) = bundle.get_message(key) else {
                continue;
            };
            let Some(pattern) = msg.value() else { continue };
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, fargs.as_ref(), &mut errors)
                .into_owned();
        }
        key.to_owned()
    }

    /// Whether `lang` has the message `key` (used by the translation checks).
    pub fn has(&self, lang: &str, key: &str) -> bool {
        self.bundles.get(lang).is_some_and(|b| b.has_message(key))
    }

    /// A date in `lang`: `27/11/2026` (short), `27 novembre 2026` (long),
    /// `vendredi 27 novembre 2026` (full). Month and day names and the
    /// order come from the catalog (`i18n-month-N`, `i18n-date-…`).
    pub fn format_date(&self, lang: &str, date: NaiveDate, style: DateStyle) -> String {
        let day = date.day().to_string();
        let year = date.year().to_string();
        match style {
            DateStyle::Short => self.message(
                lang,
                "i18n-date-short",
                &[
                    ("day", format!("{:02}", date.day())),
                    ("month", format!("{:02}", date.month())),
                    ("year", year),
                ],
            ),
            DateStyle::Long | DateStyle::Full => {
                let month = self.message(lang, &format!("i18n-month-{}", date.month()), &[]);
                let long = self.message(
                    lang,
                    "i18n-date-long",
                    &[("day", day), ("month", month), ("year", year)],
                );
                if style == DateStyle::Long {
                    return long;
                }
                let weekday = self.message(
                    lang,
                    &format!("i18n-weekday-{}", date.weekday().number_from_monday()),
                    &[],
                );
                self.message(
                    lang,
                    "i18n-date-full",
                    &[("weekday", weekday), ("date", long)],
                )
            }
        }
    }

    /// A date and time in `lang`, in the time zone it carries:
    /// `27 novembre 2026 à 14:30`.
    pub fn format_datetime(
        &self,
        lang: &str,
        at: DateTime<FixedOffset>,
        style: DateStyle,
    ) -> String {
        let date = self.format_date(lang, at.date_naive(), style);
        let time = format!("{:02}:{:02}", at.hour(), at.minute());
        self.message(lang, "i18n-datetime", &[("date", date), ("time", time)])
    }

    /// A number written as `lang` writes it: `1 234,5` in French,
    /// `1.234,5` in Dutch and German, `1,234.5` in English. `number` is
    /// its plain form (`1234.5`, `-3`); anything else comes back unchanged.
    pub fn format_number(&self, lang: &str, number: &str) -> String {
        let (sign, digits) = match number.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", number),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !plain(int) || !(frac.is_empty() || plain(frac)) {
            return number.to_owned();
        }
        let group = self.message(lang, "i18n-number-group", &[]);
        let min: usize = self
            .message(lang, "i18n-number-group-min", &[])
            .parse()
            .unwrap_or(4);
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if int.len() >= min && i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push_str(&group);
            }
            grouped.push(c);
        }
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            let point = self.message(lang, "i18n-number-decimal", &[]);
            format!("{sign}{grouped}{point}{frac}")
        }
    }

    /// Writes a template value for people: an RFC 3339 date and time or an
    /// ISO date (`2026-11-27`) in `lang`'s words, anything else as it is.
    pub fn format_date_value(&self, lang: &str, value: &str, style: DateStyle) -> String {
        if let Ok(at) = DateTime::parse_from_rfc3339(value) {
            return self.format_datetime(lang, at, style);
        }
        match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(d) => self.format_date(lang, d, style),
            Err(_) => value.to_owned(),
        }
    }
}

/// How much of a date to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateStyle {
    /// Digits only: `27/11/2026`, `27.11.2026`.
    Short,
    /// The month in words: `27 novembre 2026`.
    #[default]
    Long,
    /// With the day of the week: `vendredi 27 novembre 2026`.
    Full,
}

impl DateStyle {
    /// Reads `short`, `long` or `full`; anything else is `Long`.
    pub fn parse(name: &str) -> Self {
        match name {
            "short" => Self::Short,
            "full" => Self::Full,
            _ => Self::Long,
        }
    }
}

/// Picks the language of a request, in Plone's order: the visitor's
/// explicit choice (the switcher's cookie), then the logged-in user's
/// stored language, then the best match of `Accept-Language`, then the
/// site's default. Choices the site does not offer are passed over.
pub fn choose_language(
    cookie: Option<&str>,
    user: Option<&str>,
    accept_language: Option<&str>,
    offered: &[String],
    default: &str,
) -> String {
    for choice in [cookie, user].into_iter().flatten() {
        if let Some(l) = offered.iter().find(|l| l.as_str() == choice) {
            return l.clone();
        }
    }
    negotiate(accept_language, offered, default)
}

/// Picks the language for a request: the best match of `Accept-Language`
/// among the site's languages, else the site's default.
pub fn negotiate(accept_language: Option<&str>, offered: &[String], default: &str) -> String {
    let mut best: Option<(f32, &str)> = None;
    for part in accept_language.unwrap_or("").split(',') {
        let mut bits = part.trim().split(';');
        let tag = bits.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = bits
            .find_map(|b| {
                b.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        if let Some(lang) = offered.iter().find(|l| l.as_str() == primary) {
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
    }
    best.map(|(_, l)| l.to_owned())
        .unwrap_or_else(|| default.to_owned())
}

/// What a catalog check found wrong for one module in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogGap {
    /// The module.
    pub module: String,
    /// The language.
    pub language: String,
    /// Keys English has and this language lacks (or has no catalog at all).
    pub missing: Vec<String>,
    /// Keys this language has and English lacks.
    pub extra: Vec<String>,
}

/// A key a template uses (`t(key="…")`) that no catalog defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// The module whose template it is.
    pub module: String,
    /// The template.
    pub template: String,
    /// The key.
    pub key: String,
}

/// The result of [`check_catalogs`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogCheck {
    /// Per module and language, what differs from English.
    pub gaps: Vec<CatalogGap>,
    /// Keys templates use that exist in no catalog.
    pub unknown: Vec<UnknownKey>,
}

impl CatalogCheck {
    /// Whether every module has every key in every language checked, and
    /// every template key exists.
    pub fn is_complete(&self) -> bool {
        self.gaps.is_empty() && self.unknown.is_empty()
    }
}

impl std::fmt::Display for CatalogCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for g in &self.gaps {
            if !g.missing.is_empty() {
                writeln!(
                    f,
                    "module {} ({}): missing {}",
                    g.module,
                    g.language,
                    g.missing.join(", ")
                )?;
            }
            if !g.extra.is_empty() {
                writeln!(
                    f,
                    "module {} ({}): not in English {}",
                    g.module,
                    g.language,
                    g.extra.join(", ")
                )?;
            }
        }
        for u in &self.unknown {
            writeln!(
                f,
                "module {}: template {} uses `{}`, which no catalog has",
                u.module, u.template, u.key
            )?;
        }
        Ok(())
    }
}

/// Compares every module's catalogs with its English one, in each of
/// `languages`, and finds the keys templates use that no catalog has.
/// A module with no catalog at all is checked only for its templates.
pub fn check_catalogs(modules: &[&'static dyn Module], languages: &[String]) -> CatalogCheck {
    let mut check = CatalogCheck::default();
    let mut known = BTreeSet::new();
    for m in modules {
        let man = m.manifest();
        let keys_in = |lang: &str| -> Option<BTreeSet<String>> {
            let mut found = None;
            for (l, source) in man.translations {
                if *l == lang {
                    found
                        .get_or_insert_with(BTreeSet::new)
                        .extend(message_keys(source));
                }
            }
            found
        };
        let Some(english) = keys_in("en") else {
            continue;
        };
        known.extend(english.iter().cloned());
        for lang in languages.iter().filter(|l| l.as_str() != "en") {
            let have = keys_in(lang).unwrap_or_default();
            known.extend(have.iter().cloned());
            let missing: Vec<String> = english.difference(&have).cloned().collect();
            let extra: Vec<String> = have.difference(&english).cloned().collect();
            if !missing.is_empty() || !extra.is_empty() {
                check.gaps.push(CatalogGap {
                    module: man.name.to_owned(),
                    language: lang.clone(),
                    missing,
                    extra,
                });
            }
        }
    }
    for m in modules {
        let man = m.manifest();
        for (name, source) in man.templates {
            for key in template_keys(source) {
                if !known.contains(&key) {
                    check.unknown.push(UnknownKey {
                        module: man.name.to_owned(),
                        template: (*name).to_owned(),
                        key,
                    });
                }
            }
        }
    }
    check
}

/// The message identifiers an FTL source defines (terms, `-name`, are
/// not messages and are left out).
fn message_keys(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| {
            let (id, _) = line.split_once('=')?;
            let id = id.trim_end();
            let first = id.chars().next()?;
            (first.is_ascii_alphabetic()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .then(|| id.to_owned())
        })
        .collect()
}

/// The keys a template asks for with `t(key="…")` (either quote).
fn template_keys(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in source.match_indices("t(key=") {
        // `t(` must start the call, not end another name (`format_t(`).
        let before = source[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &source[i + "t(key=".len()..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            out.insert(rest[1..1 + end].to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_quality_then_default() {
        let offered: Vec<String> = ["fr", "nl", "en"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            negotiate(Some("nl-BE,nl;q=0.9,en;q=0.8"), &offered, "fr"),
            "nl"
        );
        assert_eq!(negotiate(Some("de-DE,en;q=0.5"), &offered, "fr"), "en");
        assert_eq!(negotiate(Some("ja"), &offered, "fr"), "fr");
        assert_eq!(negotiate(None, &offered, "fr"), "fr");
    }

    #[test]
    fn keys_are_read_from_catalogs_and_templates() {
        let ftl = "# comment\nhello = Hi\n-term = T\nwith-args = { $n } items\n    .attr = x\nmulti =\n    line\n";
        assert_eq!(message_keys(ftl), vec!["hello", "with-args", "multi"]);
        let tpl =
            r#"{{ t(key="a-b") }} {{ t(key='c') }} {{ format_t(key="no") }} {{ t(key=var) }}"#;
        let keys: Vec<String> = template_keys(tpl).into_iter().collect();
        assert_eq!(keys, vec!["a-b", "c"]);
    }
}
