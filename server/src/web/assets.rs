//! The stylesheet and the one script, compiled in: nothing is fetched from another host.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

pub const CSS: &str = include_str!("../../../web/static/app.css");
pub const JS: &str = include_str!("../../../web/static/live.js");

/// Changes whenever an asset does, so that the year-long cache never serves a stale one.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        // FNV-1a: a fingerprint, not a security measure.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in CSS.bytes().chain(JS.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{:x}", h & 0xffff_ffff)
    })
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body)
}

pub async fn css() -> HttpResponse {
    asset("text/css; charset=utf-8", CSS)
}

pub async fn js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", JS)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/app.css", web::get().to(css))
        .route("/static/live.js", web::get().to(js));
}
