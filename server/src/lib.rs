//! Indaba: multistakeholder consultations and IGF events.
//!
//! `app` wires everything; each feature folder (`accounts`, …) owns its routes,
//! queries and types; `db`, `error`, `http`, `config` are shared plumbing.

pub mod accounts;
pub mod app;
pub mod bodies;
pub mod cli;
pub mod config;
pub mod consultations;
pub mod crypto;
pub mod db;
pub mod delegations;
pub mod error;
pub mod events;
pub mod health;
pub mod http;
pub mod live;
pub mod mail;
pub mod metrics;
pub mod negotiation;
pub mod notifications;
pub mod outbox;
pub mod policy;
pub mod ratelimit;
pub mod review;
pub mod search;

pub mod seed;
pub mod state;
pub mod telemetry;
pub mod transfer;
pub mod web;
