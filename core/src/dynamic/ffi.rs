//! The site's side of the C boundary with run-time modules: opening a
//! shared library, checking its header, calling its functions, copying
//! and handing back its buffers.
//!
//! **This is the only file of the core with `unsafe` code** (the crate
//! root denies it; `dynamic/mod.rs` allows it for this module alone, and
//! only with the `dynamic` feature). Everything it hands out is safe to
//! use: a [`Library`] whose calls take and give byte vectors.
//!
//! What makes it sound, beyond each block's `SAFETY:` argument:
//!
//! - **Trust.** Opening a library runs its initialisers and calling it
//!   runs its code. Only files named in `site.toml`, in the site's modules
//!   folder, are opened: the operator vouches for them as for the binary.
//! - **One layout.** The header, buffer and prefix types come from
//!   `beffroi-plugin`, the crate module libraries are built with, so both
//!   sides use the same `#[repr(C)]` definitions.
//! - **Check before use.** Only the header's first two fields (the
//!   plugin-API number and the fingerprint, which never move) are read
//!   until both equal this build's; only then is the rest of the header
//!   read as a [`Header`].
//! - **Never unloaded.** The `libloading::Library` is leaked, so the
//!   header, the fingerprint and the functions stay valid for the whole
//!   process (hence the `'static` references).
//! - **Each allocator frees its own.** Requests are lent for the call;
//!   answers are copied, then handed back to the library's `free`.
//! - **No unwinding across.** The library's functions catch panics
//!   (`beffroi-plugin` wraps every one); an answer that is null or not
//!   well-formed is an error, never a crash.

use std::ffi::c_char;
use std::path::Path;

use beffroi_plugin::abi::{Buffer, Header, HeaderPrefix};
use beffroi_plugin::{ABI_VERSION, FINGERPRINT};

/// The longest fingerprint read; a longer one is refused.
const MAX_FINGERPRINT: usize = 1024;

/// The largest answer accepted from a library (64 MiB).
const MAX_ANSWER: usize = 64 << 20;

/// Why a file is not opened as a module.
#[derive(Debug)]
pub(super) enum Refusal {
    /// The system cannot load it as a shared library.
    Unloadable(String),
    /// It has no `beffroi_module_v1`.
    NoEntry,
    /// Its entry gave no header, or a header that cannot be read.
    BadHeader(&'static str),
    /// It was built for another plugin API.
    Abi {
        /// Its plugin-API number.
        found: u32,
        /// Its fingerprint, if it could be read.
        fingerprint: Option<String>,
    },
    /// Same plugin API, another build (compiler, target, panic strategy).
    Fingerprint(String),
}

/// An open, checked module library. Never closed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Library {
    header: &'static Header,
}

