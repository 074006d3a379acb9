//! Upgrade steps: how a site's stored data follows the module's releases.
//!
//! A site records the version of the module it last ran. When it starts
//! with a newer one, the steps with `installed < to <= linked` run, oldest
//! first, each in its own transaction (`upgrade --dry-run` lists them).
//!
//! Add a step whenever a release changes how data is stored: a field
//! renamed, removed or of another kind, a workflow state renamed or
//! removed. For example, for 0.2.0 renaming the field `summary` to
//! `abstract`:
//!
//! ```text
//! UpgradeStep { to: "0.2.0", title: "Rename the notices' summary to abstract", run: rename_summary },
//!
//! fn rename_summary(w: &mut Writer<'_>) -> Result<()> {
//!     for item in w.site().walk()? {
//!         if item.type_name == crate::NOTICE { /* w.update(&item.path, …, None)?; */ }
//!     }
//!     Ok(())
//! }
//! ```

use beffroi::prelude::*;

/// The module's upgrade steps, in any order. None yet: version 0.1.0 is
/// the first.
pub(crate) fn steps() -> Vec<UpgradeStep> {
    Vec::new()
}
