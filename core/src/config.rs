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
    /// The site's public address (`https://www.sambreville.be`), used in
    /// links sent by mail. Without it, the first of `hosts`.
    #[serde(default)]
    pub url: Option<String>,
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
    /// Enabled modules, each with its settings table. A module loaded at
    /// run time names its shared library there: `library = "libnotice.so"`.
    #[serde(default)]
    pub modules: BTreeMap<String, toml::Table>,
    /// The folder the shared libraries of run-time modules are loaded
    /// from, relative to the folder of `site.toml` (`modules` by default).
    /// No library is loaded from anywhere else.
    #[serde(default = "default_modules_folder")]
    pub modules_folder: PathBuf,
    /// A folder of templates (and `static/` files) that override the modules'.
    #[serde(default)]
    pub theme: Option<PathBuf>,
    /// Other themes the site setup may choose from, by name (folders
    /// laid out as `theme`); `default` is always the core's own look.
    #[serde(default)]
    pub themes: BTreeMap<String, PathBuf>,
    /// Whether to add every module's demonstration content when the site is created.
    #[serde(default)]
    pub demo_content: bool,
    /// The largest upload accepted, in mebibytes.
    #[serde(default = "default_max_upload")]
    pub max_upload_mb: u64,
    /// Which workflow each type follows, and which adaptations are on.
    #[serde(default)]
    pub workflows: WorkflowSettings,
    /// Formats of reference-number counters, overriding the modules'.
    #[serde(default)]
    pub counters: BTreeMap<String, CounterSetting>,
    /// Outgoing mail.
    #[serde(default)]
    pub mail: MailSettings,
    /// Sessions and logins.
    #[serde(default)]
    pub security: SecuritySettings,
    /// The town's time zone (IANA name), told to clients by `@site`.
    #[serde(default = "default_timezone")]
    pub timezone: String,
}

/// `[workflows]` in `site.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSettings {
    /// Type name → workflow name, replacing the type's own.
    #[serde(default)]
    pub chain: BTreeMap<String, String>,
    /// Workflow name → the adaptations switched on.
    #[serde(default)]
    pub adaptations: BTreeMap<String, Vec<String>>,
}

/// `[counters.NAME]` in `site.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterSetting {
    /// The format (`E{n:04}`, `Ref. {yyyy}{mm}{dd}/{n}`).
    pub format: Option<String>,
    /// Whether it starts again each year.
    pub yearly: Option<bool>,
}

/// `[mail]` in `site.toml`. Without `smtp_host`, mail waits in the queue
/// (readable with `beffroi mail`) and is not sent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// The sender address.
    #[serde(default = "default_mail_from")]
    pub from: String,
    /// The SMTP relay to send through.
    #[serde(default)]
    pub smtp_host: Option<String>,
    /// Its port.
    #[serde(default = "default_smtp_port")]
    pub smtp_port: u16,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            from: default_mail_from(),
            smtp_host: None,
            smtp_port: default_smtp_port(),
        }
    }
}

fn default_mail_from() -> String {
    "noreply@localhost".into()
}

fn default_smtp_port() -> u16 {
    25
}

/// `[security]` in `site.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    /// How long a login lasts without renewal, in hours.
    #[serde(default = "default_session_hours")]
    pub session_hours: u64,
    /// Failed logins allowed per account, and per address, in 15 minutes.
    #[serde(default = "default_max_failures")]
    pub max_failed_logins: u32,
    /// Whether the site is served over HTTPS (cookies get `Secure`). Also
    /// set per request by `X-Forwarded-Proto: https`.
    #[serde(default)]
    pub https: bool,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            session_hours: default_session_hours(),
            max_failed_logins: default_max_failures(),
            https: false,
        }
    }
}

fn default_session_hours() -> u64 {
    12
}

fn default_max_failures() -> u32 {
    5
}

fn default_modules_folder() -> PathBuf {
    PathBuf::from("modules")
}

fn default_languages() -> Vec<String> {
    vec!["fr".into()]
}

fn default_timezone() -> String {
    "Europe/Brussels".into()
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
        if c.modules_folder.is_relative() {
            c.modules_folder = base.join(&c.modules_folder);
        }
        for (name, table) in &c.modules {
            match table.get("library") {
                None => {}
                Some(toml::Value::String(file)) => check_library_name(file)
                    .map_err(|m| cfg(format!("modules.{name}.library `{file}`: {m}")))?,
                Some(_) => {
                    return Err(cfg(format!(
                        "modules.{name}.library: give the file name of a shared library in the modules folder, as a string (\"libnotice.so\")"
                    )))
                }
            }
        }
        c.theme = c
            .theme
            .map(|t| if t.is_relative() { base.join(t) } else { t });
        for (name, dir) in &mut c.themes {
            if name == "default" {
                return Err(cfg(
                    "themes.default: `default` names the core's own look; choose another name"
                        .into(),
                ));
            }
            if dir.is_relative() {
                *dir = base.join(&*dir);
            }
        }
        for (name, counter) in &c.counters {
            if let Some(f) = &counter.format {
                crate::workflow::check_format(f)
                    .map_err(|e| cfg(format!("counters.{name}: {e}")))?;
            }
        }
        if c.security.session_hours == 0 || c.security.max_failed_logins == 0 {
            return Err(cfg(
                "security: session_hours and max_failed_logins must be at least 1".into(),
            ));
        }
        if let Some(u) = &c.url {
            if !crate::text::is_url(u) {
                return Err(cfg(format!("url `{u}` is not an http(s) address")));
            }
        }
        if c.timezone.is_empty()
            || !c
                .timezone
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '/' | '_' | '-' | '+'))
        {
            return Err(cfg(format!(
                "timezone `{}`: give an IANA time zone name such as Europe/Brussels",
                c.timezone
            )));
        }
        if c.max_upload_mb == 0 {
            return Err(cfg("max_upload_mb must be at least 1".into()));
        }
        Ok(c)
    }

    /// The names of the enabled modules.
    pub fn enabled(&self) -> Vec<String> {
        self.modules.keys().cloned().collect()
    }

    /// The run-time modules the site names: (module, path of its shared
    /// library in [`SiteConfig::modules_folder`]).
    pub fn libraries(&self) -> Vec<(String, PathBuf)> {
        self.modules
            .iter()
            .filter_map(|(name, table)| {
                let file = table.get("library")?.as_str()?;
                Some((name.clone(), self.modules_folder.join(file)))
            })
            .collect()
    }
}

/// A library is named by its file name alone: it can only come from the
/// site's modules folder.
fn check_library_name(file: &str) -> std::result::Result<(), String> {
    if file.is_empty() || file.trim() != file {
        return Err("give the library's file name".into());
    }
    if file.contains(['/', '\\', '\0']) || file.contains("..") || file.starts_with('.') {
        return Err(
            "give a file name only, without `/`, `\\` or `..`: libraries are loaded from the modules folder and nowhere else"
                .into(),
        );
    }
    Ok(())
}
