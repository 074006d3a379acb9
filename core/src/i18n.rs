//! Translations: Fluent catalogs per module and language, merged per site,
//! and language negotiation from the request.

use std::collections::HashMap;

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
}
