//! Navigation and site services: breadcrumbs, navigation, context navigation, navigation root, actions, the site, types and vocabularies, and expanded components.

use axum::response::Response;

use super::{Call, Req};
use crate::error::Result;

/// Answers the calls that are this part's, `None` for the others.
pub(super) fn dispatch(_req: &Req<'_>, _call: &Call) -> Option<Result<Response>> {
    None
}
