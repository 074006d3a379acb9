//! Reviewers are told when something is submitted for review.

use beffroi::prelude::*;
use beffroi::view::{Decorations, Page, View};

/// The views of this part.
pub(crate) fn views() -> Vec<View> {
    Vec::new()
}

/// Its hook subscribers.
pub(crate) fn subscribers() -> Vec<Subscriber> {
    Vec::new()
}

/// What it adds to pages.
pub(crate) fn decorate(
    _page: &Page<'_>,
    _item: Option<&Item>,
    _out: &mut Decorations,
) -> Result<()> {
    Ok(())
}
