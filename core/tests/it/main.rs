//! Integration tests of the core, through its public API and its HTTP app.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails loudly; that is its job.

/// Site administration over the API: users, groups, add-ons, upgrades, OpenAPI.
mod api_admin;
/// The content API: create, update, delete, locks, copy and move, uploads, versions.
mod api_content;
/// Navigation, site, types and vocabularies over HTTP.
mod api_nav;
/// Search over HTTP with the core's own search.
mod api_search;
/// HTTP caching: ETags, Last-Modified, 304s, Cache-Control, Vary,
/// compression, fingerprinted files.
mod caching;
/// A test town: the core plus a test module with every field kind.
mod common;
/// Run-time modules: shared libraries loaded, used over HTTP, refused.
mod dynamic;
/// The editing pages: forms, folder contents, delete, history, sharing.
mod edit_pages;
/// Export and import round trip.
mod export;
/// Hooks: order, vetoes, writes inside the transaction.
/// Fixes from the security review of the web layer.
mod hardening;
mod hooks;
/// HTTP: HTML and JSON views, errors, path tricks, downloads, themes.
mod http;
/// Languages: catalogs, negotiation, switcher, translations, dates, themes.
mod i18n;
/// Image scales: sizes, formats, the cache, ETags, permissions, `scales`.
mod images;
/// Modules: registry checks, resolution, install, upgrades.
mod modules;
/// Redirects after a move or rename: 301/308, chains, private and deleted items.
mod redirects;
/// Content types as data: parsing errors and validation.
mod schema;
/// Security over HTTP: logins, tokens, throttling, CSRF, private items, audit.
mod security;
/// Site setup pages: users, groups, modules, settings, workflows, audit log.
mod setup_pages;
/// Storage: transactions and the killed-writer test.
mod store;
/// Items in a tree: add, update, move, rename, copy, delete, reorder.
mod tree;
/// Modules' views, root files and page decorations; publication dates.
mod views;
/// Workflows and permissions through the core's API.
mod workflow;
/// `POST @workflow` with plone.restapi's whole body; the Dublin Core members.
mod workflow_api;
