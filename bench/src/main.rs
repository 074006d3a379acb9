//! The load harness's site binary: a town with the website and the
//! catalog (its `site.toml` is beside `Cargo.toml`), which also generates
//! realistic sites to load (`generate`) and serves fixed bytes from memory
//! to compare with (`bare`). Every other command is the core's.
#![forbid(unsafe_code)]

use std::process::ExitCode;

mod bare;
mod generate;

/// The module crates this town links.
fn linked_modules() -> Vec<&'static dyn beffroi::Module> {
    vec![beffroi_website::module(), beffroi_catalog::module()]
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let outcome = match args.get(1).map(String::as_str) {
        Some("generate") => generate::run(&args[2..]),
        Some("bare") => bare::run(&args[2..]),
        _ => {
            return beffroi::run(beffroi::Launch {
                linked: linked_modules(),
                site_toml: include_str!("../site.toml"),
                site_dir: env!("CARGO_MANIFEST_DIR"),
            })
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
