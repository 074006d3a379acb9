//! Rendering with Tera, autoescaping on, in layers: the site's theme
//! overrides a module's template, which overrides the core's. Templates are
//! loaded and their inheritance chains built once, when the site opens.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::error::{Error, Result};
use crate::i18n::Catalog;
use crate::module::Module;

/// A site's templates and translations.
pub struct Renderer {
    tera: tera::Tera,
    catalog: Arc<Catalog>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").finish_non_exhaustive()
    }
}

impl Renderer {
    /// Loads the templates of `modules` (in order, later overriding earlier)
    /// and then the site's theme folder, if any.
    pub fn new(config: &SiteConfig, modules: &[&'static dyn Module]) -> Result<Self> {
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for m in modules {
            for (name, text) in m.manifest().templates {
                sources.insert((*name).to_owned(), (*text).to_owned());
            }
        }
        if let Some(theme) = &config.theme {
            load_theme(theme, theme, &mut sources)?;
        }
        // Every shipped language is loaded, not only `site.toml`'s: the site
        // settings may offer another one while the site runs.
        let mut languages = config.languages.clone();
        for l in crate::config::LANGUAGES {
            if !languages.iter().any(|x| x == l) {
                languages.push((*l).to_owned());
            }
        }
        let catalog = Arc::new(Catalog::new(&languages, &config.default_language, modules)?);
        let mut tera = tera::Tera::default();
        let cat = Arc::clone(&catalog);
        let default_lang = config.default_language.clone();
        tera.register_function(
            "t",
            move |kwargs: tera::Kwargs, state: &tera::State| -> tera::TeraResult<String> {
                let key: String = kwargs.must_get("key")?;
                let lang: String = state.get("lang")?.unwrap_or_else(|| default_lang.clone());
                let mut args = Vec::new();
                for (k, v) in kwargs.iter() {
                    let k = k.to_string();
                    if k != "key" {
                        args.push((k, v.to_string()));
                    }
                }
                let borrowed: Vec<(&str, String)> =
                    args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                Ok(cat.message(&lang, &key, &borrowed))
            },
        );
        register_formatting(&mut tera, &catalog, &config.default_language);
        register_resource_url(&mut tera, modules);
        tera.add_raw_templates(sources.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| Error::Template {
                name: "(loading)".into(),
                message: error_chain(&e),
            })?;
        Ok(Self { tera, catalog })
    }

    /// Renders `name` with `context`.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String> {
        self.tera
            .render(name, context)
            .map_err(|e| Error::Template {
                name: name.to_owned(),
                message: error_chain(&e),
            })
    }

    /// Whether a template called `name` exists.
    pub fn has_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// The site's message catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }
}

/// The `date` and `number` filters: `{{ item.modified | date(lang=lang) }}`
/// gives `27 novembre 2026`, `style="short"` or `"full"` changes how much
/// is written; `{{ price | number(lang=lang) }}` gives `1 234,5`. Without
/// `lang`, the page's `lang`, else the site's default language.
fn register_formatting(tera: &mut tera::Tera, catalog: &Arc<Catalog>, default: &str) {
    let lang_of = |kwargs: &tera::Kwargs, state: &tera::State, default: &str| {
        kwargs
            .get::<String>("lang")
            .ok()
            .flatten()
            .or_else(|| state.get::<String>("lang").ok().flatten())
            .unwrap_or_else(|| default.to_owned())
    };
    let cat = Arc::clone(catalog);
    let default_lang = default.to_owned();
    tera.register_filter(
        "date",
        move |value: tera::Value, kwargs: tera::Kwargs, state: &tera::State| -> String {
            let lang = lang_of(&kwargs, state, &default_lang);
            let style = kwargs
                .get::<String>("style")
                .ok()
                .flatten()
                .map(|s| crate::i18n::DateStyle::parse(&s))
                .unwrap_or_default();
            match value.as_str() {
                Some(s) => cat.format_date_value(&lang, s, style),
                None => value.to_string(),
            }
        },
    );
    let cat = Arc::clone(catalog);
    let default_lang = default.to_owned();
    tera.register_filter(
        "number",
        move |value: tera::Value, kwargs: tera::Kwargs, state: &tera::State| -> String {
            let lang = lang_of(&kwargs, state, &default_lang);
            let plain = match value.as_str() {
                Some(s) => s.to_owned(),
                None => value.to_string(),
            };
            cat.format_number(&lang, &plain)
        },
    );
}

/// The `resource_url` function: `{{ resource_url(file="style.css") }}`
/// gives the core's file at its fingerprinted address, which changes with
/// its content (so browsers may keep it for a year);
/// `module="website"` names a module's file instead. An unknown file is an
/// error, so a misspelt name fails the page's tests.
fn register_resource_url(tera: &mut tera::Tera, modules: &[&'static dyn Module]) {
    let modules = modules.to_vec();
    tera.register_function(
        "resource_url",
        move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            let file: String = kwargs.must_get("file")?;
            let module: String = kwargs
                .get("module")?
                .unwrap_or_else(|| crate::web::assets::CORE.to_owned());
            crate::web::assets::url(&modules, &module, &file).ok_or_else(|| {
                tera::Error::message(format!("module `{module}` serves no file `{file}`"))
            })
        },
    );
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

fn load_theme(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Config {
        file: dir.display().to_string(),
        message: format!("cannot read the theme folder: {e}"),
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "static") {
                continue;
            }
            load_theme(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            let name = path
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(|e| Error::Config {
                file: path.display().to_string(),
                message: e.to_string(),
            })?;
            out.insert(name, text);
        }
    }
    Ok(())
}
