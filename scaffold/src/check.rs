//! `beffroi-scaffold check`.

use std::process::ExitCode;

/// Runs the command.
pub(crate) fn run(modules: &[String]) -> anyhow::Result<ExitCode> {
    let _ = modules;
    anyhow::bail!("not written yet")
}
