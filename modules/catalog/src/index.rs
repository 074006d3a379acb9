//! The tantivy index of one site: its schema, analyzers, how an item
//! becomes a document, and keeping it in step with the site's journal.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use beffroi::prelude::*;
use beffroi::schema::FieldKind;
use tantivy::schema::{
    DateOptions, Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The languages with their own analysis (stemming); others are folded only.
pub(crate) const LANGUAGES: &[(&str, Language)] = &[
    ("fr", Language::French),
    ("nl", Language::Dutch),
    ("en", Language::English),
    ("es", Language::Spanish),
    ("de", Language::German),
];

/// Bumped when the schema or the analysis changes: an index of another
/// version is rebuilt at start.
pub(crate) const SCHEMA_VERSION: &str = "3";

/// The bounds of an unset publication window: 1700-01-01 and 2200-01-01,
/// the dates a search handles.
const EARLIEST: i64 = -8_520_336_000;
const LATEST: i64 = 7_258_118_400;

/// The date indexes: (name, where the value comes from).
pub(crate) const DATES: &[&str] = &[
    "created",
    "modified",
    "effective",
    "expires",
    "start",
    "end",
];

/// The fields of the schema.
pub(crate) struct Fields {
    pub(crate) uid: Field,
    pub(crate) path: Field,
    pub(crate) ancestors: Field,
    pub(crate) depth: Field,
    pub(crate) position: Field,
    pub(crate) type_name: Field,
    pub(crate) review_state: Field,
    pub(crate) creator: Field,
    pub(crate) language: Field,
    pub(crate) subject: Field,
    pub(crate) allowed: Field,
    pub(crate) indexed: Field,
    pub(crate) facets: Field,
    pub(crate) title: Field,
    pub(crate) description: Field,
    pub(crate) sortable_title: Field,
    pub(crate) dates: Vec<(&'static str, Field)>,
    /// The publication window: `effective` (or the earliest date) and
    /// `expires` (or the latest), for searches of active items only.
    pub(crate) active_from: Field,
    pub(crate) active_until: Field,
    /// (language, title field, body field), the last for other languages.
    pub(crate) text: Vec<(&'static str, Field, Field)>,
    pub(crate) schema: Schema,
}

fn analyzer(lang: Option<Language>) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match lang {
        Some(l) => base.filter(Stemmer::new(l)).build(),
        None => base.build(),
    }
}

impl Fields {
    pub(crate) fn build() -> Self {
        let mut b = Schema::builder();
        let keyword = STRING | STORED | FAST;
        let uid = b.add_text_field("uid", STRING | STORED);
        let path = b.add_text_field("path", keyword.clone());
        let ancestors = b.add_text_field("ancestors", STRING);
        let depth = b.add_u64_field("depth", NumericOptions::default().set_indexed().set_fast());
        let position = b.add_u64_field("position", NumericOptions::default().set_fast());
        let type_name = b.add_text_field("type", keyword.clone());
        let review_state = b.add_text_field("review_state", keyword.clone());
        let creator = b.add_text_field("creator", STRING | FAST);
        let language = b.add_text_field("language", STRING | FAST);
        let subject = b.add_text_field("subject", STRING | STORED);
        let allowed = b.add_text_field("allowed", STRING);
        let indexed = b.add_text_field("indexed", STRING);
        let facets = b.add_facet_field("facets", FacetOptions::default());
        let title = b.add_text_field("title", STORED);
        let description = b.add_text_field("description", STORED);
        let sortable_title = b.add_text_field("sortable_title", STRING | FAST);
        let dates = DATES
            .iter()
            .map(|d| {
                (
                    *d,
                    b.add_date_field(
                        d,
                        DateOptions::default().set_indexed().set_fast().set_stored(),
                    ),
                )
            })
            .collect();
        // Columns, not terms: every item has its own dates, so a range over
        // the terms would walk one term per item on each search; a range
        // over a column reads the values in one pass (schema 3).
        let active_from = b.add_date_field("active_from", DateOptions::default().set_fast());
        let active_until = b.add_date_field("active_until", DateOptions::default().set_fast());
        let mut text = Vec::new();
        for (code, _) in LANGUAGES
            .iter()
            .map(|(c, l)| (*c, Some(*l)))
            .chain([("xx", None)])
        {
            let options = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(&format!("beffroi_{code}"))
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            );
            let t = b.add_text_field(&format!("title_{code}"), options.clone());
            let body = b.add_text_field(&format!("body_{code}"), options);
            text.push((code, t, body));
        }
        Self {
            uid,
            path,
            ancestors,
            depth,
            position,
            type_name,
            review_state,
            creator,
            language,
            subject,
            allowed,
            indexed,
            facets,
            title,
            description,
            sortable_title,
            dates,
            active_from,
            active_until,
            text,
            schema: b.build(),
        }
    }

    pub(crate) fn date(&self, name: &str) -> Option<Field> {
        self.dates.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
}

/// What the index knows about itself, kept beside it: the version of its
/// schema, a fingerprint of what decides its contents (workflows, role
/// map, field options), and the last write it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Marker {
    pub(crate) version: String,
    pub(crate) fingerprint: String,
    pub(crate) applied: u64,
}

const MARKER: &str = "beffroi-state.json";

/// One site's open index.
pub(crate) struct SiteIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) writer: Mutex<IndexWriter>,
    pub(crate) fields: Fields,
    pub(crate) marker: Mutex<Option<Marker>>,
    dir: Option<PathBuf>,
}

