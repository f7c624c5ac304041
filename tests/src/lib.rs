//! The test harness: the real app on a random port with a fresh SQLite file or a fresh
//! PostgreSQL database, a real HTTP client, and readers for the mail it sends. One file
//! per concern: `backend` (databases and the per-backend macros), `app` (the app, its
//! client, accounts and data), `mail`, `instance` (separate processes), `process` (what
//! the load tools start), `machine` (what disturbed a measurement), `fan_out` (the bare
//! servers' WebSocket fan-out), `ical`, and the page clients `web` (no scripts) and
//! `browser` (chromium).

pub use indaba;

pub mod app;
pub mod backend;
pub mod browser;
pub mod docx;
pub mod fan_out;
pub mod ical;
pub mod instance;
pub mod machine;
pub mod mail;
pub mod negotiation;
pub mod process;
pub mod python;
pub mod web;

pub use app::*;
pub use backend::*;
pub use docx::*;
pub use ical::*;
pub use instance::*;
pub use mail::*;

/// A password that meets the policy, shared by test accounts.
pub const PASSWORD: &str = "a long enough test password";
pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";
