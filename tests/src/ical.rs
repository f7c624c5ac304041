//! iCalendar files read by an independent parser.

use serde_json::Value;

/// Parses an iCalendar file with an independent parser (Python's `icalendar`, installed
/// by tests/run) and returns its events as JSON.
pub fn parse_ics(text: &str) -> Value {
    const SCRIPT: &str = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
assert cal.get('VERSION') == '2.0', 'VERSION'
assert cal.get('PRODID'), 'PRODID'
out = []
for ev in cal.walk('VEVENT'):
    out.append({k.lower(): (ev.decoded(k).isoformat() if k in ('DTSTART', 'DTEND', 'DTSTAMP') else str(ev.get(k)))
                for k in ('UID', 'SEQUENCE', 'DTSTART', 'DTEND', 'DTSTAMP', 'SUMMARY', 'DESCRIPTION', 'LOCATION', 'URL') if ev.get(k) is not None})
print(json.dumps(out))
"#;
    let out = crate::python::run_python(SCRIPT, text.as_bytes(), "the iCalendar parser");
    serde_json::from_slice(&out).expect("parser output")
}
