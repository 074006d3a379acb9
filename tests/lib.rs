//! End-to-end tests of Beffroi live in `it/`; this library is empty.
