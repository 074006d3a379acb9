//! `site.toml`: what a town configures for its site.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The languages Beffroi ships translations for.
pub const LANGUAGES: &[&str] = &["fr", "nl", "de", "en", "es"];

/// One site's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's id: lower-case letters, digits and `-`.
    pub id: String,
    /// The site's name, shown in pages.
    pub title: String,
    /// Host names that reach this site (without port).
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Whether requests for unknown hosts reach this site.
    #[serde(default)]
    pub default: bool,
    /// The languages the site offers, the first being the default unless
    /// `default_language` says otherwise.
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// The language used when the visitor's cannot be offered.
    #[serde(default)]
    pub default_language: String,
    /// Enabled modules, each with its settings table.
    #[serde(default)]
    pub modules: BTreeMap<String, toml::Table>,
    /// A folder of templates (and `static/` files) that override the modules'.
    #[serde(default)]
    pub theme: Option<PathBuf>,
    /// Whether to add every module's demonstration content when the site is created.
    #[serde(default)]
    pub demo_content: bool,
    /// The largest upload accepted, in mebibytes.
    #[serde(default = "default_max_upload")]
    pub max_upload_mb: u64,
}

fn default_languages() -> Vec<String> {
    vec!["fr".into()]
}

fn default_max_upload() -> u64 {
    50
}

impl SiteConfig {
    /// Parses a `site.toml`; `file` names it in errors and `base` is the
    /// folder relative paths (the theme) start from.
    pub fn parse(file: &str, text: &str, base: &Path) -> Result<Self> {
        let cfg = |message: String| Error::Config {
            file: file.to_owned(),
            message,
        };
        let mut c: SiteConfig = toml::from_str(text).map_err(|e| cfg(e.to_string()))?;
        if c.id.is_empty()
            || !c
                .id
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        {
            return Err(cfg(format!(
                "id `{}`: use lower-case letters, digits and `-`",
                c.id
            )));
        }
        if c.languages.is_empty() {
            return Err(cfg("languages: name at least one language".into()));
        }
        for l in &c.languages {
            if l.parse::<unic_langid::LanguageIdentifier>().is_err() {
                return Err(cfg(format!("languages: `{l}` is not a language code")));
            }
        }
        if c.default_language.is_empty() {
            c.default_language = c.languages[0].clone();
        } else if !c.languages.contains(&c.default_language) {
            return Err(cfg(format!(
                "default_language `{}` is not among languages {:?}",
                c.default_language, c.languages
            )));
        }
        c.hosts = c.hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
        c.theme = c
            .theme
            .map(|t| if t.is_relative() { base.join(t) } else { t });
        if c.max_upload_mb == 0 {
            return Err(cfg("max_upload_mb must be at least 1".into()));
        }
        Ok(c)
    }

    /// The names of the enabled modules.
    pub fn enabled(&self) -> Vec<String> {
        self.modules.keys().cloned().collect()
    }
}
