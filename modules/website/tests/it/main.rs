//! Integration tests of the base content types, through the core's public API.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails loudly; that is its job.

mod types;
