//! Tests of `beffroi-scaffold`, driving its binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails loudly; that is its job.

/// `module` and `site`: generated crates build, pass their tests and serve.
mod new;
/// `check`, `release` and `index` on fixture modules.
mod release;