/// A fingerprint of everything that decides what the index holds besides
/// the content: a change (a workflow, `[workflows]` in `site.toml`, a field
/// marked `index`) means a rebuild.
pub(crate) fn fingerprint(site: &Site) -> String {
    use std::hash::{Hash, Hasher};
    let types: Vec<_> = site
        .schema()
        .types()
        .map(|t| {
            let fields: Vec<_> = t
                .fields
                .iter()
                .map(|f| (f.name.clone(), f.kind, f.index, f.searchable))
                .collect();
            (
                t.name.clone(),
                site.workflow_for(&t.name).map(|w| w.name.clone()),
                fields,
            )
        })
        .collect();
    let workflows: Vec<_> = site.workflows().collect();
    let text = serde_json::to_string(&(
        SCHEMA_VERSION,
        workflows,
        types,
        site.role_map(),
        &site.config().default_language,
    ))
    .unwrap_or_default();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    format!("{:016x}", h.finish())
}

fn register(index: &Index) {
    for (code, lang) in LANGUAGES {
        index
            .tokenizers()
            .register(&format!("beffroi_{code}"), analyzer(Some(*lang)));
    }
    index.tokenizers().register("beffroi_xx", analyzer(None));
}

pub(crate) type IndexResult<T> = std::result::Result<T, String>;

/// Where a site's index lives: beside the store's data, per site.
pub(crate) fn folder(site: &Site) -> Option<PathBuf> {
    site.store()
        .data_dir()
        .map(|d| d.join("catalog").join(site.id()))
}

