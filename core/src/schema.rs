//! Content types as data: parsing the TOML that modules embed, and validating
//! every write against it. Validation gathers *all* field errors at once.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, FieldError, Result};

/// A text in several languages, keyed by language code (`fr`, `nl`…).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Translated(pub BTreeMap<String, String>);

impl Translated {
    /// The text in `lang`, else English, else any language, else "".
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.get("en"))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// The kinds of field a type may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of plain text; HTML is refused.
    Text,
    /// Several lines of plain text; HTML is refused.
    Textarea,
    /// HTML, sanitised with ammonia on write.
    Richtext,
    /// A whole number.
    Integer,
    /// A decimal number.
    Decimal,
    /// True or false.
    Bool,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A date and time with offset (RFC 3339).
    Datetime,
    /// One value of a vocabulary.
    Choice,
    /// Several values of a vocabulary.
    MultiChoice,
    /// An e-mail address.
    Email,
    /// An http(s) address.
    Url,
    /// A telephone number.
    Phone,
    /// A stored file (blob).
    File,
    /// A stored image (blob with an `image/*` type).
    Image,
    /// The uid of another item of the same site.
    Reference,
    /// A postal address, with optional coordinates.
    Address,
}

impl FieldKind {
    const ALL: &'static [(&'static str, FieldKind)] = &[
        ("text", FieldKind::Text),
        ("textarea", FieldKind::Textarea),
        ("richtext", FieldKind::Richtext),
        ("integer", FieldKind::Integer),
        ("decimal", FieldKind::Decimal),
        ("bool", FieldKind::Bool),
        ("date", FieldKind::Date),
        ("datetime", FieldKind::Datetime),
        ("choice", FieldKind::Choice),
        ("multi_choice", FieldKind::MultiChoice),
        ("email", FieldKind::Email),
        ("url", FieldKind::Url),
        ("phone", FieldKind::Phone),
        ("file", FieldKind::File),
        ("image", FieldKind::Image),
        ("reference", FieldKind::Reference),
        ("address", FieldKind::Address),
    ];

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    /// Whether the value is a blob reference.
    pub fn is_blob(self) -> bool {
        matches!(self, FieldKind::File | FieldKind::Image)
    }
}

/// One field of a content type.
#[derive(Debug, Clone, Serialize)]
pub struct FieldDef {
    /// The field's name, unique in its type.
    pub name: String,
    /// Its kind.
    pub kind: FieldKind,
    /// Its label, per language.
    pub title: Translated,
    /// Help shown under the label, per language.
    pub description: Translated,
    /// Whether a value must be given.
    pub required: bool,
    /// The value used when an item is added without one.
    pub default: Option<Value>,
    /// The smallest number (integer, decimal) accepted.
    pub min: Option<f64>,
    /// The largest number (integer, decimal) accepted.
    pub max: Option<f64>,
    /// The longest text accepted, in characters.
    pub max_length: Option<usize>,
    /// The vocabulary of a choice or multi-choice field.
    pub vocabulary: Option<String>,
    /// Whether the catalog indexes its value, for exact queries.
    pub index: bool,
    /// Whether its text goes into the full-text index (for a file field:
    /// the file's text, for plain text and PDF files).
    pub searchable: bool,
}

/// A content type: what a kind of item holds and where it may live.
#[derive(Debug, Clone, Serialize)]
pub struct TypeDef {
    /// The type's name (`Document`, `News Item`…), as Plone names it where Plone has it.
    pub name: String,
    /// Its title, per language.
    pub title: Translated,
    /// What it is for, per language.
    pub description: Translated,
    /// Whether items of this type hold children.
    pub container: bool,
    /// The types a container accepts; empty means every globally addable type.
    pub allowed: Vec<String>,
    /// Whether it may be added in any container that does not restrict its children.
    pub global_allow: bool,
    /// The workflow's name (the workflow engine comes with a later release).
    pub workflow: Option<String>,
    /// The template that shows it, without `.html`.
    pub default_view: String,
    /// Its fields, `title` and `description` first.
    pub fields: Vec<FieldDef>,
    /// The module that declared it.
    pub module: String,
    /// The file it was read from.
    pub source: String,
}

impl TypeDef {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// A term of a vocabulary.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The stored value.
    pub value: String,
    /// What people see, per language.
    pub title: Translated,
}

/// A named list of terms that choice fields draw from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// The vocabulary's name.
    pub name: String,
    /// Its terms, in display order.
    pub terms: Vec<Term>,
}

