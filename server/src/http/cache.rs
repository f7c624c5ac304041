//! Encoded answers kept in memory: a read that many ask for and that changes rarely (a
//! published agenda) is computed once per version of what it depends on, and served as
//! bytes, gzipped once, with an `ETag` (`If-None-Match` → 304). The version is read
//! from the database on every request (one small query), so a change made through any
//! instance is seen by every instance's next request: nothing to invalidate by message.

use std::collections::HashMap;
use std::io::Write;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::body::BoxBody;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, Responder};
use sha2::{Digest, Sha256};

use super::doc::{Generators, Operation, Responds};
use super::respond::DownloadKind;

/// Entries kept at most; past that the cache starts again empty (a burst of distinct
/// queries cannot grow it without bound).
const CAPACITY: usize = 512;

/// One answer as bytes, with its entity tag and, once asked for, its gzip and brotli.
pub struct Encoded {
    pub etag: String,
    pub body: Bytes,
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

impl Encoded {
    fn new(body: Vec<u8>) -> Encoded {
        let digest = Sha256::digest(&body);
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        Encoded {
            etag: format!("\"{hex}\""),
            body: Bytes::from(body),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// Brotli at quality 5: a quarter to a third of gzip's size on the agenda, and
    /// computed once per version of the answer, not per request.
    fn brotli(&self) -> Option<Bytes> {
        self.brotli
            .get_or_init(|| {
                let mut w = brotli::CompressorWriter::new(Vec::new(), 4096, 5, 22);
                w.write_all(&self.body).ok()?;
                Some(Bytes::from(w.into_inner()))
            })
            .clone()
    }

    fn gzip(&self) -> Option<Bytes> {
        self.gzip
            .get_or_init(|| {
                let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                z.write_all(&self.body).ok()?;
                z.finish().ok().map(Bytes::from)
            })
            .clone()
    }
}

/// Answers by key, each with the version it was computed at.
#[derive(Default)]
pub struct Rendered {
    map: Mutex<HashMap<String, (String, Arc<Encoded>)>>,
}

impl Rendered {
    /// The answer kept for `key` at `version`, if any.
    pub fn get(&self, key: &str, version: &str) -> Option<Arc<Encoded>> {
        let map = self.map.lock().ok()?;
        map.get(key)
            .filter(|(v, _)| v == version)
            .map(|(_, e)| e.clone())
    }

    /// The answer for `key` at `version`: kept, or computed by `compute` and kept.
    pub async fn get_or(
        &self,
        key: String,
        version: String,
        compute: impl std::future::Future<Output = crate::error::ApiResult<Vec<u8>>>,
    ) -> crate::error::ApiResult<Arc<Encoded>> {
        if let Some(hit) = self.get(&key, &version) {
            return Ok(hit);
        }
        let body = compute.await?;
        Ok(self.put(key, version, body))
    }

    /// Keeps `body` as the answer for `key` at `version` (computed after `version` was
    /// read, so it is never older than it).
    pub fn put(&self, key: String, version: String, body: Vec<u8>) -> Arc<Encoded> {
        let encoded = Arc::new(Encoded::new(body));
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert(key, (version, encoded.clone()));
        }
        encoded
    }
}

fn respond(
    req: &HttpRequest,
    e: &Encoded,
    content_type: &str,
    disposition: Option<&str>,
) -> HttpResponse {
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == e.etag || t.trim() == "*"));
    let mut b = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    b.insert_header((header::ETAG, e.etag.clone()))
        // Kept, but asked again each time: the answer changes with the schedule.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if matches {
        return b.finish();
    }
    b.insert_header((header::CONTENT_TYPE, content_type));
    if let Some(d) = disposition {
        b.insert_header((header::CONTENT_DISPOSITION, d));
    }
    let accepts = |coding: &str| {
        req.headers()
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',').any(|c| {
                    let mut parts = c.split(';');
                    let name = parts.next().unwrap_or_default().trim();
                    // `q=0` refuses the coding.
                    let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
                    name.eq_ignore_ascii_case(coding) && !refused
                })
            })
    };
    // Already encoded: the compression middleware leaves it as it is.
    if let Some(br) = e.brotli().filter(|_| accepts("br")) {
        return b.insert_header((header::CONTENT_ENCODING, "br")).body(br);
    }
    match e.gzip().filter(|_| accepts("gzip")) {
        Some(z) => b.insert_header((header::CONTENT_ENCODING, "gzip")).body(z),
        None => b.body(e.body.clone()),
    }
}

/// A JSON answer of type `T` served from [`Rendered`].
pub struct CachedJson<T>(pub Arc<Encoded>, pub PhantomData<T>);

impl<T> CachedJson<T> {
    pub fn new(e: Arc<Encoded>) -> Self {
        CachedJson(e, PhantomData)
    }
}

impl<T> Responder for CachedJson<T> {
    type Body = BoxBody;
    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        respond(req, &self.0, "application/json", None)
    }
}

impl<T: schemars::JsonSchema> Responds for CachedJson<T> {
    fn document(op: &mut Operation, gen: &mut Generators) {
        op.json::<T>(200, "OK, with an ETag", gen);
        op.empty(304, "Not modified: the If-None-Match tag is still current");
    }
}

/// A download of kind `K` served from [`Rendered`].
pub struct CachedFile<K: DownloadKind> {
    pub encoded: Arc<Encoded>,
    pub filename: String,
    kind: PhantomData<K>,
}

impl<K: DownloadKind> CachedFile<K> {
    pub fn new(encoded: Arc<Encoded>, filename: impl Into<String>) -> Self {
        CachedFile {
            encoded,
            filename: filename.into(),
            kind: PhantomData,
        }
    }
}

impl<K: DownloadKind> Responder for CachedFile<K> {
    type Body = BoxBody;
    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        let d = format!(
            "attachment; filename=\"{}\"",
            self.filename.replace('"', "")
        );
        respond(req, &self.encoded, K::MEDIA_TYPE, Some(&d))
    }
}

impl<K: DownloadKind> Responds for CachedFile<K> {
    fn document(op: &mut Operation, _: &mut Generators) {
        op.media(200, K::DESCRIPTION, K::MEDIA_TYPE);
        op.empty(304, "Not modified: the If-None-Match tag is still current");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn both_encodings_give_back_the_same_bytes() {
        let body: Vec<u8> = "BEGIN:VCALENDAR\r\nSUMMARY:Connectivity for all\r\n"
            .repeat(200)
            .into_bytes();
        let e = Encoded::new(body.clone());
        let br = e.brotli().unwrap();
        let z = e.gzip().unwrap();
        assert!(br.len() < body.len() / 10 && z.len() < body.len() / 10);
        let mut out = vec![];
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, body);
        let mut out = vec![];
        flate2::read::GzDecoder::new(&z[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, body);
    }
}
