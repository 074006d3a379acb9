//! Integration tests of the website module, through the core's public API
//! and HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails loudly; that is its job.

/// A test town with the website module; HTTP helpers.
#[allow(dead_code)] // Until every helper is used.
mod common;
/// Events: rules checked on write, the agenda and its filters, iCalendar,
/// the event's page, and who sees what.
mod events;
/// The types load, the demo content is valid, every view renders in every
/// language, and every message is translated.
mod types;