impl Vocabulary {
    /// Whether `value` is one of the terms.
    pub fn contains(&self, value: &str) -> bool {
        self.terms.iter().any(|t| t.value == value)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    name: String,
    #[serde(default)]
    title: Translated,
    #[serde(default)]
    description: Translated,
    #[serde(default)]
    container: bool,
    #[serde(default)]
    allowed: Vec<String>,
    #[serde(default = "yes")]
    global_allow: bool,
    workflow: Option<String>,
    default_view: Option<String>,
    #[serde(default, rename = "field")]
    fields: Vec<RawField>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    name: String,
    kind: String,
    #[serde(default)]
    title: Translated,
    #[serde(default)]
    description: Translated,
    #[serde(default)]
    required: bool,
    default: Option<toml::Value>,
    min: Option<f64>,
    max: Option<f64>,
    max_length: Option<usize>,
    vocabulary: Option<String>,
    #[serde(default)]
    index: bool,
    #[serde(default)]
    searchable: Option<bool>,
}

/// Parses one type declaration. `file` names it in errors.
pub fn parse_type(module: &str, file: &str, text: &str) -> Result<TypeDef> {
    let cfg = |message: String| Error::Config {
        file: format!("{module}/{file}"),
        message,
    };
    let raw: RawType = toml::from_str(text).map_err(|e| cfg(e.to_string()))?;
    let mut fields = builtin_fields();
    let mut seen: BTreeSet<String> = fields.iter().map(|f| f.name.clone()).collect();
    for f in raw.fields {
        let kind = FieldKind::parse(&f.kind).ok_or_else(|| {
            let known: Vec<&str> = FieldKind::ALL.iter().map(|(n, _)| *n).collect();
            cfg(format!(
                "field `{}`: unknown kind `{}` (expected one of: {})",
                f.name,
                f.kind,
                known.join(", ")
            ))
        })?;
        if !is_identifier(&f.name) {
            return Err(cfg(format!(
                "field `{}`: a field name is lower-case letters, digits and `_`",
                f.name
            )));
        }
        if !seen.insert(f.name.clone()) {
            return Err(cfg(format!("field `{}` is declared twice", f.name)));
        }
        if matches!(kind, FieldKind::Choice | FieldKind::MultiChoice) && f.vocabulary.is_none() {
            return Err(cfg(format!(
                "field `{}`: a {} field needs `vocabulary`",
                f.name, f.kind
            )));
        }
        let default = match f.default {
            Some(v) => Some(serde_json::to_value(v).map_err(|e| cfg(e.to_string()))?),
            None => None,
        };
        fields.push(FieldDef {
            name: f.name,
            kind,
            title: f.title,
            description: f.description,
            required: f.required,
            default,
            min: f.min,
            max: f.max,
            max_length: f.max_length,
            vocabulary: f.vocabulary,
            index: f.index,
            // Text and rich text are searchable unless a type says not.
            searchable: f.searchable.unwrap_or(matches!(
                kind,
                FieldKind::Text | FieldKind::Textarea | FieldKind::Richtext
            )),
        });
    }
    let default_view = raw.default_view.unwrap_or_else(|| {
        if raw.container {
            "folder_listing".into()
        } else {
            "item_view".into()
        }
    });
    Ok(TypeDef {
        name: raw.name,
        title: raw.title,
        description: raw.description,
        container: raw.container,
        allowed: raw.allowed,
        global_allow: raw.global_allow,
        workflow: raw.workflow,
        default_view,
        fields,
        module: module.to_owned(),
        source: format!("{module}/{file}"),
    })
}

/// Parses one vocabulary declaration.
pub fn parse_vocabulary(module: &str, file: &str, text: &str) -> Result<Vocabulary> {
    toml::from_str(text).map_err(|e| Error::Config {
        file: format!("{module}/{file}"),
        message: e.to_string(),
    })
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

fn builtin_fields() -> Vec<FieldDef> {
    let t = |pairs: &[(&str, &str)]| {
        Translated(
            pairs
                .iter()
                .map(|(l, s)| ((*l).to_owned(), (*s).to_owned()))
                .collect(),
        )
    };
    vec![
        FieldDef {
            name: "title".into(),
            kind: FieldKind::Text,
            title: t(&[
                ("en", "Title"),
                ("fr", "Titre"),
                ("nl", "Titel"),
                ("de", "Titel"),
                ("es", "Título"),
            ]),
            description: Translated::default(),
            required: true,
            index: false,
            searchable: true,
            default: None,
            min: None,
            max: None,
            max_length: Some(300),
            vocabulary: None,
        },
        FieldDef {
            name: "description".into(),
            kind: FieldKind::Textarea,
            title: t(&[
                ("en", "Summary"),
                ("fr", "Résumé"),
                ("nl", "Samenvatting"),
                ("de", "Zusammenfassung"),
                ("es", "Resumen"),
            ]),
            description: Translated::default(),
            required: false,
            index: false,
            searchable: true,
            default: None,
            min: None,
            max: None,
            max_length: Some(2000),
            vocabulary: None,
        },
    ]
}

/// All the types and vocabularies a site knows.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    types: BTreeMap<String, TypeDef>,
    vocabularies: BTreeMap<String, Vocabulary>,
}

/// Whether a write adds an item (defaults and required fields apply) or
/// changes some of its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// A new item: missing fields take their default, required ones must be there.
    Add,
    /// A partial update: only the given fields change.
    Update,
}

