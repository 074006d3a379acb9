use beffroi::prelude::*;
use beffroi_catalog::{search, DateRange, PathQuery, Query, SortOrder};

use crate::common::{admin, open, published, text};

#[test]
fn stemming_and_accent_folding_work_in_each_language() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let who = Principal::anonymous();
    let cases = [
        (
            "fr",
            "Les délibérations du conseil communal",
            "deliberation",
        ),
        ("nl", "De vergaderingen van de gemeenteraad", "vergadering"),
        ("en", "Minutes of the council meetings", "meeting"),
        ("es", "Las calles del municipio", "calle"),
        ("de", "Die Straßen der Gemeinden", "Strassen Gemeinde"),
    ];
    for (lang, title, _) in cases {
        published(
            &s,
            "/",
            "Document",
            &format!("doc-{lang}"),
            Some(lang),
            json!({"title": title}),
        );
    }
    for (lang, _, query) in cases {
        assert_eq!(
            text(&s, &who, query),
            [format!("/doc-{lang}")],
            "{lang}: {query}"
        );
    }
    // Accents and case are ignored both ways.
    assert_eq!(text(&s, &who, "DÉLIBÉRATIONS"), ["/doc-fr"]);
    assert_eq!(text(&s, &who, "straße"), ["/doc-de"]);
    // All words must be there; punctuation in a search box is not an error.
    assert!(text(&s, &who, "deliberation gemeenteraad").is_empty());
    assert_eq!(text(&s, &who, "conseil: \"communal"), ["/doc-fr"]);
}

#[test]
fn titles_weigh_more_and_rich_text_and_files_are_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let who = Principal::anonymous();
    published(
        &s,
        "/",
        "Document",
        "body",
        None,
        json!({"title": "Horaires", "text": "<p>Le service <strong>urbanisme</strong> ouvre à 8 h.</p>"}),
    );
    published(
        &s,
        "/",
        "Document",
        "title",
        None,
        json!({"title": "Urbanisme", "text": "<p>Permis</p>"}),
    );
    assert_eq!(text(&s, &who, "urbanisme"), ["/title", "/body"]);
    assert!(text(&s, &who, "strong").is_empty(), "tags are not text");
    // A field marked `searchable = false` is not searched.
    published(
        &s,
        "/",
        "Notice",
        "notice",
        None,
        json!({"title": "Avis", "internal_note": "confidentiel"}),
    );
    assert!(text(&s, &who, "confidentiel").is_empty());

    // Plain-text and PDF files.
    let txt = s
        .put_blob(
            &mut "Procès-verbal de la séance du conseil".as_bytes(),
            "text/plain",
            "pv.txt",
        )
        .unwrap();
    published(
        &s,
        "/",
        "File",
        "pv",
        None,
        json!({"title": "PV", "file": txt}),
    );
    assert_eq!(text(&s, &who, "proces-verbal seance"), ["/pv"]);
    let pdf = s
        .put_blob(
            &mut pdf_with("Reglement general de police administrative").as_slice(),
            "application/pdf",
            "rgp.pdf",
        )
        .unwrap();
    published(
        &s,
        "/",
        "File",
        "rgp",
        None,
        json!({"title": "RGP", "file": pdf}),
    );
    assert_eq!(text(&s, &who, "administrative police"), ["/rgp"]);
    // A broken PDF is indexed without its text, and nothing fails.
    let broken = s
        .put_blob(
            &mut b"%PDF-1.4 not really".as_slice(),
            "application/pdf",
            "x.pdf",
        )
        .unwrap();
    published(
        &s,
        "/",
        "File",
        "broken",
        None,
        json!({"title": "Cassé", "file": broken}),
    );
    assert_eq!(text(&s, &who, "cassé"), ["/broken"]);
}

