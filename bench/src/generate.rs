//! `generate`: a town's site of `N` documents, made through the core's own
//! writes (validated, with their workflow, history and hooks) in a
//! throw-away data folder, then exported to the folder `import` reads.
//!
//! The content: folders `dossier-0`, `dossier-1`, … of at most 10,000
//! documents `page-0`, `page-1`, … each, with a title of a few words and a
//! number, a summary, three paragraphs of French text, a category, one or
//! two topics and an audience. Nine documents in ten are published (the
//! tenth, `page-0`, `page-10`, …, stays private: the transitions of the
//! load test publish them); one in twenty speaks of "délibérations du
//! conseil" (5,000 hits in 100,000 items). The text is pseudo-random but
//! the same on every run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use beffroi::prelude::*;
use beffroi::site::AddOptions;
use beffroi::store::{SledStore, Store};
use beffroi::{Registry, SiteConfig};
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "beffroi-bench generate",
    about = "Make and export a site of generated documents."
)]
struct Args {
    /// The export folder to create.
    #[arg(long)]
    out: PathBuf,
    /// How many documents.
    #[arg(long, default_value_t = 100_000)]
    items: usize,
    /// How many documents per folder.
    #[arg(long, default_value_t = 10_000)]
    per_folder: usize,
    /// The `admin` account's password.
    #[arg(long, default_value = "Charge-du-beffroi-2026")]
    admin_password: String,
}

