//! The C boundary between a site and a module library: the `#[repr(C)]`
//! header and buffer, and the library's side of the three C functions.
//!
//! This is the crate's only file with `unsafe` code. The site's side (it
//! opens the library, checks the header, calls the functions) lives in the
//! core, in `core/src/dynamic/ffi.rs`; both use the types defined here, so
//! the layout is defined once.
//!
//! The rules both sides keep:
//!
//! - The header's first two fields, [`HeaderPrefix`], never change: a
//!   site reads them, and only them, to decide whether it may read the rest.
//! - Input buffers are lent: the site passes a pointer and a length, valid
//!   for the call only, and frees its own memory afterwards.
//! - Output buffers are the library's: the site copies the bytes, then
//!   hands the [`Buffer`] back to the library's `free`, exactly once. Each
//!   side frees only what its own allocator allocated.
//! - No panic leaves the library: every function catches unwinding and
//!   answers [`Response::Error`] instead.

use std::any::Any;
use std::ffi::c_char;
use std::mem::ManuallyDrop;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use crate::event::{Request, Response};
use crate::{Plugin, ABI_VERSION};

/// Bytes allocated by the library (a `Vec<u8>` taken apart), given to the
/// site, and handed back to the library's `free` once the site has copied
/// them. A null `ptr` means no buffer.
#[repr(C)]
#[derive(Debug)]
pub struct Buffer {
    /// The first byte.
    pub ptr: *mut u8,
    /// How many bytes are set.
    pub len: usize,
    /// How many were allocated.
    pub cap: usize,
}

impl Buffer {
    fn from_vec(v: Vec<u8>) -> Self {
        let mut v = ManuallyDrop::new(v);
        Buffer {
            ptr: v.as_mut_ptr(),
            len: v.len(),
            cap: v.capacity(),
        }
    }
}

/// The two fields every version of the header starts with. A site reads
/// these first, and nothing more unless both are its own.
#[repr(C)]
#[derive(Debug)]
pub struct HeaderPrefix {
    /// The plugin-API number the library was built for ([`ABI_VERSION`]).
    pub abi_version: u32,
    /// Its [`FINGERPRINT`](crate::FINGERPRINT), a NUL-terminated string.
    pub fingerprint: *const c_char,
}

/// What `beffroi_module_v1` returns, for plugin API 1.
#[repr(C)]
#[derive(Debug)]
pub struct Header {
    /// The plugin-API number the library was built for ([`ABI_VERSION`]).
    pub abi_version: u32,
    /// Its [`FINGERPRINT`](crate::FINGERPRINT), a NUL-terminated string.
    pub fingerprint: *const c_char,
    /// Returns the manifest as JSON.
    pub manifest: unsafe extern "C" fn() -> Buffer,
    /// Answers a [`Request`] (JSON, `len` bytes at `input`) with a
    /// [`Response`] (JSON).
    pub call: unsafe extern "C" fn(input: *const u8, len: usize) -> Buffer,
    /// Frees a buffer this library returned.
    pub free: unsafe extern "C" fn(buffer: Buffer),
}

// SAFETY: the header is immutable static data: an integer, a pointer to a
// static string, and function pointers. Nothing in it is ever written, so
// sharing it between threads is sound.
unsafe impl Sync for Header {}

/// The fingerprint with its terminating NUL, for C.
const FINGERPRINT_C: &str = crate::fingerprint!("\0");

/// The header for plugin `P`; [`export!`](crate::export) puts it in a static.
#[doc(hidden)]
pub const fn header<P: Plugin>() -> Header {
    header_as::<P>(ABI_VERSION, FINGERPRINT_C)
}

/// A header claiming another plugin API or fingerprint: only for the
/// site's tests of its refusals. `fingerprint` must end with a NUL.
#[doc(hidden)]
pub const fn header_as<P: Plugin>(abi_version: u32, fingerprint: &'static str) -> Header {
    let bytes = fingerprint.as_bytes();
    assert!(
        !bytes.is_empty() && bytes[bytes.len() - 1] == 0,
        "the fingerprint must end with a NUL"
    );
    Header {
        abi_version,
        fingerprint: bytes.as_ptr().cast(),
        manifest: manifest::<P>,
        call: call::<P>,
        free,
    }
}

/// The plugin, made once. One library exports one plugin, so one slot is
/// enough; a second type asking for it gets `None`.
fn instance<P: Plugin>() -> Option<&'static P> {
    static ONE: OnceLock<Box<dyn Any + Send + Sync>> = OnceLock::new();
    ONE.get_or_init(|| Box::new(P::default()))
        .downcast_ref::<P>()
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".into()
    }
}

fn encode(response: &Response) -> Buffer {
    let bytes = serde_json::to_vec(response).unwrap_or_else(|_| {
        br#"{"answer":"error","message":"the module's answer could not be written as JSON"}"#
            .to_vec()
    });
    Buffer::from_vec(bytes)
}

fn answer<P: Plugin>(plugin: &P, request: Request) -> Response {
    match request {
        Request::Event { event } => match plugin.on_event(&event) {
            Ok(()) => Response::Ok,
            Err(message) => Response::Veto { message },
        },
        Request::Upgrade { to, item } => match plugin.upgrade(&to, &item) {
            Ok(None) => Response::Ok,
            Ok(Some(fields)) => Response::Fields { fields },
            Err(message) => Response::Error { message },
        },
    }
}

