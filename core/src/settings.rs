//! Site settings kept in the database: the title, the languages offered,
//! the default language, the theme's name, and which modules are turned on
//! or off. Each overrides what `site.toml` says, so a town's IT team can
//! change them from the site setup pages or the API without editing files;
//! `site.toml` stays the starting point for a new site.
//!
//! Everything here is read through [`Site::settings`] and
//! [`Site::module_choices`], and written through a [`Writer`] by those
//! holding `Manage site`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{SiteConfig, LANGUAGES};
use crate::error::{Error, FieldError, Result};
use crate::module::Registry;
use crate::security::MANAGE_SITE;
use crate::site::{decode, Keys, Site, Writer};
use crate::store::Store;

/// Where the core keeps its own settings among modules' stored values.
const OWNER: &str = "beffroi";
const SETTINGS_KEY: &str = "settings";
const MODULES_KEY: &str = "modules";

/// The settings in force: the database's where it has them, else `site.toml`'s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// The site's name, shown in pages.
    pub title: String,
    /// The languages the site offers.
    pub languages: Vec<String>,
    /// The language used when the visitor's cannot be offered.
    pub default_language: String,
    /// The theme's name, if one was chosen here (the themes' part of the
    /// web layer decides what a name means).
    pub theme: Option<String>,
}

impl Settings {
    /// The settings `site.toml` gives, before any change in the database.
    pub fn from_config(config: &SiteConfig) -> Self {
        Self {
            title: config.title.clone(),
            languages: config.languages.clone(),
            default_language: config.default_language.clone(),
            theme: None,
        }
    }
}

/// What is stored: only the settings changed from `site.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    /// A new title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New languages offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    /// A new default language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_language: Option<String>,
    /// A theme's name; an empty name goes back to `site.toml`'s theme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
}

/// Modules turned on or off in the database, over `site.toml`'s list.
/// They take effect when the site is next opened (at the next start):
/// types, templates and the security model are built when a site opens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleChoices {
    /// Modules turned on although `site.toml` does not name them.
    #[serde(default)]
    pub enabled: BTreeSet<String>,
    /// Modules `site.toml` names but that are turned off.
    #[serde(default)]
    pub disabled: BTreeSet<String>,
}

impl ModuleChoices {
    /// The module names a site with `config` enables, these choices applied.
    pub fn apply(&self, config: &SiteConfig) -> Vec<String> {
        let mut names: BTreeSet<String> = config.enabled().into_iter().collect();
        names.extend(self.enabled.iter().cloned());
        names.retain(|n| !self.disabled.contains(n));
        names.into_iter().collect()
    }
}

fn read<T: for<'de> Deserialize<'de> + Default>(
    store: &dyn Store,
    site_id: &str,
    key: &str,
) -> Result<T> {
    let k = Keys(site_id).ext(OWNER, key);
    match store.get(&k)? {
        Some(b) => {
            let v: Value = decode(&k, &b)?;
            serde_json::from_value(v).map_err(|e| {
                Error::Store(crate::store::StoreError::new(
                    crate::store::StoreErrorKind::Corrupt,
                    format!("{}: {e}", String::from_utf8_lossy(&k)),
                ))
            })
        }
        None => Ok(T::default()),
    }
}

/// The modules a site enables when it opens: `site.toml`'s list with the
/// database's choices applied. A module chosen in the database but not
/// linked into this binary is left out (and logged), so the site still opens.
/// The theme folder in force: the one chosen in the site settings
/// (`default`: none, the core's look; a name from `[themes]`), else
/// `site.toml`'s `theme`. Read when the site opens: templates are compiled
/// then, so a new choice takes effect at the next start.
pub(crate) fn chosen_theme(config: &SiteConfig, store: &dyn Store) -> Result<Option<PathBuf>> {
    let change: SettingsChange = read(store, &config.id, SETTINGS_KEY)?;
    Ok(match change.theme.as_deref() {
        Some("default") => None,
        Some(name) => match config.themes.get(name) {
            Some(dir) => Some(dir.clone()),
            None => config.theme.clone(),
        },
        None => config.theme.clone(),
    })
}

pub(crate) fn enabled_modules(
    config: &SiteConfig,
    store: &dyn Store,
    registry: &Registry,
) -> Result<Vec<String>> {
    let choices: ModuleChoices = read(store, &config.id, MODULES_KEY)?;
    let from_toml = config.enabled();
    Ok(choices
        .apply(config)
        .into_iter()
        .filter(|n| {
            let linked = registry.get(n).is_ok();
            if !linked && !from_toml.contains(n) {
                tracing::warn!(site = %config.id, module = %n, "a module turned on in the site settings is not linked into this binary");
            }
            linked || from_toml.contains(n)
        })
        .collect())
}

