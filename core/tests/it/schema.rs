use beffroi::prelude::*;
use beffroi::Registry;

use crate::common::{admin, data, open_site, registry, town, SITE_TOML};

struct Bad(&'static [(&'static str, &'static str)]);

impl Module for Bad {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "bad",
            version: "1.0.0",
            types: self.0,
            ..Manifest::EMPTY
        }
    }
}

fn start_error(toml: &'static str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let module: &'static Bad = Box::leak(Box::new(Bad(vec![("types/broken.toml", toml)].leak())));
    let reg: Registry = registry(&[module]);
    let site_toml = format!("{SITE_TOML}[modules.bad]\n");
    open_site(dir.path(), &site_toml, &reg)
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_declarations_are_start_up_errors_naming_file_and_field() {
    let check = |toml: &'static str, expected: &[&str]| {
        let err = start_error(toml);
        for e in expected {
            assert!(err.contains(e), "`{err}` should mention `{e}`");
        }
    };
    check(
        "name = \"X\"\n[[field]]\nname = \"size\"\nkind = \"colour\"\n",
        &[
            "bad/types/broken.toml",
            "field `size`",
            "unknown kind `colour`",
        ],
    );
    check(
        "name = \"X\"\n[[field]]\nname = \"a\"\nkind = \"text\"\n[[field]]\nname = \"a\"\nkind = \"integer\"\n",
        &["bad/types/broken.toml", "field `a` is declared twice"],
    );
    check(
        "name = \"X\"\n[[field]]\nname = \"n\"\nkind = \"integer\"\nmax = 3\ndefault = 7\n",
        &["bad/types/broken.toml", "field `n`", "bad default"],
    );
    check(
        "name = \"X\"\n[[field]]\nname = \"k\"\nkind = \"choice\"\nvocabulary = \"nope\"\n",
        &["field `k`", "unknown vocabulary `nope`"],
    );
    check(
        "name = \"Page\"\n",
        &["type `Page` is already declared", "testing/types/page.toml"],
    );
    check(
        "name = \"X\"\ncolour = 3\n",
        &["bad/types/broken.toml", "colour"],
    );
    check("name = \"X\"\n[[field\n", &["bad/types/broken.toml"]);
}

#[test]
fn every_field_error_is_returned_at_once() {
    let t = town();
    let err = t
        .site
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({
                "count": 11,
                "price": "abc",
                "open": "yes",
                "day": "2026-13-01",
                "at": "tomorrow",
                "kind": "sports",
                "tags": ["civil", "nope"],
                "email": "not-an-email",
                "website": "javascript:alert(1)",
                "phone": "12",
                "related": "0123",
                "where": {"street": "Rue <b>x</b>", "postcode": "5060", "locality": "", "lat": 91.0},
                "code": "too long",
                "colour": "red",
            })),
        )
        .unwrap_err();
    let beffroi::Error::Invalid(errors) = err else {
        panic!("expected Invalid, got {err}")
    };
    let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    fields.sort();
    fields.dedup();
    assert_eq!(
        fields,
        vec![
            "at", "code", "colour", "count", "day", "email", "kind", "open", "phone", "price",
            "related", "tags", "title", "website", "where"
        ]
    );
    assert!(
        t.site.children("/").unwrap().is_empty(),
        "nothing was written"
    );
}

#[test]
fn values_are_cleaned_and_defaults_applied() {
    let t = town();
    let item = t
        .site
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({
                "title": "  État civil  ",
                "text": "<p onclick=\"steal()\">Bonjour<script>alert(1)</script></p>",
                "count": 3,
                "price": "12.50",
                "day": "2026-03-01",
                "at": "2026-03-01T20:00:00+01:00",
                "kind": "civil",
                "tags": ["works", "civil", "works"],
                "where": {"street": "Grand-Place 1", "postcode": "5060", "locality": "Sambreville", "lat": 50.44, "lon": 4.61},
            })),
        )
        .unwrap();
    assert_eq!(item.id, "etat-civil");
    assert_eq!(item.title(), "État civil");
    assert_eq!(item.field("text"), Some(&json!("<p>Bonjour</p>")));
    assert_eq!(item.field("price"), Some(&json!(12.5)));
    assert_eq!(item.field("tags"), Some(&json!(["works", "civil"])));
    assert_eq!(item.field("status"), Some(&json!("new")));
    assert_eq!(
        item.field("where").and_then(|w| w.get("country")),
        Some(&json!("BE"))
    );
}

#[test]
fn html_in_plain_text_is_refused() {
    let t = town();
    let err = t
        .site
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "<script>alert(1)</script>"})),
        )
        .unwrap_err();
    assert!(
        matches!(&err, beffroi::Error::Invalid(e) if e[0].code == "html_not_allowed"),
        "{err}"
    );
    // A lone `<` in prose is not markup.
    t.site
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "Moins de 3 < 5 ans"})),
        )
        .unwrap();
}
