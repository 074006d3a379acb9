//! Modules loaded at run time from shared libraries, so that a town running
//! a published binary adds a small module of its own without rebuilding:
//! it copies the library into the site's modules folder, names it in
//! `site.toml` (`[modules.notice]` with `library = "libnotice.so"`) and
//! restarts.
//!
//! Rust has no stable ABI, so nothing Rust-typed crosses: the library is
//! built with the `beffroi-plugin` crate, exports one C function returning
//! a header (plugin-API number and fingerprint first, checked before
//! anything else), and speaks JSON in byte buffers. [`load`] opens and
//! checks every library the sites name before registering any, so a site
//! never starts half-loaded; each becomes a [`Module`](crate::Module) like the others
//! (`modules`, `@addons`, install, upgrades, `check`), whose hooks and
//! upgrade steps call into the library.
//!
//! Libraries are loaded once and never unloaded. **Loading a library runs
//! its code: it is trusted as the binary is.** All `unsafe` code is in
//! `ffi.rs`, compiled only with the `dynamic` feature; without it, a
//! `site.toml` naming a library is refused with a message saying so.

#[cfg(feature = "dynamic")]
mod bridge;
#[cfg(feature = "dynamic")]
#[allow(unsafe_code)] // The crate's one exception: see the module's documentation.
mod ffi;
#[cfg(feature = "dynamic")]
mod loaded;

use crate::config::SiteConfig;
use crate::error::Result;
use crate::module::Registry;

/// The registry with every run-time module the sites name added: each
/// library is opened, its header, fingerprint and manifest checked, and
/// only when all are good are they registered. A refusal names the file
/// and says what to do. Without the `dynamic` feature, a site naming a
/// library is refused.
pub fn load(registry: &Registry, configs: &[SiteConfig]) -> Result<Registry> {
    let wanted: Vec<(String, std::path::PathBuf)> =
        configs.iter().flat_map(SiteConfig::libraries).collect();
    if wanted.is_empty() {
        return Ok(registry.clone());
    }
    #[cfg(feature = "dynamic")]
    {
        loaded::load(registry, &wanted)
    }
    #[cfg(not(feature = "dynamic"))]
    {
        let (name, path) = &wanted[0];
        Err(crate::error::Error::Library {
            file: path.display().to_string(),
            message: format!(
                "`[modules.{name}]` names a shared library, but this binary was built without \
                 run-time modules: build it with the `dynamic` feature of beffroi \
                 (`beffroi = {{ version = \"…\", features = [\"dynamic\"] }}`), or link the \
                 module at compile time"
            ),
        })
    }
}

/// The run-time modules loaded in this process: (module, library file).
pub fn loaded() -> Vec<(&'static str, String)> {
    #[cfg(feature = "dynamic")]
    {
        loaded::all()
    }
    #[cfg(not(feature = "dynamic"))]
    {
        Vec::new()
    }
}

/// What a module library must be built for to be loaded by this binary,
/// for people: `plugin API 1 with rustc 1.95.0 on
/// x86_64-unknown-linux-gnu (panic=unwind)`; `None` without the `dynamic`
/// feature.
pub fn expected() -> Option<String> {
    #[cfg(feature = "dynamic")]
    {
        Some(beffroi_plugin::Fingerprint::current().to_string())
    }
    #[cfg(not(feature = "dynamic"))]
    {
        None
    }
}

/// Whether this binary can load run-time modules (built with the
/// `dynamic` feature).
pub const AVAILABLE: bool = cfg!(feature = "dynamic");

/// The fingerprint a module library must carry to be loaded by this
/// binary (`beffroi-plugin api=1 rustc=… target=… panic=unwind`); `None`
/// without the `dynamic` feature.
pub fn fingerprint() -> Option<&'static str> {
    #[cfg(feature = "dynamic")]
    {
        Some(beffroi_plugin::FINGERPRINT)
    }
    #[cfg(not(feature = "dynamic"))]
    {
        None
    }
}
