//! `beffroi-scaffold release`.

use std::process::ExitCode;

/// Which part of the version a release bumps.
#[derive(clap::Args, Debug, Clone, Copy)]
#[group(required = true, multiple = false)]
pub(crate) struct Bump {
    /// A removed type, or anything that breaks what depends on the module.
    #[arg(long)]
    pub(crate) major: bool,
    /// New or changed fields, states or types (with their upgrade steps).
    #[arg(long)]
    pub(crate) minor: bool,
    /// Fixes only.
    #[arg(long)]
    pub(crate) patch: bool,
}

/// Runs the command.
pub(crate) fn run(module: &str, bump: Bump, dry_run: bool) -> anyhow::Result<ExitCode> {
    let _ = (module, bump, dry_run);
    anyhow::bail!("not written yet")
}
