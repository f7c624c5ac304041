//! Contributions: comments, replies and amendments on consultations, and the comments
//! and questions of IGF sessions (one table, so moderation, flags, erasure and the live
//! channel treat both alike).
//!
//! `command` parses what clients send; `usecase` and `moderation` are what people do;
//! `view` is how a contribution is shown to each reader; `store` is diesel only;
//! `http` is the endpoints; `posting` is what posting to a consultation reads.

pub mod command;
pub mod http;
pub mod moderation;
pub mod posting;
pub mod store;
pub mod usecase;
pub mod view;

pub use store::{get, CommentRow, NewComment};
pub use usecase::{authored_by, insert, withdraw_all_of};
pub use view::{CommentView, EDIT_WINDOW_MINUTES};
