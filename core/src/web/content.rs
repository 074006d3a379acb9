//! Content writes in the API: create, update, delete, order, lock, copy and move, link integrity, uploads.

use axum::response::Response;

use super::{Call, Req};
use crate::error::Result;

/// Answers the calls that are this part's, `None` for the others.
pub(super) async fn dispatch(_req: &Req<'_>, _call: &Call) -> Option<Result<Response>> {
    None
}
