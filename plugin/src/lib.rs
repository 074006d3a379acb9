//! Write a Beffroi module that a town loads at run time from a shared
//! library, without rebuilding its site: a content type, a workflow,
//! templates, translations, demo content and a few hooks.
//!
//! Rust has no stable ABI, so nothing Rust-typed crosses between the site
//! and the library. The library exports one `extern "C"` function,
//! `beffroi_module_v1`, returning a [`abi::Header`] whose first two fields
//! never change: the plugin-API number ([`ABI_VERSION`]) and a
//! [`FINGERPRINT`] (plugin API, compiler version, target, panic strategy).
//! The site compares both with its own before touching anything else.
//! Behind them, the manifest and every hook call travel as JSON in byte
//! buffers, each freed by the side that allocated it, and every call into
//! the library catches panics, so a panicking hook fails that call only.
//!
//! A module author writes no `unsafe` and no `extern`: implement
//! [`Plugin`] and call [`export!`]:
//!
//! ```
//! use beffroi_plugin::{Event, EventKind, Hook, Manifest, Plugin};
//!
//! #[derive(Default)]
//! pub struct Notices;
//!
//! impl Plugin for Notices {
//!     fn manifest(&self) -> Manifest {
//!         Manifest::new("notices", "0.1.0")
//!             .title("Notices")
//!             .core("^0.3")
//!             .hook(Hook::before(&[EventKind::ItemAdded, EventKind::ItemModified]))
//!     }
//!
//!     fn on_event(&self, event: &Event) -> Result<(), String> {
//!         match &event.item {
//!             Some(item) if item.title().contains("forbidden") => {
//!                 Err("A title may not say “forbidden”.".into())
//!             }
//!             _ => Ok(()),
//!         }
//!     }
//! }
//!
//! beffroi_plugin::export!(Notices);
//! ```
//!
//! The crate depends on serde and serde_json only, so a module builds in
//! seconds. The site's core depends on it too, for the same definitions of
//! the header, the buffers and the JSON: there is one definition of the
//! boundary. All the `unsafe` code of this crate is in [`abi`] (the
//! library's side of the C functions), with a `SAFETY:` argument on each
//! block; the rest of the crate denies `unsafe`.
#![deny(unsafe_code)]

#[allow(unsafe_code)] // The C boundary: the one place pointers are read.
pub mod abi;
mod api;
mod event;
mod manifest;

pub use api::ABI_VERSION;
pub use event::{Event, EventKind, Item, Phase, Request, Response};
pub use manifest::{Counter, DemoItem, Hook, Manifest, UpgradeStep};
pub use serde_json::{json, Map, Value};

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The name of the function a module library exports.
pub const ENTRY: &str = "beffroi_module_v1";

/// The fingerprint as a literal, with `$end` appended (`"\0"` for C).
#[cfg(panic = "unwind")]
macro_rules! fingerprint {
    ($($end:literal)?) => {
        concat!(env!("BEFFROI_PLUGIN_FINGERPRINT"), " panic=unwind" $(, $end)?)
    };
}
#[cfg(not(panic = "unwind"))]
macro_rules! fingerprint {
    ($($end:literal)?) => {
        concat!(env!("BEFFROI_PLUGIN_FINGERPRINT"), " panic=abort" $(, $end)?)
    };
}
pub(crate) use fingerprint;

/// What this build is: plugin API, compiler version, target and panic
/// strategy, as `beffroi-plugin api=1 rustc=1.95.0
/// target=x86_64-unknown-linux-gnu panic=unwind`. A site loads only a
/// library whose fingerprint is its own.
pub const FINGERPRINT: &str = fingerprint!();

/// A fingerprint read back into its parts, to say what differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// The plugin-API number.
    pub api: String,
    /// The compiler's version (`1.95.0`).
    pub rustc: String,
    /// The target triple.
    pub target: String,
    /// `unwind` or `abort`.
    pub panic: String,
}

impl Fingerprint {
    /// This build's fingerprint.
    pub fn current() -> Self {
        Self::parse(FINGERPRINT).unwrap_or_else(|| Fingerprint {
            api: ABI_VERSION.to_string(),
            rustc: "unknown".into(),
            target: "unknown".into(),
            panic: "unknown".into(),
        })
    }

