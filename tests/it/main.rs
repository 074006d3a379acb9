//! End-to-end tests: they build and start the demo town's binary, and
//! talk to it as a town's IT team, a program and a browser would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails loudly; that is its job.

/// Accounts, groups, services and workflows from the command line.
mod accounts;
/// Pages in headless Chromium.
mod browser;
/// The command line: check, sites, modules, export and import, errors.
mod cli;
/// A run-time module (a shared library) loaded by the demo binary.
mod dynamic;
/// The editing pages in headless Chromium.
mod editing;
/// Starting the binary, finding it, talking to it.
mod harness;
/// The demo town served over HTTP.
mod http;
/// Languages and themes of the example towns.
mod languages;
/// A small WebDriver client for headless Chromium.
mod webdriver;
/// The demo town's website in headless Chromium: home page, menu, search.
mod website;
