//! iCalendar (RFC 5545) files for the agenda and for single sessions.
//!
//! Times are written in UTC (`DTSTART:20251024T080000Z`), which every calendar shows in
//! its owner's zone; `X-WR-TIMEZONE` names the event's zone for those that display it.
//! Each session keeps one UID for life and raises SEQUENCE whenever it is rescheduled.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::schedule::SessionRow;
use super::store::{EventRow, RoomRow};

fn stamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Lines longer than 75 octets are folded (§3.1), never inside a UTF-8 character.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn host(public_url: &str) -> &str {
    public_url
        .split("://")
        .nth(1)
        .unwrap_or("indaba")
        .split(['/', ':'])
        .next()
        .unwrap_or("indaba")
}

fn vevent(
    out: &mut String,
    s: &SessionRow,
    event: &EventRow,
    rooms: &HashMap<i64, RoomRow>,
    public_url: &str,
) {
    let (Some(starts), Some(ends)) = (s.starts_at, s.ends_at) else {
        return;
    };
    let room = s.room_id.and_then(|r| rooms.get(&r));
    let mut description = s.description.clone();
    if let Some(link) = room.and_then(|r| r.remote_link.as_deref()) {
        description.push_str(&format!("\n\nJoin online: {link}"));
    }
    let location = match room {
        Some(r) if !event.venue.is_empty() => format!("{}, {}", r.name, event.venue),
        Some(r) => r.name.clone(),
        None => event.venue.clone(),
    };
    push_line(out, "BEGIN:VEVENT");
    push_line(out, &format!("UID:session-{}@{}", s.id, host(public_url)));
    push_line(out, &format!("DTSTAMP:{}", stamp(s.updated_at)));
    push_line(out, &format!("SEQUENCE:{}", s.ical_sequence));
    push_line(out, &format!("DTSTART:{}", stamp(starts)));
    push_line(out, &format!("DTEND:{}", stamp(ends)));
    push_line(out, &format!("SUMMARY:{}", escape(&s.title)));
    push_line(out, &format!("DESCRIPTION:{}", escape(&description)));
    if !location.is_empty() {
        push_line(out, &format!("LOCATION:{}", escape(&location)));
    }
    push_line(out, &format!("URL:{public_url}/sessions/{}", s.id));
    push_line(
        out,
        &format!("CATEGORIES:{}", escape(s.session_type.as_str())),
    );
    push_line(out, "END:VEVENT");
}

/// A calendar with the scheduled sessions among `sessions`.
pub fn calendar(
    event: &EventRow,
    sessions: &[SessionRow],
    rooms: &HashMap<i64, RoomRow>,
    public_url: &str,
) -> String {
    let entries: Vec<(&SessionRow, &EventRow)> = sessions.iter().map(|s| (s, event)).collect();
    calendar_of(
        &event.name,
        Some(&event.timezone),
        &entries,
        rooms,
        public_url,
    )
}

/// A calendar of sessions from any events (a personal agenda).
pub fn calendar_of(
    name: &str,
    timezone: Option<&str>,
    entries: &[(&SessionRow, &EventRow)],
    rooms: &HashMap<i64, RoomRow>,
    public_url: &str,
) -> String {
    let mut out = String::new();
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(
        &mut out,
        &format!("PRODID:-//Indaba//Indaba {}//EN", env!("CARGO_PKG_VERSION")),
    );
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, "METHOD:PUBLISH");
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    if let Some(tz) = timezone {
        push_line(&mut out, &format!("X-WR-TIMEZONE:{tz}"));
    }
    for (s, event) in entries {
        vevent(&mut out, s, event, rooms, public_url);
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_folds() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let mut out = String::new();
        push_line(&mut out, &format!("SUMMARY:{}", "数".repeat(40)));
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{}", line.len());
        }
        assert_eq!(
            out.replace("\r\n ", "").trim_end(),
            format!("SUMMARY:{}", "数".repeat(40))
        );
    }
}