/// Opens `path` and checks its header against this build.
pub(super) fn open(path: &Path) -> Result<Library, Refusal> {
    // SAFETY: loading a shared library runs its initialisers. The file is
    // one the operator named in `site.toml`, in the site's own modules
    // folder (checked by the caller), and is trusted as the binary is; this
    // is documented where run-time modules are configured.
    let lib = unsafe { libloading::Library::new(path) }
        .map_err(|e| Refusal::Unloadable(e.to_string()))?;
    // Never unloaded: the header and functions we keep point into it.
    let lib: &'static libloading::Library = Box::leak(Box::new(lib));
    let entry_name = format!("{}\0", beffroi_plugin::ENTRY);
    // SAFETY: the symbol is declared with the type `beffroi-plugin`'s
    // `export!` gives it: `extern "C" fn() -> *const Header`, called here as
    // returning a pointer to the header's prefix, which is its start. A
    // library exporting this name claims to be a Beffroi module; the
    // claim is checked (ABI number, fingerprint) before anything else is
    // read.
    let entry =
        unsafe { lib.get::<unsafe extern "C" fn() -> *const HeaderPrefix>(entry_name.as_bytes()) }
            .map_err(|_| Refusal::NoEntry)?;
    // SAFETY: the entry takes no arguments and returns a pointer to a
    // static; it is the function declared just above.
    let ptr = unsafe { entry() };
    if ptr.is_null() {
        return Err(Refusal::BadHeader("its entry returned no header"));
    }
    if !ptr.cast::<Header>().is_aligned() {
        return Err(Refusal::BadHeader("its entry returned a misaligned header"));
    }
    // SAFETY: `ptr` is non-null and aligned, and points to the library's
    // static header, which lives as long as the (never unloaded) library.
    // Every version of the header starts with these two fields, so reading
    // the prefix is sound whatever version the library was built for.
    let prefix: &'static HeaderPrefix = unsafe { &*ptr };
    let fingerprint = read_c_string(prefix.fingerprint);
    if prefix.abi_version != ABI_VERSION {
        return Err(Refusal::Abi {
            found: prefix.abi_version,
            fingerprint,
        });
    }
    let fingerprint = fingerprint.ok_or(Refusal::BadHeader(
        "its fingerprint is missing or not a short text",
    ))?;
    if fingerprint != FINGERPRINT {
        return Err(Refusal::Fingerprint(fingerprint));
    }
    // SAFETY: the library was built for this plugin API with the same
    // compiler, target and panic strategy, against `beffroi-plugin`, whose
    // `export!` is the only maker of this entry: what `ptr` points to is a
    // `Header` as defined by that crate for this ABI, static in the
    // never-unloaded library.
    let header: &'static Header = unsafe { &*ptr.cast::<Header>() };
    Ok(Library { header })
}

/// Reads a NUL-terminated string of at most [`MAX_FINGERPRINT`] bytes.
fn read_c_string(p: *const c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let p = p.cast::<u8>();
    let mut bytes = Vec::new();
    for i in 0..MAX_FINGERPRINT {
        // SAFETY: `p` points to the library's static fingerprint. Bytes are
        // read one at a time up to the terminating NUL, which
        // `beffroi-plugin` always writes, and never beyond the bound.
        let b = unsafe { *p.add(i) };
        if b == 0 {
            return String::from_utf8(bytes).ok();
        }
        bytes.push(b);
    }
    None
}

impl Library {
    /// The manifest, as JSON.
    pub(super) fn manifest(&self) -> Result<Vec<u8>, String> {
        // SAFETY: `manifest` takes nothing and returns a buffer; the header
        // was checked in `open`, and the library catches its own panics.
        let out = unsafe { (self.header.manifest)() };
        self.take(out)
    }

    /// Sends a request (JSON) and returns the answer (JSON).
    pub(super) fn call(&self, request: &[u8]) -> Result<Vec<u8>, String> {
        // SAFETY: `request` is a live slice of `len` initialised bytes that
        // stays borrowed, unchanged, for the whole call; the library reads
        // it only during the call. The library catches its own panics.
        let out = unsafe { (self.header.call)(request.as_ptr(), request.len()) };
        self.take(out)
    }

    /// Copies an answer into our memory and hands the buffer back.
    fn take(&self, out: Buffer) -> Result<Vec<u8>, String> {
        if out.ptr.is_null() {
            return Err("the module gave no answer".into());
        }
        if out.len > out.cap || out.len > MAX_ANSWER {
            // Not a buffer `beffroi-plugin` made: freeing it could do harm,
            // so it is left alone (leaked).
            return Err("the module gave an answer that is not a valid buffer".into());
        }
        // SAFETY: the library made `out` from a `Vec<u8>` of `len`
        // initialised bytes (`len <= cap`, checked), which it does not touch
        // until we hand it back below; we copy the bytes first.
        let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
        // SAFETY: `out` came from this library and is handed back once,
        // unchanged, to its own `free`, which rebuilds and drops the vector
        // with the allocator that made it.
        unsafe { (self.header.free)(out) };
        Ok(bytes)
    }
}
