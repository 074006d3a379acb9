//! Image scales, as plone.namedfile serves them at
//! `@@images/{field}/{scale}`: Plone 6's named sizes, the size an image
//! takes at each, and the scaled files themselves.
//!
//! A scale is made the first time someone asks for it: the original is
//! decoded (never one whose header says more than [`MAX_PIXELS`]), turned
//! upright by its EXIF orientation, resized to fit the scale's box keeping
//! its proportions (never enlarged), encoded in its own format (JPEG at
//! quality 85, GIF as PNG), stored as a blob like any file, and recorded
//! under `s/{site}/img/{original's sha256}/{scale}`. Later requests read
//! the record and never decode again. An image the core cannot scale (SVG,
//! a format it does not read, unreadable or oversized bytes) is served as
//! it is, and so is one that already fits the scale's box.

use std::io::{Cursor, Read};
use std::sync::atomic::Ordering;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::security::Principal;
use crate::site::{decode, encode, Keys, Site};
use crate::store::{BlobRef, StoreError, StoreErrorKind};

/// One named size: an image is resized to fit in `width` × `height`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageScale {
    /// The name in URLs (`preview`).
    pub name: &'static str,
    /// The widest the scaled image may be.
    pub width: u32,
    /// The tallest it may be; 65536 means that only the width counts.
    pub height: u32,
}

/// Plone 6's sizes (`plone.allowed_sizes`), largest first. From `mini` up
/// only the width bounds an image; `thumb`, `tile`, `icon` and `listing`
/// are boxes.
pub const SCALES: &[ImageScale] = &[
    ImageScale::new("huge", 1600, 65536),
    ImageScale::new("great", 1200, 65536),
    ImageScale::new("larger", 1000, 65536),
    ImageScale::new("large", 800, 65536),
    ImageScale::new("teaser", 600, 65536),
    ImageScale::new("preview", 400, 65536),
    ImageScale::new("mini", 200, 65536),
    ImageScale::new("thumb", 128, 128),
    ImageScale::new("tile", 64, 64),
    ImageScale::new("icon", 32, 32),
    ImageScale::new("listing", 16, 16),
];

/// The most pixels an image's header may announce for it to be decoded
/// (50 megapixels): past it, the original is served as it is, so that a
/// small file claiming a huge picture cannot exhaust the memory.
pub const MAX_PIXELS: u64 = 50_000_000;

/// The quality of scaled JPEG images.
const JPEG_QUALITY: u8 = 85;

impl ImageScale {
    const fn new(name: &'static str, width: u32, height: u32) -> Self {
        Self {
            name,
            width,
            height,
        }
    }

    /// The size an image of `width` × `height` takes at this scale: the
    /// largest that fits the box with the same proportions, never larger
    /// than the image, never 0 (plone.restapi's `get_actual_scale`, in
    /// whole numbers so that the answer is exact).
    pub fn fit(&self, width: u32, height: u32) -> (u32, u32) {
        let (w, h) = (u64::from(width), u64::from(height));
        let (bw, bh) = (u64::from(self.width), u64::from(self.height));
        if w == 0 || h == 0 || (w <= bw && h <= bh) {
            return (width, height);
        }
        let (sw, sh) = if bw * h <= bh * w {
            // The width binds.
            (bw, h * bw / w)
        } else {
            (w * bh / h, bh)
        };
        let clamp = |v: u64| u32::try_from(v.max(1)).unwrap_or(u32::MAX);
        (clamp(sw), clamp(sh))
    }
}

/// The scale called `name`.
pub fn scale(name: &str) -> Option<&'static ImageScale> {
    SCALES.iter().find(|s| s.name == name)
}

/// The sizes as `@site` lists them (`plone.allowed_sizes`): `"huge 1600:65536"`.
pub fn allowed_sizes() -> Vec<String> {
    SCALES
        .iter()
        .map(|s| format!("{} {}:{}", s.name, s.width, s.height))
        .collect()
}

/// Whether a file of this media type may be an image the core scales: any
/// image but SVG (which is text, and never rasterised); the bytes decide
/// the format.
pub fn scalable(content_type: &str) -> bool {
    let t = content_type.trim().to_ascii_lowercase();
    t.starts_with("image/") && !t.starts_with("image/svg")
}

/// An image's size as shown (after its EXIF orientation), from its header
/// alone; `None` if the bytes are not a PNG, JPEG, GIF or WebP image whose
/// header can be read.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut decoder = reader(bytes).ok()?.into_decoder().ok()?;
    let (w, h) = decoder.dimensions();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    Some(upright(w, h, orientation))
}

/// A site's image scaling: one image is decoded at a time (a decoded
/// photo can take hundreds of megabytes, and a burst of first requests
/// must not hold one each), and a count of the decodes.
#[derive(Debug, Default)]
pub(crate) struct Scaling {
    one_at_a_time: std::sync::Mutex<()>,
    decodes: std::sync::atomic::AtomicU64,
}

