//! `beffroi-scaffold index`.

use std::process::ExitCode;

/// Runs the command.
pub(crate) fn run(check: bool) -> anyhow::Result<ExitCode> {
    let _ = check;
    anyhow::bail!("not written yet")
}
