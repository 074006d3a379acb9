//! The plugin-API number, in a file of its own because the build script
//! includes it too (to write it into the fingerprint).

/// The version of the C boundary between a site and its run-time modules.
/// It changes whenever the header's layout, a function's signature or the
/// meaning of the JSON exchanged changes incompatibly.
pub const ABI_VERSION: u32 = 1;
