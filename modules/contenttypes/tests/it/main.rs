//! Integration tests of the base content types, through the core's public API.

mod types;