/// A scale as it is recorded and served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaledImage {
    /// The stored file. When the original could not be scaled (unreadable,
    /// too large), it is the original's, so that it is not tried again.
    pub blob: BlobRef,
    /// Its width in pixels (0 when it is the original, unread).
    pub width: u32,
    /// Its height in pixels (0 when it is the original, unread).
    pub height: u32,
}

impl Keys<'_> {
    pub(crate) fn image_scale(&self, original: &str, scale: &str) -> Vec<u8> {
        format!("s/{}/img/{original}/{scale}", self.0).into_bytes()
    }
}

impl Site {
    /// The scale `scale` of the image `original`, made, stored and
    /// recorded the first time it is asked for, read from the record after.
    /// `None` means "serve the original": an SVG or another file the core
    /// does not scale, an image that already fits, or one that cannot be
    /// decoded or announces more than [`MAX_PIXELS`] (logged as a warning).
    /// An unknown scale is [`Error::NotFound`].
    ///
    /// Decoding is slow work done on the calling thread: async callers run
    /// this on a blocking thread. It checks no permission: the caller has
    /// read the item holding `original` through a
    /// [`Reader`](crate::access::Reader).
    pub fn image_scale(&self, original: &BlobRef, scale: &str) -> Result<Option<ScaledImage>> {
        let Some(def) = self::scale(scale) else {
            return Err(Error::NotFound(format!("image scale {scale}")));
        };
        if !scalable(&original.content_type) {
            return Ok(None);
        }
        if let Some((w, h)) = self.image_dimensions(original) {
            if def.fit(w, h) == (w, h) {
                return Ok(None);
            }
        }
        let served = |done: ScaledImage| (done.blob.sha256 != original.sha256).then_some(done);
        if let Some(done) = self.cached_scale(&original.sha256, scale)? {
            return Ok(served(done));
        }
        let _turn = self
            .scaling
            .one_at_a_time
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Made while this request waited its turn?
        if let Some(done) = self.cached_scale(&original.sha256, scale)? {
            return Ok(served(done));
        }
        let made = self.make_scale(original, def)?;
        let record = made.clone().unwrap_or_else(|| ScaledImage {
            blob: original.clone(),
            width: 0,
            height: 0,
        });
        let key = self.keys().image_scale(&original.sha256, scale);
        // Recorded in a write of its own, by the system: the scale derives
        // from the file, not from any one person's view of it.
        let recorded = self.write(&Principal::system("image-scales"), |w| {
            w.tx.put(&key, encode(&record));
            Ok(())
        });
        if let Err(e) = recorded {
            // The scale is made: serve it, and make it again next time.
            tracing::warn!(site = %self.id(), scale, error = %e, "image scale not recorded");
        }
        Ok(made)
    }

    /// The record of a scale already made (or of an original that could
    /// not be scaled), if its file is still stored.
    pub fn cached_scale(&self, original_sha256: &str, scale: &str) -> Result<Option<ScaledImage>> {
        let key = self.keys().image_scale(original_sha256, scale);
        let Some(bytes) = self.store().get(&key)? else {
            return Ok(None);
        };
        let record: ScaledImage = decode(&key, &bytes)?;
        // A store copied without its blobs: made again.
        if !self.store().has_blob(&record.blob.sha256)? {
            return Ok(None);
        }
        Ok(Some(record))
    }

    /// How many times this site has read an original image to make a scale
    /// since it was opened. A scale served from its record does not count.
    pub fn image_scalings(&self) -> u64 {
        self.scaling.decodes.load(Ordering::SeqCst)
    }

    /// An image's size: as stored with it, else from its header (images
    /// stored before sizes were kept). `None` for what the core does not
    /// scale or cannot read.
    pub fn image_dimensions(&self, blob: &BlobRef) -> Option<(u32, u32)> {
        if let (Some(w), Some(h)) = (blob.width, blob.height) {
            return Some((w, h));
        }
        if !scalable(&blob.content_type) {
            return None;
        }
        // Headers come first: a little of the file is enough, a little
        // more when large metadata (EXIF, ICC profiles) comes before.
        for limit in [64 * 1024, 1024 * 1024] {
            let mut prefix = Vec::new();
            let mut reader = self.store().open_blob(&blob.sha256).ok()?;
            (&mut reader).take(limit).read_to_end(&mut prefix).ok()?;
            if let Some(d) = dimensions(&prefix) {
                return Some(d);
            }
            if (prefix.len() as u64) < limit {
                return None;
            }
        }
        None
    }

