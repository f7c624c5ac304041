//! Accounts: registration, verification, sign-in, tokens, password reset, profile,
//! roles, export and erasure, and the admins' audit log.
//!
//! `command` parses what clients send, `usecase` does it (for the API and the pages
//! alike), `view` is what it answers, `store` the queries, `http` the endpoints.

pub mod auth;
pub mod command;
pub mod http;
pub mod password;
pub mod personal_data;
pub mod privacy;
pub mod regions;
pub mod standing;
pub mod store;
pub mod tokens;
pub mod types;
pub mod usecase;
pub mod view;

use crate::endpoint;
use crate::http::Endpoint;
use crate::policy::guards::accounts::Public;
use crate::policy::guards::{Admin, Organizer, SignedIn};

pub fn endpoints() -> Vec<Endpoint> {
    use self::http as h;
    vec![
        endpoint!(POST "/auth/register", Public, "Register with stakeholder group, organisation and country; sends a verification email", h::register),
        endpoint!(POST "/auth/verify", Public, "Verify an email address with the token from the email", h::verify),
        endpoint!(POST "/auth/login", Public, "Sign in: access and refresh tokens (wrong passwords are slowed down: 429 too_many_attempts)", h::login),
        endpoint!(POST "/auth/refresh", Public, "Trade a refresh token for a new pair (rotation; reuse revokes the family)", h::refresh),
        endpoint!(POST "/auth/logout", SignedIn, "Revoke a refresh token and its family", h::logout),
        endpoint!(POST "/auth/password-reset", Public, "Email a single-use reset link (202 whether or not the account exists)", h::password_reset),
        endpoint!(POST "/auth/password-reset/confirm", Public, "Set a new password with a reset token; signs out every session", h::password_reset_confirm),
        endpoint!(GET "/me", SignedIn, "Your profile", h::me),
        endpoint!(PATCH "/me", SignedIn, "Edit your profile", h::update_me),
        endpoint!(DELETE "/me", SignedIn, "Erase your account, your password given again (?withdraw_contributions=true to withdraw your contributions too)", h::erase_me),
        endpoint!(POST "/me/password", SignedIn, "Change your password, the current one given again; signs out every other session", h::change_password),
        endpoint!(GET "/me/export", SignedIn, "Everything the platform holds about you, as JSON", h::export),
        endpoint!(GET "/admin/users", Admin, "Accounts, newest first: ?q= (part of a name or organisation, or a whole e-mail), ?role=, ?stakeholder_group=", h::users),
        endpoint!(GET "/people", Organizer, "Find people to give a part (a co-facilitator's seat): name, group, organisation and country, no e-mail", h::people),
        endpoint!(POST r"/admin/users/{id:\d+}/suspend", Admin, "Suspend an account: it cannot sign in, its sessions end and its access tokens are refused at once", h::suspend),
        endpoint!(DELETE r"/admin/users/{id:\d+}/suspend", Admin, "Reinstate a suspended account (it signs in again)", h::reinstate),
        endpoint!(POST r"/admin/users/{id:\d+}/verify-organization", Admin, "Verify that the account speaks for the organisation it names (a badge beside its name)", h::verify_organization),
        endpoint!(DELETE r"/admin/users/{id:\d+}/verify-organization", Admin, "Withdraw the verification of the account's organisation", h::unverify_organization),
        endpoint!(PUT r"/admin/users/{id:\d+}/roles", Admin, "Set a user's roles", h::set_roles),
        endpoint!(GET "/admin/audit-log", Admin, "The audit log: moderators' looks at anonymous authors, newest first", h::audit_log),
    ]
}
