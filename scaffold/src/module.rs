//! `beffroi-scaffold module`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Runs the command.
pub(crate) fn run(name: &str, dir: Option<PathBuf>, dynamic: bool) -> anyhow::Result<ExitCode> {
    let _ = (name, dir, dynamic);
    anyhow::bail!("not written yet")
}
