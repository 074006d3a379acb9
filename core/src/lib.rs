//! Beffroi's core: the small common ground on which towns build and share
//! their software, in the spirit of Plone and CommunesPlone.
//!
//! Content types are data (TOML that modules embed); items live in a tree
//! per site and every write is one transaction through [`site::Writer`],
//! with hooks running inside it. Modules are crates that implement
//! [`Module`] and register with [`register_module!`]; a site binary names
//! them once with [`main!`], which also runs the command line.
//!
//! The one design decision to know: **every write goes through `Writer`,
//! and every `Writer` is one store transaction**, so content, indexes,
//! history and hooks' own writes land together or not at all.
//!
//! No `unsafe` code, with one fenced exception: the loader of run-time
//! modules (`dynamic/ffi.rs`, compiled only with the `dynamic` feature)
//! talks C to shared libraries. The crate denies `unsafe_code` (it cannot
//! `forbid` it, which no module could lift) and that one module alone
//! allows it.
#![deny(unsafe_code)]

pub mod access;
pub mod accounts;
pub mod addons;
pub mod audit;
pub mod auth;
mod cli;
pub mod config;
mod core_module;
pub mod diagram;
pub mod dynamic;
pub mod error;
pub mod export;
pub mod hooks;
pub mod i18n;
pub mod images;
pub mod item;
pub mod locks;
mod mail;
pub mod module;
pub mod redirects;
pub mod render;
pub mod schema;
pub mod search;
pub mod security;
pub mod settings;
pub mod site;
pub mod store;
pub mod text;
mod transition;
pub mod translations;
pub mod users;
pub mod versions;
pub mod view;
pub mod web;
pub mod workflow;

pub use cli::{run, Launch};
pub use config::SiteConfig;
pub use core_module::CoreModule;
pub use error::{Error, FieldError, Result};
pub use item::Item;
pub use module::{Manifest, Module, Registry, UpgradeStep};
pub use security::Principal;
pub use site::{JournalEntry, Site, Writer};

/// What a module author needs, in one import.
pub mod prelude {
    pub use crate::error::{Error, FieldError, Result};
    pub use crate::hooks::{Event, Phase, Subscriber, Veto};
    pub use crate::item::Item;
    pub use crate::module::{Manifest, Module, UpgradeStep};
    pub use crate::security::Principal;
    pub use crate::site::{AddOptions, Site, Writer};
    pub use crate::workflow::{Closed, CounterDef, Guard, GuardContext};
    pub use serde_json::{json, Map, Value};
}

#[doc(hidden)]
pub mod __private {
    pub use inventory;
}