impl Site {
    /// The settings in force.
    pub fn settings(&self) -> Result<Settings> {
        use std::sync::atomic::Ordering;
        // Taken before reading: a write committed meanwhile makes this
        // reading older than the generation, so it is not kept.
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some((g, s)) = self.settings_cache.read().ok().and_then(|c| c.clone()) {
            if g == generation {
                return Ok(s);
            }
        }
        let change: SettingsChange = read(self.store(), self.id(), SETTINGS_KEY)?;
        let settings = self.settings_from(&change)?;
        if let Ok(mut cached) = self.settings_cache.write() {
            *cached = Some((generation, settings.clone()));
        }
        Ok(settings)
    }

    /// The settings in force, or `site.toml`'s if the stored ones cannot
    /// be read (logged): a page always has a title and languages.
    pub fn settings_or_config(&self) -> Settings {
        self.settings().unwrap_or_else(|e| {
            tracing::error!(site = self.id(), error = %e, "cannot read the site settings");
            Settings::from_config(self.config())
        })
    }

    /// The modules turned on or off in the database.
    pub fn module_choices(&self) -> Result<ModuleChoices> {
        read(self.store(), self.id(), MODULES_KEY)
    }
}

impl Writer<'_> {
    /// Changes site settings (those holding `Manage site`). Every problem
    /// is reported with its field; nothing is stored unless all are right.
    pub fn set_settings(&mut self, change: &SettingsChange) -> Result<Settings> {
        self.require_site(MANAGE_SITE)?;
        let mut errors = Vec::new();
        if let Some(t) = &change.title {
            let t = t.trim();
            if t.is_empty() {
                errors.push(FieldError::new("title", "required", "a site has a title"));
            } else if t.chars().count() > 200 {
                errors.push(FieldError::new(
                    "title",
                    "too_long",
                    "a title has at most 200 characters",
                ));
            } else if crate::schema::looks_like_html(t) {
                errors.push(FieldError::new(
                    "title",
                    "html_not_allowed",
                    "the title is plain text",
                ));
            }
        }
        if let Some(langs) = &change.languages {
            if langs.is_empty() {
                errors.push(FieldError::new(
                    "languages",
                    "required",
                    "offer at least one language",
                ));
            }
            for l in langs {
                if !LANGUAGES.contains(&l.as_str()) {
                    errors.push(FieldError::new(
                        "languages",
                        "bad_language",
                        format!("`{l}` is not one of the languages Beffroi ships: {LANGUAGES:?}"),
                    ));
                }
            }
        }
        let current: SettingsChange = self
            .module_get(OWNER, SETTINGS_KEY)?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let config = self.site().config();
        let languages = change
            .languages
            .clone()
            .or(current.languages.clone())
            .unwrap_or_else(|| config.languages.clone());
        let default_language = change
            .default_language
            .clone()
            .or(current.default_language.clone())
            .unwrap_or_else(|| config.default_language.clone());
        if !languages.contains(&default_language) {
            errors.push(FieldError::new(
                "default_language",
                "bad_language",
                format!("the default language must be one of {languages:?}"),
            ));
        }
        if let Some(theme) = &change.theme {
            let known = theme.is_empty() || theme == "default" || config.themes.contains_key(theme);
            if !known {
                let mut names = vec!["default".to_owned()];
                names.extend(config.themes.keys().cloned());
                errors.push(FieldError::new(
                    "theme",
                    "unknown_theme",
                    format!("choose one of {names:?}, or leave it empty for site.toml's theme"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let stored = SettingsChange {
            title: change
                .title
                .as_ref()
                .map(|t| t.trim().to_owned())
                .or(current.title),
            languages: change.languages.clone().or(current.languages),
            default_language: change.default_language.clone().or(current.default_language),
            theme: change.theme.clone().or(current.theme),
        };
        let value = serde_json::to_value(&stored).unwrap_or(Value::Null);
        self.module_put(OWNER, SETTINGS_KEY, &value);
        self.audit("settings_changed", "/", &value.to_string());
        self.site().settings_from(&stored)
    }

    /// Records which modules are turned on or off (those holding `Manage site`).
    pub(crate) fn put_module_choices(&mut self, choices: &ModuleChoices) -> Result<()> {
        self.require_site(MANAGE_SITE)?;
        let value = serde_json::to_value(choices).unwrap_or(Value::Null);
        self.module_put(OWNER, MODULES_KEY, &value);
        Ok(())
    }
}

impl Site {
    fn settings_from(&self, change: &SettingsChange) -> Result<Settings> {
        let config = self.config();
        let languages = change
            .languages
            .clone()
            .unwrap_or_else(|| config.languages.clone());
        Ok(Settings {
            title: change.title.clone().unwrap_or_else(|| config.title.clone()),
            default_language: change
                .default_language
                .clone()
                .filter(|d| languages.contains(d))
                .unwrap_or_else(|| {
                    if languages.contains(&config.default_language) {
                        config.default_language.clone()
                    } else {
                        languages.first().cloned().unwrap_or_default()
                    }
                }),
            languages,
            theme: change.theme.clone().filter(|t| !t.is_empty()),
        })
    }
}
