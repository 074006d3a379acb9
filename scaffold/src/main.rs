//! `beffroi-scaffold`: what a contributing town needs to join in — a new
//! module or site that builds and passes its tests at once, the release
//! check and command for maintainers, and the module index.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod dynamic;
mod index;
mod module;
mod names;
mod release;
mod site;

/// Beffroi's contributor tools.
#[derive(Parser)]
#[command(name = "beffroi-scaffold", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates a module crate that builds, registers itself and passes its
    /// own tests at once.
    Module {
        /// The module's name, as a town would type it ("état civil").
        name: String,
        /// Where to create it (default: `modules/` in this workspace, else
        /// the current folder).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// A module loaded at run time from a shared library (a crate of
        /// its own, in `./<name>` or `--dir`, built with `beffroi-plugin`).
        #[arg(long)]
        dynamic: bool,
    },
    /// Creates a town site crate that serves at once with `cargo run`.
    Site {
        /// The town's name ("Fosses-la-Ville").
        name: String,
        /// The modules it links, comma-separated.
        #[arg(long, value_delimiter = ',')]
        modules: Vec<String>,
        /// Where to create it (default: `examples/` in this workspace, else
        /// the current folder).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Lists what a release of each module needs and what is missing.
    Check {
        /// The modules to check (default: every module of the workspace).
        modules: Vec<String>,
    },
    /// Releases a module: check, bump, changelog, snapshot, git tag.
    Release {
        /// The module to release.
        module: String,
        /// The kind of release.
        #[command(flatten)]
        bump: release::Bump,
        /// Shows everything it would do, and does nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Writes (or with `--check`, verifies) the module index in `docs/modules-index.md`.
    Index {
        /// Fails if the index is not up to date, instead of writing it.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Module { name, dir, dynamic } => module::run(&name, dir, dynamic),
        Command::Site { name, modules, dir } => site::run(&name, &modules, dir),
        Command::Check { modules } => check::run(&modules),
        Command::Release {
            module,
            bump,
            dry_run,
        } => release::run(&module, bump, dry_run),
        Command::Index { check } => index::run(check),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
