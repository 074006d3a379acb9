//! The catalog through its public API, on real sites.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails loudly; that is its job.

/// A test town with the catalog, the base types and a test type.
mod common;
/// Consistency: the journal, a lost or broken index, reindex.
mod consistency;
/// Publication dates and field facets, as the website's public pages ask.
mod publication;
/// Queries: indexes, full text in five languages, sorting, batching, facets, files.
mod queries;
/// Permissions: nothing hidden is found, counted or faceted.
mod security;
/// `@search` over HTTP: the catalog answers as the core's own search does.
mod web;