    /// Reads a fingerprint; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("beffroi-plugin ")?;
        let mut f = Fingerprint {
            api: String::new(),
            rustc: String::new(),
            target: String::new(),
            panic: String::new(),
        };
        for part in rest.split_whitespace() {
            let (k, v) = part.split_once('=')?;
            match k {
                "api" => f.api = v.to_owned(),
                "rustc" => f.rustc = v.to_owned(),
                "target" => f.target = v.to_owned(),
                "panic" => f.panic = v.to_owned(),
                _ => {}
            }
        }
        (!f.api.is_empty() && !f.rustc.is_empty() && !f.target.is_empty()).then_some(f)
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "plugin API {} with rustc {} on {} (panic={})",
            self.api, self.rustc, self.target, self.panic
        )
    }
}

/// A module loaded at run time, written in ordinary Rust. One value is
/// made with `Default` when the site first calls the library, and kept.
pub trait Plugin: Default + Send + Sync + 'static {
    /// What the module is and brings. Called once, when the site starts.
    fn manifest(&self) -> Manifest;

    /// Called for each event of a kind the manifest's hooks name, in the
    /// hook's phase. In the `before` phase, an `Err` refuses the write and
    /// its message reaches the person who made it; in the `after` phase it
    /// undoes the write the same way.
    fn on_event(&self, _event: &Event) -> Result<(), String> {
        Ok(())
    }

    /// Called by an upgrade step the manifest declares (to version `to`)
    /// for each item of the module's types: the fields to change, if any.
    fn upgrade(&self, _to: &str, _item: &Item) -> Result<Option<Map<String, Value>>, String> {
        Ok(None)
    }
}

/// Exports a [`Plugin`] as the library's entry, `beffroi_module_v1`. Call it
/// once, in the crate's `lib.rs` (a `cdylib`), with the plugin's type.
#[macro_export]
macro_rules! export {
    ($plugin:ty) => {
        /// The entry a Beffroi site looks for: the header of this library,
        /// made by `beffroi_plugin::export!`.
        #[no_mangle]
        pub extern "C" fn beffroi_module_v1() -> *const $crate::abi::Header {
            static HEADER: $crate::abi::Header = $crate::abi::header::<$plugin>();
            &HEADER
        }
    };
    // For the site's own tests: a library that claims another build.
    (@claiming $abi:expr, $fingerprint:expr, $plugin:ty) => {
        #[no_mangle]
        pub extern "C" fn beffroi_module_v1() -> *const $crate::abi::Header {
            static HEADER: $crate::abi::Header =
                $crate::abi::header_as::<$plugin>($abi, $fingerprint);
            &HEADER
        }
    };
}

/// The Fluent catalogs for the five languages Beffroi ships (`de`, `en`,
/// `es`, `fr`, `nl`), read from `<dir>/<lang>.ftl` relative to the calling
/// file, for [`Manifest::translations`]. A missing language does not
/// compile.
#[macro_export]
macro_rules! translations {
    ($dir:literal) => {
        [
            ("de", include_str!(concat!($dir, "/de.ftl"))),
            ("en", include_str!(concat!($dir, "/en.ftl"))),
            ("es", include_str!(concat!($dir, "/es.ftl"))),
            ("fr", include_str!(concat!($dir, "/fr.ftl"))),
            ("nl", include_str!(concat!($dir, "/nl.ftl"))),
        ]
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_fingerprint_reads_back() {
        let f = Fingerprint::current();
        assert_eq!(f.api, ABI_VERSION.to_string());
        assert_ne!(f.rustc, "unknown");
        assert!(f.rustc.starts_with("1."), "{f}");
        assert_eq!(f.panic, "unwind");
        assert_eq!(
            Fingerprint::parse(
                "beffroi-plugin api=1 rustc=1.94.0 target=x86_64-unknown-linux-gnu panic=unwind"
            )
            .unwrap()
            .to_string(),
            "plugin API 1 with rustc 1.94.0 on x86_64-unknown-linux-gnu (panic=unwind)"
        );
        assert!(Fingerprint::parse("hello").is_none());
    }
}
