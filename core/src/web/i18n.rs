//! Languages: the switcher and links between an item and its translations.

use axum::response::Response;

use super::{Call, Req};
use crate::error::Result;

/// Answers the calls that are this part's, `None` for the others.
pub(super) fn dispatch(_req: &Req<'_>, _call: &Call) -> Option<Result<Response>> {
    None
}
