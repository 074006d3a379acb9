use beffroi::prelude::*;

use crate::common::{admin, data, town};

#[test]
fn a_before_subscriber_vetoes_with_a_message_and_nothing_is_written() {
    let t = town();
    let err = t
        .site
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "A forbidden page"})),
        )
        .unwrap_err();
    match err {
        Error::Vetoed { module, message } => {
            assert_eq!(module, "testing");
            assert_eq!(message, "titles may not say forbidden");
        }
        other => panic!("expected a veto, got {other}"),
    }
    assert!(t.site.children("/").unwrap().is_empty());
}

#[test]
fn subscribers_write_inside_the_transaction_in_order() {
    let t = town();
    let s = &t.site;
    s.add(&admin(), "/", "Page", data(json!({"title": "one"})))
        .unwrap();
    s.add(&admin(), "/", "Page", data(json!({"title": "two"})))
        .unwrap();
    let counter = |s: &Site| {
        s.write(&admin(), |w| w.module_get("testing", "added"))
            .unwrap()
    };
    assert_eq!(counter(s), Some(json!(2)));
    // The third addition is refused by a later subscriber that reads the
    // counter the earlier one just wrote: the counter's write is rolled back too.
    let err = s
        .add(&admin(), "/", "Page", data(json!({"title": "third check"})))
        .unwrap_err();
    assert!(matches!(err, Error::Vetoed { .. }), "{err}");
    assert_eq!(counter(s), Some(json!(2)));
    assert!(s.get("/third-check").unwrap().is_none());
}