impl Schema {
    /// Adds a type; a second type of the same name is an error naming both files.
    pub fn add_type(&mut self, def: TypeDef) -> Result<()> {
        if let Some(old) = self.types.get(&def.name) {
            return Err(Error::Config {
                file: def.source.clone(),
                message: format!("type `{}` is already declared in {}", def.name, old.source),
            });
        }
        self.types.insert(def.name.clone(), def);
        Ok(())
    }

    /// Adds a vocabulary; duplicates are an error.
    pub fn add_vocabulary(&mut self, file: &str, vocab: Vocabulary) -> Result<()> {
        if self.vocabularies.contains_key(&vocab.name) {
            return Err(Error::Config {
                file: file.to_owned(),
                message: format!("vocabulary `{}` is already declared", vocab.name),
            });
        }
        self.vocabularies.insert(vocab.name.clone(), vocab);
        Ok(())
    }

    /// Checks what can only be checked once every module is loaded: that
    /// vocabularies and allowed types exist and that defaults are valid.
    pub fn check(&self) -> Result<()> {
        for ty in self.types.values() {
            let cfg = |message: String| Error::Config {
                file: ty.source.clone(),
                message,
            };
            for allowed in &ty.allowed {
                if !self.types.contains_key(allowed) {
                    return Err(cfg(format!(
                        "type `{}` allows unknown type `{allowed}`",
                        ty.name
                    )));
                }
            }
            for f in &ty.fields {
                if let Some(v) = &f.vocabulary {
                    if !self.vocabularies.contains_key(v) {
                        return Err(cfg(format!("field `{}`: unknown vocabulary `{v}`", f.name)));
                    }
                }
                if let Some(d) = &f.default {
                    let mut errors = Vec::new();
                    self.check_value(f, d, &mut errors);
                    if let Some(e) = errors.first() {
                        return Err(cfg(format!(
                            "field `{}`: bad default: {}",
                            f.name, e.message
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The type called `name`.
    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        self.types.get(name)
    }

    /// Every type, by name.
    pub fn types(&self) -> impl Iterator<Item = &TypeDef> {
        self.types.values()
    }

    /// The vocabulary called `name`.
    pub fn vocabulary(&self, name: &str) -> Option<&Vocabulary> {
        self.vocabularies.get(name)
    }

    /// Every vocabulary, by name.
    pub fn vocabularies(&self) -> impl Iterator<Item = &Vocabulary> {
        self.vocabularies.values()
    }

    /// Whether a `child` may be added in a container of type `parent`.
    pub fn allows(&self, parent: &TypeDef, child: &TypeDef) -> bool {
        parent.container
            && if parent.allowed.is_empty() {
                child.global_allow
            } else {
                parent.allowed.contains(&child.name)
            }
    }

    /// Validates `input` for a write of type `ty` and returns the cleaned
    /// values (rich text sanitised, defaults filled in on add). Returns every
    /// field error at once. Reference and blob existence is checked by the
    /// caller, which can see the store.
    pub fn validate(
        &self,
        ty: &TypeDef,
        input: &Map<String, Value>,
        mode: WriteMode,
    ) -> Result<Map<String, Value>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut out = Map::new();
        for key in input.keys() {
            if ty.field(key).is_none() {
                errors.push(FieldError::new(
                    key,
                    "unknown_field",
                    format!("`{}` has no field `{key}`", ty.name),
                ));
            }
        }
        for f in &ty.fields {
            let given = input.get(&f.name);
            let value = match (given, mode) {
                (Some(v), _) => Some(v.clone()),
                (None, WriteMode::Add) => f.default.clone(),
                (None, WriteMode::Update) => continue,
            };
            match value {
                None | Some(Value::Null) => {
                    if f.required {
                        errors.push(FieldError::new(&f.name, "required", "a value is required"));
                    } else if given.is_some() {
                        out.insert(f.name.clone(), Value::Null);
                    }
                }
                Some(Value::String(s)) if s.trim().is_empty() && !f.kind.is_blob() => {
                    if f.required {
                        errors.push(FieldError::new(&f.name, "required", "a value is required"));
                    } else {
                        out.insert(f.name.clone(), Value::Null);
                    }
                }
                Some(v) => {
                    if let Some(clean) = self.check_value(f, &v, &mut errors) {
                        out.insert(f.name.clone(), clean);
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    fn check_value(&self, f: &FieldDef, v: &Value, errors: &mut Vec<FieldError>) -> Option<Value> {
        let before = errors.len();
        let mut err = |code: &'static str, message: String| {
            errors.push(FieldError::new(&f.name, code, message));
        };
        let clean = match f.kind {
            FieldKind::Text | FieldKind::Textarea => match v.as_str() {
                Some(s) if looks_like_html(s) => {
                    err(
                        "html_not_allowed",
                        "HTML is not allowed in this field".into(),
                    );
                    None
                }
                Some(s) if f.kind == FieldKind::Text && s.contains('\n') => {
                    err("one_line", "this field takes a single line".into());
                    None
                }
                Some(s) => Some(Value::String(s.trim().to_owned())),
                None => {
                    err("wrong_type", "expected text".into());
                    None
                }
            },
            FieldKind::Richtext => match v.as_str() {
                Some(s) => Some(Value::String(crate::text::sanitize_html(s))),
                None => {
                    err("wrong_type", "expected HTML text".into());
                    None
                }
            },
            FieldKind::Integer => match v.as_i64() {
                Some(n) => Some(Value::from(n)),
                None => {
                    err("wrong_type", "expected a whole number".into());
                    None
                }
            },
            FieldKind::Decimal => {
                let n = v
                    .as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse::<f64>().ok()));
                match n {
                    Some(n) if n.is_finite() => serde_json::Number::from_f64(n).map(Value::Number),
                    _ => {
                        err("wrong_type", "expected a decimal number".into());
                        None
                    }
                }
            }
            FieldKind::Bool => match v.as_bool() {
                Some(b) => Some(Value::Bool(b)),
                None => {
                    err("wrong_type", "expected true or false".into());
                    None
                }
            },
            FieldKind::Date => match v
                .as_str()
                .map(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d"))
            {
                Some(Ok(d)) => Some(Value::String(d.format("%Y-%m-%d").to_string())),
                _ => {
                    err("bad_date", "expected a date as YYYY-MM-DD".into());
                    None
                }
            },
            FieldKind::Datetime => match v.as_str().map(chrono::DateTime::parse_from_rfc3339) {
                Some(Ok(d)) => Some(Value::String(d.to_rfc3339())),
                _ => {
                    err(
                        "bad_datetime",
                        "expected a date and time such as 2026-03-01T20:00:00+01:00".into(),
                    );
                    None
                }
            },
            FieldKind::Choice => match v.as_str() {
                Some(s) if self.in_vocabulary(f, s) => Some(Value::String(s.to_owned())),
                Some(s) => {
                    err(
                        "not_in_vocabulary",
                        format!("`{s}` is not one of the choices"),
                    );
                    None
                }
                None => {
                    err("wrong_type", "expected one choice".into());
                    None
                }
            },
            FieldKind::MultiChoice => match v.as_array() {
                Some(values) => {
                    let mut out = Vec::new();
                    let mut ok = true;
                    for x in values {
                        match x.as_str() {
                            Some(s) if self.in_vocabulary(f, s) => {
                                if !out.iter().any(|o: &Value| o.as_str() == Some(s)) {
                                    out.push(Value::String(s.to_owned()));
                                }
                            }
                            _ => {
                                err(
                                    "not_in_vocabulary",
                                    format!("`{x}` is not one of the choices"),
                                );
                                ok = false;
                            }
                        }
                    }
                    ok.then_some(Value::Array(out))
                }
                None => {
                    err("wrong_type", "expected a list of choices".into());
                    None
                }
            },
            FieldKind::Email => match v.as_str() {
                Some(s) if crate::text::is_email(s.trim()) => {
                    Some(Value::String(s.trim().to_owned()))
                }
                _ => {
                    err(
                        "bad_email",
                        "expected an e-mail address such as name@example.be".into(),
                    );
                    None
                }
            },
            FieldKind::Url => match v.as_str() {
                Some(s) if crate::text::is_url(s.trim()) => {
                    Some(Value::String(s.trim().to_owned()))
                }
                _ => {
                    err(
                        "bad_url",
                        "expected an address starting with https:// or http://".into(),
                    );
                    None
                }
            },
            FieldKind::Phone => match v.as_str() {
                Some(s) if crate::text::is_phone(s.trim()) => {
                    Some(Value::String(s.trim().to_owned()))
                }
                _ => {
                    err(
                        "bad_phone",
                        "expected a telephone number such as +32 71 26 02 11".into(),
                    );
                    None
                }
            },
            FieldKind::Reference => match v.as_str() {
                Some(s) if crate::text::is_uid(s) => Some(Value::String(s.to_owned())),
                _ => {
                    err("bad_reference", "expected the uid of another item".into());
                    None
                }
            },
            FieldKind::File | FieldKind::Image => match serde_json::from_value::<
                crate::store::BlobRef,
            >(v.clone())
            {
                Ok(b) if f.kind == FieldKind::Image && !b.content_type.starts_with("image/") => {
                    err(
                        "not_an_image",
                        format!("`{}` is not an image", b.content_type),
                    );
                    None
                }
                Ok(b) => serde_json::to_value(b).ok(),
                Err(_) => {
                    err("bad_blob", "expected a stored file".into());
                    None
                }
            },
            FieldKind::Address => match serde_json::from_value::<Address>(v.clone()) {
                Ok(a) => {
                    let problems = a.problems();
                    if problems.is_empty() {
                        serde_json::to_value(a.trimmed()).ok()
                    } else {
                        for p in problems {
                            err("bad_address", p);
                        }
                        None
                    }
                }
                Err(e) => {
                    err("bad_address", format!("expected an address: {e}"));
                    None
                }
            },
        };
        if let Some(Value::String(s)) = &clean {
            if let Some(max) = f.max_length {
                if s.chars().count() > max {
                    errors.push(FieldError::new(
                        &f.name,
                        "too_long",
                        format!("at most {max} characters"),
                    ));
                    return None;
                }
            }
        }
        if let Some(n) = clean.as_ref().and_then(Value::as_f64) {
            if matches!(f.kind, FieldKind::Integer | FieldKind::Decimal) {
                if let Some(min) = f.min.filter(|m| n < *m) {
                    errors.push(FieldError::new(
                        &f.name,
                        "too_small",
                        format!("at least {min}"),
                    ));
                    return None;
                }
                if let Some(max) = f.max.filter(|m| n > *m) {
                    errors.push(FieldError::new(
                        &f.name,
                        "too_large",
                        format!("at most {max}"),
                    ));
                    return None;
                }
            }
        }
        if errors.len() > before {
            None
        } else {
            clean
        }
    }

    fn in_vocabulary(&self, f: &FieldDef, value: &str) -> bool {
        f.vocabulary
            .as_deref()
            .and_then(|v| self.vocabularies.get(v))
            .is_some_and(|v| v.contains(value))
    }
}

/// A postal address, as stored in an `address` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street and number.
    pub street: String,
    /// Postal code.
    pub postcode: String,
    /// Town or locality.
    pub locality: String,
    /// Country code, `BE` when not given.
    #[serde(default = "belgium")]
    pub country: String,
    /// Latitude in degrees.
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude in degrees.
    #[serde(default)]
    pub lon: Option<f64>,
}

fn belgium() -> String {
    "BE".into()
}

impl Address {
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, v) in [
            ("street", &self.street),
            ("postcode", &self.postcode),
            ("locality", &self.locality),
            ("country", &self.country),
        ] {
            if looks_like_html(v) {
                out.push(format!("{name}: HTML is not allowed"));
            }
        }
        if self.locality.trim().is_empty() {
            out.push("locality is required".into());
        }
        if self.lat.is_some() != self.lon.is_some() {
            out.push("give both lat and lon, or neither".into());
        }
        if self.lat.is_some_and(|l| !(-90.0..=90.0).contains(&l)) {
            out.push("lat must be between -90 and 90".into());
        }
        if self.lon.is_some_and(|l| !(-180.0..=180.0).contains(&l)) {
            out.push("lon must be between -180 and 180".into());
        }
        out
    }

    fn trimmed(&self) -> Self {
        Self {
            street: self.street.trim().into(),
            postcode: self.postcode.trim().into(),
            locality: self.locality.trim().into(),
            country: self.country.trim().to_uppercase(),
            lat: self.lat,
            lon: self.lon,
        }
    }
}

/// Whether plain text carries markup: a `<` followed by a letter, `/`, `!` or `?`.
pub(crate) fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!' | b'?')))
}
