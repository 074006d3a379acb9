//! Writes the fingerprint of this build into `BEFFROI_PLUGIN_FINGERPRINT`:
//! the plugin API, the compiler's version and the target. A site refuses a
//! module library whose fingerprint differs from its own, before calling
//! anything in it. (The panic strategy is added in `lib.rs`, where
//! `cfg(panic)` sees the profile's setting.)

use std::process::Command;

#[allow(unreachable_pub)] // Public in the library, which re-exports it.
#[path = "src/api.rs"]
mod api;

use api::ABI_VERSION;

fn main() {
    println!("cargo:rerun-if-changed=src/api.rs");
    println!("cargo:rerun-if-env-changed=RUSTC");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let release = Command::new(&rustc)
        .arg("-vV")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("release: ").map(|r| r.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown".into());
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    println!(
        "cargo:rustc-env=BEFFROI_PLUGIN_FINGERPRINT=beffroi-plugin api={ABI_VERSION} rustc={release} target={target}"
    );
}
