//! Notifications: follows, what is notified (`hooks`, called in the transaction of each
//! cause), the in-app list with a live unread count on the user's own channel, settings
//! per kind, mail (immediate, daily and weekly digests) with one-click unsubscribe, and
//! the scheduler that sends mail and reminders from the database.

pub mod command;
pub mod emails;
pub mod hooks;
pub mod http;
pub mod scheduler;
pub mod store;
pub mod types;
pub mod usecase;
pub mod view;

use crate::endpoint;
use crate::http::Endpoint;
use crate::policy::guards::accounts::UnsubscribeLink;
use crate::policy::guards::SignedIn;

pub fn endpoints() -> Vec<Endpoint> {
    use self::http as h;
    vec![
        endpoint!(POST "/follows", SignedIn, "Follow a consultation, paragraph, comment, event or session", h::follow),
        endpoint!(DELETE "/follows", SignedIn, "Stop following", h::unfollow),
        endpoint!(GET "/me/follows", SignedIn, "What you follow", h::my_follows),
        endpoint!(GET "/me/notifications", SignedIn, "Your notifications, newest first (?unread=true)", h::my_notifications),
        endpoint!(POST "/me/notifications/read", SignedIn, "Mark {ids} or {all: true} read", h::mark_read),
        endpoint!(GET "/me/notification-settings", SignedIn, "How often each kind is mailed, and your time zone", h::settings),
        endpoint!(PATCH "/me/notification-settings", SignedIn, "Set off, immediate, daily or weekly per kind, and your time zone", h::update_settings),
        endpoint!(POST "/unsubscribe", UnsubscribeLink, "One-click unsubscribe (RFC 8058)", h::unsubscribe),
        endpoint!(GET "/unsubscribe", UnsubscribeLink, "A page confirming the unsubscribe (a GET changes nothing)", h::unsubscribe_page),
    ]
}
