//! Integration tests of the website module, through the core's public API
//! and HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails loudly; that is its job.

/// A test town with the website module; HTTP helpers.
mod common;
/// Events: rules checked on write, the agenda and its filters, iCalendar,
/// the event's page, and who sees what.
mod events;
/// The news and events feeds in RSS and Atom, parsed back.
mod feeds;
/// The public side: news listing, sitemap, robots.txt, canonical and
/// Open Graph tags, search page, topic pages, nothing private shown.
mod public;
/// The website as its users live it: publication, sections, alerts,
/// collaborative sections, procedures.
mod site;
/// The types load, the demo content is valid, every view renders in every
/// language, and every message is translated.
mod types;
/// A site of the former `contenttypes` module becomes a website.
mod upgrade;
