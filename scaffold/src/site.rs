//! `beffroi-scaffold site`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Runs the command.
pub(crate) fn run(
    name: &str,
    modules: &[String],
    dir: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let _ = (name, modules, dir);
    anyhow::bail!("not written yet")
}