    fn make_scale(&self, original: &BlobRef, def: &ImageScale) -> Result<Option<ScaledImage>> {
        let mut bytes = Vec::new();
        self.store()
            .open_blob(&original.sha256)?
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Store(StoreError::new(StoreErrorKind::Unavailable, e)))?;
        self.scaling.decodes.fetch_add(1, Ordering::SeqCst);
        // A decoder that panics on hostile bytes fails this image only.
        let outcome = std::panic::catch_unwind(|| scale_bytes(&bytes, def))
            .unwrap_or_else(|_| Err("the decoder failed".into()));
        let encoded = match outcome {
            Ok(Some(e)) => e,
            Ok(None) => return Ok(None),
            Err(why) => {
                tracing::warn!(
                    site = %self.id(),
                    file = %original.filename,
                    sha256 = %original.sha256,
                    scale = def.name,
                    "image not scaled, the original is served: {why}"
                );
                return Ok(None);
            }
        };
        let stem = original
            .filename
            .rsplit_once('.')
            .map_or(original.filename.as_str(), |(stem, _)| stem);
        let filename = format!("{stem}.{}", encoded.extension);
        let mut blob = self.store().put_blob(
            &mut encoded.bytes.as_slice(),
            encoded.content_type,
            &filename,
            u64::MAX,
        )?;
        blob.width = Some(encoded.width);
        blob.height = Some(encoded.height);
        Ok(Some(ScaledImage {
            blob,
            width: encoded.width,
            height: encoded.height,
        }))
    }
}

/// A scaled image, encoded.
struct Encoded {
    bytes: Vec<u8>,
    content_type: &'static str,
    extension: &'static str,
    width: u32,
    height: u32,
}

/// A reader for the formats the core scales, with the format read from
/// the bytes (not from the media type the uploader claimed).
fn reader(bytes: &[u8]) -> std::result::Result<ImageReader<Cursor<&[u8]>>, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP) => {}
        _ => return Err("not a PNG, JPEG, GIF or WebP image".into()),
    }
    // The default cap on what a decoder may allocate (512 MiB) stays; the
    // pixel count is checked before decoding.
    reader.limits(Limits::default());
    Ok(reader)
}

/// The size of a `width` × `height` picture once `orientation` is applied.
fn upright(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

/// Decodes, resizes and encodes; `None` when the image already fits.
fn scale_bytes(bytes: &[u8], def: &ImageScale) -> std::result::Result<Option<Encoded>, String> {
    let reader = reader(bytes)?;
    let format = reader.format();
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!(
            "{w}×{h} pixels is more than {} megapixels",
            MAX_PIXELS / 1_000_000
        ));
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (uw, uh) = upright(w, h, orientation);
    let (tw, th) = def.fit(uw, uh);
    if (tw, th) == (uw, uh) {
        return Ok(None);
    }
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    image.apply_orientation(orientation);
    let scaled = image.resize_exact(tw, th, FilterType::CatmullRom);
    let mut out = Vec::new();
    let (content_type, extension) = match format {
        Some(ImageFormat::Jpeg) => {
            // JPEG holds grey or colour, without transparency.
            let scaled = match scaled {
                DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => scaled,
                other => DynamicImage::ImageRgb8(other.to_rgb8()),
            };
            scaled
                .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
                .map_err(|e| e.to_string())?;
            ("image/jpeg", "jpg")
        }
        Some(ImageFormat::WebP) => {
            // The encoder writes lossless WebP of 8-bit pixels.
            let scaled = match scaled {
                DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => scaled,
                other => DynamicImage::ImageRgba8(other.to_rgba8()),
            };
            scaled
                .write_with_encoder(WebPEncoder::new_lossless(&mut out))
                .map_err(|e| e.to_string())?;
            ("image/webp", "webp")
        }
        // PNG stays PNG; a GIF's first frame becomes one.
        _ => {
            scaled
                .write_with_encoder(PngEncoder::new(&mut out))
                .map_err(|e| e.to_string())?;
            ("image/png", "png")
        }
    };
    Ok(Some(Encoded {
        bytes: out,
        content_type,
        extension,
        width: tw,
        height: th,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_fit_their_box_without_enlarging() {
        let preview = scale("preview").unwrap();
        assert_eq!(preview.fit(1000, 500), (400, 200));
        assert_eq!(preview.fit(500, 1000), (400, 800), "only the width binds");
        assert_eq!(preview.fit(300, 200), (300, 200), "never enlarged");
        let thumb = scale("thumb").unwrap();
        assert_eq!(thumb.fit(1000, 500), (128, 64));
        assert_eq!(thumb.fit(500, 1000), (64, 128), "a box binds both ways");
        assert_eq!(scale("icon").unwrap().fit(3000, 1), (32, 1), "never 0");
        assert_eq!(scale("large").unwrap().fit(1024, 768), (800, 600));
        assert!(scale("enormous").is_none());
        assert_eq!(allowed_sizes()[0], "huge 1600:65536");
        assert!(allowed_sizes().contains(&"icon 32:32".to_owned()));
    }

    #[test]
    fn only_raster_images_are_scaled() {
        assert!(scalable("image/png"));
        assert!(scalable("IMAGE/JPEG"));
        assert!(!scalable("image/svg+xml"));
        assert!(!scalable("application/pdf"));
        assert_eq!(dimensions(b"\x89PNG not really"), None);
        assert_eq!(dimensions(b"<svg/>"), None);
    }

    #[test]
    fn sideways_photos_are_measured_upright() {
        assert_eq!(upright(40, 30, Orientation::Rotate90), (30, 40));
        assert_eq!(upright(40, 30, Orientation::Rotate180), (40, 30));
    }
}