/// A one-page PDF showing `line` in Helvetica.
fn pdf_with(line: &str) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new("Tj", vec![Object::string_literal(line)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn queries_combine_indexes_paths_dates_sorting_batches_and_facets() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let who = Principal::anonymous();
    published(
        &s,
        "/",
        "Folder",
        "agenda",
        None,
        json!({"title": "Agenda"}),
    );
    published(
        &s,
        "/agenda",
        "Folder",
        "sport",
        None,
        json!({"title": "Sport"}),
    );
    for (id, title, start, category, subject) in [
        (
            "conseil",
            "Conseil communal",
            "2026-12-14",
            "politique",
            "conseil",
        ),
        (
            "marche",
            "Marché de Noël",
            "2026-12-05",
            "festivites",
            "noel",
        ),
        ("jogging", "Jogging", "2027-03-01", "sport", "sport"),
        ("college", "Collège", "2026-11-30", "politique", "conseil"),
    ] {
        let parent = if id == "jogging" {
            "/agenda/sport"
        } else {
            "/agenda"
        };
        published(
            &s,
            parent,
            "Notice",
            id,
            None,
            json!({"title": title, "start": start, "category": category, "subjects": subject}),
        );
    }
    let q = |f: &dyn Fn(&mut Query)| {
        let mut q = Query::default();
        f(&mut q);
        search(&s, &who, &q).unwrap()
    };
    let paths =
        |r: &beffroi_catalog::Results| r.items.iter().map(|h| h.path.clone()).collect::<Vec<_>>();

    // Children only, sorted by title.
    let r = q(&|q| {
        q.path = Some(PathQuery {
            path: "/agenda".into(),
            depth: Some(1),
        });
        q.types = vec!["Notice".into()];
        q.sort_on = Some("title".into());
    });
    assert_eq!(
        paths(&r),
        ["/agenda/college", "/agenda/conseil", "/agenda/marche"]
    );
    // The whole subtree, the folder itself included.
    let r = q(&|q| {
        q.path = Some(PathQuery {
            path: "/agenda".into(),
            depth: None,
        })
    });
    assert_eq!(r.total, 6);
    let r = q(&|q| {
        q.path = Some(PathQuery {
            path: "/agenda".into(),
            depth: Some(0),
        })
    });
    assert_eq!(paths(&r), ["/agenda"]);
    // A date range, sorted by start, latest first.
    let r = q(&|q| {
        q.dates.insert(
            "start".into(),
            DateRange {
                min: Some("2026-12-01".into()),
                max: Some("2026-12-31".into()),
            },
        );
        q.sort_on = Some("start".into());
        q.sort_order = SortOrder::Descending;
    });
    assert_eq!(paths(&r), ["/agenda/conseil", "/agenda/marche"]);
    // An indexed field and a subject.
    let r = q(&|q| {
        q.fields.insert("category".into(), "politique".into());
        q.sort_on = Some("start".into());
    });
    assert_eq!(paths(&r), ["/agenda/college", "/agenda/conseil"]);
    let r = q(&|q| q.subjects = vec!["noel".into(), "sport".into()]);
    assert_eq!(r.total, 2);
    // Batching: totals and facets cover every match, items only the batch.
    let r = q(&|q| {
        q.types = vec!["Notice".into()];
        q.sort_on = Some("start".into());
        q.b_start = 1;
        q.b_size = 2;
        q.facets = vec!["subject".into(), "type".into()];
    });
    assert_eq!(r.total, 4);
    assert_eq!(paths(&r), ["/agenda/marche", "/agenda/conseil"]);
    assert_eq!(r.facets["subject"]["conseil"], 2);
    assert_eq!(r.facets["subject"]["sport"], 1);
    assert_eq!(r.facets["type"]["Notice"], 4);
    // Text with filters, by relevance.
    let r = q(&|q| {
        q.text = Some("conseil".into());
        q.path = Some(PathQuery {
            path: "/agenda".into(),
            depth: None,
        });
    });
    // The title match first; the other has the word in its subjects.
    assert_eq!(paths(&r), ["/agenda/conseil", "/agenda/college"]);

    // Bad queries are refused clearly.
    for bad in [
        Query {
            sort_on: Some("colour".into()),
            ..Default::default()
        },
        Query {
            facets: vec!["colour".into()],
            ..Default::default()
        },
        Query {
            dates: [(
                "start".to_owned(),
                DateRange {
                    min: Some("soon".into()),
                    max: None,
                },
            )]
            .into(),
            ..Default::default()
        },
        Query {
            dates: [("birthday".to_owned(), DateRange::default())].into(),
            ..Default::default()
        },
        Query {
            text: Some("x".repeat(501)),
            ..Default::default()
        },
        Query {
            text: Some("«»".into()),
            ..Default::default()
        },
    ] {
        let e = search(&s, &admin(), &bad).unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{bad:?}: {e}");
    }
}