/// How many documents go in one write (one transaction).
const BATCH: usize = 1_000;

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let a = Args::parse_from(std::iter::once("generate".to_owned()).chain(args.iter().cloned()));
    anyhow::ensure!(a.per_folder > 0, "--per-folder must be above 0");
    anyhow::ensure!(!a.out.exists(), "{} exists already", a.out.display());
    let work = a.out.with_extension("data");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    let started = Instant::now();
    let outcome = make(&a, &work);
    let _ = std::fs::remove_dir_all(&work);
    let made = outcome?;
    eprintln!(
        "generated {made} documents and exported them to {} in {:.1} s",
        a.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn make(a: &Args, work: &Path) -> anyhow::Result<usize> {
    let registry = Registry::global()?;
    registry.check_linked(&crate::linked_modules())?;
    let config = SiteConfig::parse(
        "site.toml",
        include_str!("../site.toml"),
        Path::new(env!("CARGO_MANIFEST_DIR")),
    )?;
    let store: Arc<dyn Store> = Arc::new(SledStore::open(work)?);
    let site = Site::open(config, store, &registry)?;
    site.create(Some(&a.admin_password))?;
    site.install_new_modules()?;
    let system = Principal::system("admin");
    let mut text = Text(0x2545_f491_4f6c_dd1d);
    let started = Instant::now();
    let mut made = 0;
    let mut folder = 0;
    while made < a.items {
        let in_folder = a.per_folder.min(a.items - made);
        let path = site.write(&system, |w| {
            let f = w.add_with(
                "/",
                "Folder",
                data(json!({
                    "title": format!("Dossier {folder} — {}", text.words(3)),
                    "description": text.words(12),
                })),
                AddOptions {
                    id: Some(format!("dossier-{folder}")),
                    language: None,
                },
            )?;
            w.transition(&f.path, "publish", "")?;
            Ok(f.path)
        })?;
        let mut i = 0;
        while i < in_folder {
            let end = (i + BATCH).min(in_folder);
            site.write(&system, |w| {
                for n in i..end {
                    document(w, &path, n, &mut text)?;
                }
                Ok(())
            })?;
            made += end - i;
            i = end;
            if made % (a.items / 10).max(BATCH) < BATCH || made == a.items {
                let s = started.elapsed().as_secs_f64();
                eprintln!(
                    "  {made}/{} documents written ({s:.1} s, {:.0}/s)",
                    a.items,
                    made as f64 / s.max(0.001)
                );
            }
        }
        folder += 1;
    }
    let exporting = Instant::now();
    let summary = beffroi::export::export_site(&site, &system, &a.out, &mut |_, _| {})?;
    eprintln!(
        "exported {} items in {:.1} s",
        summary.items,
        exporting.elapsed().as_secs_f64()
    );
    Ok(made)
}

/// Adds document `n` to the folder at `path`, published unless `n` is a
/// multiple of ten.
fn document(w: &mut Writer<'_>, path: &str, n: usize, text: &mut Text) -> Result<()> {
    let topic = if n % 20 == 5 {
        "délibérations du conseil"
    } else {
        "informations pratiques"
    };
    let body = format!(
        "<p>{} {topic} {}.</p><p>{}.</p><p>{} <strong>{}</strong>.</p>",
        capitalised(&text.words(14)),
        text.words(10),
        capitalised(&text.words(22)),
        capitalised(&text.words(16)),
        text.words(3)
    );
    let mut topics = vec![TOPICS[text.pick(TOPICS.len())]];
    if n % 3 == 0 {
        topics.push(TOPICS[text.pick(TOPICS.len())]);
        topics.dedup();
    }
    let item = w.add_with(
        path,
        "Document",
        data(json!({
            "title": format!("{} {n}", capitalised(&text.words(4))),
            "description": capitalised(&text.words(18)),
            "text": body,
            "page_category": CATEGORIES[n % CATEGORIES.len()],
            "topics": topics,
            "audiences": [AUDIENCES[text.pick(AUDIENCES.len())]],
        })),
        AddOptions {
            id: Some(format!("page-{n}")),
            language: None,
        },
    )?;
    if n % 10 != 0 {
        w.transition(&item.path, "publish", "")?;
    }
    Ok(())
}

fn data(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

const TOPICS: &[&str] = &[
    "culture",
    "environment",
    "mobility",
    "sports",
    "social",
    "health",
    "education",
    "tourism",
    "citizenship",
    "habitat",
];

const CATEGORIES: &[&str] = &[
    "notices",
    "jobs",
    "roadworks",
    "press",
    "publication",
    "regulations",
    "taxes",
];

const AUDIENCES: &[&str] = &[
    "merchant", "young", "newcomer", "parent", "elder", "tourist",
];

const WORDS: &[&str] = &[
    "commune",
    "service",
    "travaux",
    "voirie",
    "école",
    "enfants",
    "parents",
    "horaires",
    "ouverture",
    "fermeture",
    "permis",
    "urbanisme",
    "environnement",
    "déchets",
    "collecte",
    "population",
    "carte",
    "identité",
    "passeport",
    "mariage",
    "naissance",
    "cimetière",
    "subsides",
    "associations",
    "sport",
    "culture",
    "bibliothèque",
    "marché",
    "commerce",
    "police",
    "sécurité",
    "stationnement",
    "parking",
    "bus",
    "gare",
    "vélo",
    "piétons",
    "quartier",
    "rue",
    "place",
    "église",
    "château",
    "rivière",
    "Sambre",
    "pont",
    "chantier",
    "budget",
    "taxe",
    "règlement",
    "enquête",
    "publique",
    "avis",
    "réunion",
    "citoyens",
    "échevin",
    "bourgmestre",
    "CPAS",
    "logement",
    "emploi",
    "aînés",
    "jeunesse",
    "crèche",
    "piscine",
    "salle",
    "fête",
    "brocante",
    "concert",
    "exposition",
    "musée",
    "promenade",
    "forêt",
    "jardin",
    "énergie",
    "rénovation",
    "prime",
    "guichet",
    "rendez-vous",
    "formulaire",
    "déclaration",
    "domicile",
    "mobilité",
    "navette",
    "inscription",
    "calendrier",
    "le",
    "la",
    "les",
    "des",
    "du",
    "pour",
    "avec",
    "dans",
    "et",
    "sur",
    "au",
    "aux",
    "en",
];

/// A deterministic pseudo-random word source (xorshift).
struct Text(u64);

impl Text {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[self.pick(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}
