//! The editing pages: add and edit forms generated from the schema, folder contents, the workflow menu, history and sharing pages.

use axum::response::Response;

use super::{Call, Req};
use crate::error::Result;

/// Answers the calls that are this part's, `None` for the others.
pub(super) async fn dispatch(_req: &Req<'_>, _call: &Call) -> Option<Result<Response>> {
    None
}