unsafe extern "C" fn manifest<P: Plugin>() -> Buffer {
    let result = catch_unwind(|| match instance::<P>() {
        Some(p) => serde_json::to_vec(&p.manifest()).map_err(|e| e.to_string()),
        None => Err("the library exports two plugins".into()),
    });
    match result {
        Ok(Ok(bytes)) => Buffer::from_vec(bytes),
        // A manifest that cannot be made is answered as an error, which the
        // site reads as a refusal of the library.
        Ok(Err(message)) => encode(&Response::Error { message }),
        Err(payload) => encode(&Response::Error {
            message: format!("the module panicked: {}", panic_message(payload.as_ref())),
        }),
    }
}

unsafe extern "C" fn call<P: Plugin>(input: *const u8, len: usize) -> Buffer {
    let result = catch_unwind(AssertUnwindSafe(|| {
        if input.is_null() {
            return Response::Error {
                message: "no request".into(),
            };
        }
        // SAFETY: the site passes a pointer to `len` initialised bytes that
        // it owns and keeps alive, unchanged, until this call returns; the
        // slice does not outlive the call.
        let bytes = unsafe { std::slice::from_raw_parts(input, len) };
        let Some(plugin) = instance::<P>() else {
            return Response::Error {
                message: "the library exports two plugins".into(),
            };
        };
        match serde_json::from_slice::<Request>(bytes) {
            Ok(request) => answer(plugin, request),
            Err(e) => Response::Error {
                message: format!("the module cannot read the site's request: {e}"),
            },
        }
    }));
    encode(&result.unwrap_or_else(|payload| Response::Error {
        message: format!("the module panicked: {}", panic_message(payload.as_ref())),
    }))
}

unsafe extern "C" fn free(buffer: Buffer) {
    if buffer.ptr.is_null() {
        return;
    }
    // SAFETY: the site hands back, once, a buffer this library returned,
    // unchanged; it was made by `Buffer::from_vec` from a `Vec<u8>`
    // allocated by this library's allocator, so its pointer, length and
    // capacity rebuild that vector exactly.
    drop(unsafe { Vec::from_raw_parts(buffer.ptr, buffer.len, buffer.cap) });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Event, EventKind, Item, Manifest, Phase, FINGERPRINT};

    #[derive(Default)]
    struct Strict;

    impl Plugin for Strict {
        fn manifest(&self) -> Manifest {
            Manifest::new("strict", "0.1.0")
        }

        fn on_event(&self, event: &Event) -> Result<(), String> {
            let title = event.item.as_ref().map(Item::title).unwrap_or_default();
            if title == "boom" {
                panic!("boom in a hook");
            }
            if title.contains("no") {
                return Err("no!".into());
            }
            Ok(())
        }
    }

    fn round_trip(header: &Header, request: &[u8]) -> Response {
        // SAFETY: test of this file's own functions, called as the site does.
        let out = unsafe { (header.call)(request.as_ptr(), request.len()) };
        // SAFETY: as above; `out` was just returned by `call`.
        let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
        // SAFETY: handed back once.
        unsafe { (header.free)(out) };
        serde_json::from_slice(&bytes).unwrap()
    }

    fn request(title: &str) -> Vec<u8> {
        let mut e = Event::new(EventKind::ItemAdded, Phase::Before, "demo", "marie");
        let mut item = Item::default();
        item.0.insert("title".into(), title.into());
        e.item = Some(item);
        serde_json::to_vec(&Request::Event { event: Box::new(e) }).unwrap()
    }

    #[test]
    fn calls_answer_vetoes_and_panics_as_json() {
        static H: Header = header::<Strict>();
        assert_eq!(H.abi_version, ABI_VERSION);
        // SAFETY: the fingerprint is a static NUL-terminated string.
        let fp = unsafe { std::ffi::CStr::from_ptr(H.fingerprint) };
        assert_eq!(fp.to_str().unwrap(), FINGERPRINT);
        assert_eq!(round_trip(&H, &request("fine")), Response::Ok);
        assert_eq!(
            round_trip(&H, &request("no way")),
            Response::Veto {
                message: "no!".into()
            }
        );
        let Response::Error { message } = round_trip(&H, &request("boom")) else {
            panic!("a panic is an error");
        };
        assert!(message.contains("boom in a hook"), "{message}");
        assert!(matches!(
            round_trip(&H, b"not json"),
            Response::Error { .. }
        ));
        // SAFETY: as above.
        let out = unsafe { (H.manifest)() };
        // SAFETY: as above.
        let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
        // SAFETY: handed back once.
        unsafe { (H.free)(out) };
        let m: Manifest = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(m.name, "strict");
    }

    #[test]
    fn the_prefix_is_the_start_of_the_header() {
        assert_eq!(
            std::mem::offset_of!(HeaderPrefix, abi_version),
            std::mem::offset_of!(Header, abi_version)
        );
        assert_eq!(
            std::mem::offset_of!(HeaderPrefix, fingerprint),
            std::mem::offset_of!(Header, fingerprint)
        );
        assert!(std::mem::size_of::<HeaderPrefix>() <= std::mem::size_of::<Header>());
    }
}
