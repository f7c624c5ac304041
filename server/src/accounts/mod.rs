//! Accounts: registration, verification, sign-in, tokens, password reset, profile,
//! roles, export and erasure.

pub mod auth;
pub mod handlers;
pub mod password;
pub mod privacy;
pub mod regions;
pub mod store;
pub mod tokens;
pub mod types;

use crate::endpoint_untyped;
use crate::http::Endpoint;

pub fn endpoints() -> Vec<Endpoint> {
    use handlers as h;
    vec![
        endpoint_untyped!(POST "/auth/register", "anyone", "Register with stakeholder group, organisation and country; sends a verification email", h::register),
        endpoint_untyped!(POST "/auth/verify", "anyone", "Verify an email address with the token from the email", h::verify),
        endpoint_untyped!(POST "/auth/login", "anyone", "Sign in: access and refresh tokens", h::login),
        endpoint_untyped!(POST "/auth/refresh", "anyone", "Trade a refresh token for a new pair (rotation; reuse revokes the family)", h::refresh),
        endpoint_untyped!(POST "/auth/logout", "user", "Revoke a refresh token and its family", h::logout),
        endpoint_untyped!(POST "/auth/password-reset", "anyone", "Email a single-use reset link (202 whether or not the account exists)", h::password_reset),
        endpoint_untyped!(POST "/auth/password-reset/confirm", "anyone", "Set a new password with a reset token; signs out every session", h::password_reset_confirm),
        endpoint_untyped!(GET "/me", "user", "Your profile", h::me),
        endpoint_untyped!(PATCH "/me", "user", "Edit your profile", h::update_me),
        endpoint_untyped!(DELETE "/me", "user", "Erase your account (?withdraw_contributions=true to withdraw your contributions too)", h::erase_me),
        endpoint_untyped!(GET "/me/export", "user", "Everything the platform holds about you, as JSON", h::export),
        endpoint_untyped!(PUT r"/admin/users/{id:\d+}/roles", "admin", "Set a user's roles", h::set_roles),
    ]
}