impl SiteIndex {
    /// Opens the index in `dir` (or in memory), creating it when missing.
    /// Returns whether it was created (and so needs filling).
    pub(crate) fn open(dir: Option<&Path>) -> IndexResult<(Self, bool)> {
        let fields = Fields::build();
        let (index, created) = match dir {
            None => (Index::create_in_ram(fields.schema.clone()), true),
            Some(dir) => {
                // The marker is written only once a build has committed: an
                // index without one was never complete.
                let marker: Option<Marker> = std::fs::read(dir.join(MARKER))
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok());
                let fresh = !dir.join("meta.json").exists()
                    || marker.as_ref().is_none_or(|m| m.version != SCHEMA_VERSION);
                if fresh {
                    if dir.exists() {
                        std::fs::remove_dir_all(dir).map_err(|e| e.to_string())?;
                    }
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                    let index = Index::create_in_dir(dir, fields.schema.clone())
                        .map_err(|e| e.to_string())?;
                    (index, true)
                } else {
                    let index = Index::open_in_dir(dir).map_err(|e| e.to_string())?;
                    if index.schema() != fields.schema {
                        return Err("the index's schema differs from this version's".into());
                    }
                    (index, false)
                }
            }
        };
        register(&index);
        let writer: IndexWriter = index
            .writer_with_num_threads(1, 30_000_000)
            .map_err(|e| e.to_string())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| e.to_string())?;
        let marker = match (created, dir) {
            (false, Some(dir)) => std::fs::read(dir.join(MARKER))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok()),
            _ => None,
        };
        Ok((
            Self {
                index,
                reader,
                writer: Mutex::new(writer),
                fields,
                marker: Mutex::new(marker),
                dir: dir.map(Path::to_owned),
            },
            created,
        ))
    }

    /// The marker, if the index was ever completely built.
    pub(crate) fn marker(&self) -> Option<Marker> {
        self.marker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn save_marker(&self, m: Marker) -> IndexResult<()> {
        if let Some(dir) = &self.dir {
            let tmp = dir.join(format!("{MARKER}.tmp"));
            std::fs::write(&tmp, serde_json::to_vec(&m).unwrap_or_default())
                .map_err(|e| e.to_string())?;
            std::fs::rename(&tmp, dir.join(MARKER)).map_err(|e| e.to_string())?;
        }
        *self
            .marker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(m);
        Ok(())
    }

    /// Applies journal entries newer than the marker: replaces the
    /// documents of their uids with the site's current items (or removes
    /// them), commits, records the last write applied, and makes them
    /// visible. On failure the writer's pending changes are dropped.
    pub(crate) fn apply(&self, site: &Site, entries: &[beffroi::JournalEntry]) -> IndexResult<()> {
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(mut marker) = self.marker() else {
            return Err("the index was never built".into());
        };
        let pending: Vec<&beffroi::JournalEntry> =
            entries.iter().filter(|e| e.seq > marker.applied).collect();
        let Some(last) = pending.iter().map(|e| e.seq).max() else {
            return Ok(());
        };
        let uids: BTreeSet<&String> = pending.iter().flat_map(|e| e.uids.iter()).collect();
        let mut run = || -> IndexResult<()> {
            for uid in &uids {
                writer.delete_term(Term::from_field_text(self.fields.uid, uid));
                if let Some(item) = site.get_by_uid(uid).map_err(|e| e.to_string())? {
                    writer
                        .add_document(self.document(site, &item)?)
                        .map_err(|e| e.to_string())?;
                }
            }
            writer.commit().map_err(|e| e.to_string())?;
            Ok(())
        };
        if let Err(e) = run() {
            let _ = writer.rollback();
            return Err(e);
        }
        marker.applied = marker.applied.max(last);
        self.save_marker(marker)?;
        drop(writer);
        self.reader.reload().map_err(|e| e.to_string())
    }

    /// Empties the index and adds every item of the site; records the
    /// fingerprint and the last write it holds. The writer is held from
    /// before the site is read, so no newer change is overwritten.
    pub(crate) fn rebuild(
        &self,
        site: &Site,
        progress: &mut dyn FnMut(u64, u64),
    ) -> IndexResult<u64> {
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let applied = site.write_sequence().map_err(|e| e.to_string())?;
        let items = site.walk().map_err(|e| e.to_string())?;
        let total = items.len() as u64;
        let mut run = || -> IndexResult<()> {
            writer.delete_all_documents().map_err(|e| e.to_string())?;
            for (i, item) in items.iter().enumerate() {
                writer
                    .add_document(self.document(site, item)?)
                    .map_err(|e| e.to_string())?;
                if i % 500 == 0 || i as u64 + 1 == total {
                    progress(i as u64 + 1, total);
                }
            }
            writer.commit().map_err(|e| e.to_string())?;
            Ok(())
        };
        if let Err(e) = run() {
            let _ = writer.rollback();
            return Err(e);
        }
        self.save_marker(Marker {
            version: SCHEMA_VERSION.into(),
            fingerprint: fingerprint(site),
            applied,
        })?;
        drop(writer);
        self.reader.reload().map_err(|e| e.to_string())?;
        Ok(total)
    }

    /// The document for one item.
    pub(crate) fn document(&self, site: &Site, item: &Item) -> IndexResult<TantivyDocument> {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.uid, &item.uid);
        doc.add_text(f.path, &item.path);
        let segments: Vec<&str> = item.path.split('/').filter(|s| !s.is_empty()).collect();
        doc.add_u64(f.depth, segments.len() as u64);
        doc.add_u64(f.position, item.position);
        let mut prefix = String::new();
        doc.add_text(f.ancestors, "/");
        for seg in &segments {
            prefix.push('/');
            prefix.push_str(seg);
            doc.add_text(f.ancestors, &prefix);
        }
        doc.add_text(f.type_name, &item.type_name);
        doc.add_facet(
            f.facets,
            Facet::from_path(["type", item.type_name.as_str()]),
        );
        let state = item.review_state.clone().unwrap_or_default();
        doc.add_text(f.review_state, &state);
        if !state.is_empty() {
            doc.add_facet(f.facets, Facet::from_path(["review_state", state.as_str()]));
        }
        doc.add_text(f.creator, &item.creator);
        let lang = item
            .language
            .clone()
            .unwrap_or_else(|| site.config().default_language.clone());
        doc.add_text(f.language, &lang);
        for token in site.view_tokens(item).map_err(|e| e.to_string())? {
            doc.add_text(f.allowed, &token);
        }
        doc.add_text(f.title, item.title());
        doc.add_text(f.description, item.description());
        doc.add_text(f.sortable_title, crate::text::sort_key(item.title()));
        let dates = [
            ("created", Some(item.created.timestamp())),
            ("modified", Some(item.modified.timestamp())),
        ];
        for (name, secs) in dates {
            if let (Some(field), Some(secs)) = (f.date(name), secs) {
                doc.add_date(field, DateTime::from_timestamp_secs(secs));
            }
        }
        for name in ["effective", "expires", "start", "end"] {
            if let (Some(field), Some(secs)) = (
                f.date(name),
                item.field(name)
                    .and_then(Value::as_str)
                    .and_then(beffroi::search::timestamp),
            ) {
                doc.add_date(field, DateTime::from_timestamp_secs(secs));
            }
        }
        let date = |name: &str| {
            item.field(name)
                .and_then(Value::as_str)
                .and_then(beffroi::search::timestamp)
        };
        doc.add_date(
            f.active_from,
            DateTime::from_timestamp_secs(date("effective").unwrap_or(EARLIEST)),
        );
        doc.add_date(
            f.active_until,
            DateTime::from_timestamp_secs(date("expires").unwrap_or(LATEST)),
        );
        for name in ["subjects", "subject"] {
            for s in beffroi::search::strings(item.field(name)) {
                doc.add_text(f.subject, &s);
                doc.add_facet(f.facets, Facet::from_path(["subject", s.as_str()]));
            }
        }
        // Full text, in the item's language.
        let (_, title_field, body_field) = f
            .text
            .iter()
            .find(|(code, _, _)| *code == lang)
            .or_else(|| f.text.last())
            .copied()
            .ok_or("no text field")?;
        doc.add_text(title_field, item.title());
        let text = beffroi::search::item_text(site, item, &lang, |kind, value| match kind {
            FieldKind::File => crate::text::file_text(site, value),
            _ => beffroi::search::strings(Some(value)).join(" "),
        });
        for v in &text.indexed {
            doc.add_text(f.indexed, v);
            if let Some((name, value)) = v.split_once('=') {
                doc.add_facet(f.facets, Facet::from_path(["field", name, value]));
            }
        }
        doc.add_text(body_field, &text.body);
        Ok(doc)
    }
}
