//! Notifications: follows, what is notified (`hooks`, called in the transaction of each
//! cause), the in-app list with a live unread count on the user's own channel, settings
//! per kind, mail (immediate, daily and weekly digests) with one-click unsubscribe, and
//! the scheduler that sends mail and reminders from the database.

pub mod emails;
pub mod handlers;
pub mod hooks;
pub mod scheduler;
pub mod store;
pub mod types;

use crate::endpoint_untyped;
use crate::http::Endpoint;

pub fn endpoints() -> Vec<Endpoint> {
    use handlers as h;
    vec![
        endpoint_untyped!(POST "/follows", "user", "Follow a consultation, paragraph, comment, event or session", h::follow),
        endpoint_untyped!(DELETE "/follows", "user", "Stop following", h::unfollow),
        endpoint_untyped!(GET "/me/follows", "user", "What you follow", h::my_follows),
        endpoint_untyped!(GET "/me/notifications", "user", "Your notifications, newest first (?unread=true)", h::my_notifications),
        endpoint_untyped!(POST "/me/notifications/read", "user", "Mark {ids} or {all: true} read", h::mark_read),
        endpoint_untyped!(GET "/me/notification-settings", "user", "How often each kind is mailed, and your time zone", h::settings),
        endpoint_untyped!(PATCH "/me/notification-settings", "user", "Set off, immediate, daily or weekly per kind, and your time zone", h::update_settings),
        endpoint_untyped!(POST "/unsubscribe", "anyone with a signed link", "One-click unsubscribe (RFC 8058)", h::unsubscribe),
        endpoint_untyped!(GET "/unsubscribe", "anyone with a signed link", "A page confirming the unsubscribe (a GET changes nothing)", h::unsubscribe_page),
    ]
}
