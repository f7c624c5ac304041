//! Consultations: draft texts, versions with stable paragraph keys, comments,
//! amendments, endorsements, flags and moderation.

pub mod importer;
