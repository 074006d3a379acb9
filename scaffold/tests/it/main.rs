//! Tests of `beffroi-scaffold`, driving its binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails loudly; that is its job.

mod new;
