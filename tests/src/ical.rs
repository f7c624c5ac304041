//! iCalendar files read by an independent parser.

use serde_json::Value;

/// Parses an iCalendar file with an independent parser (Python's `icalendar`, installed
/// by tests/run) and returns its events as JSON.
pub fn parse_ics(text: &str) -> Value {
    use std::io::Write;
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
    let mut child = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (tests/run installs icalendar)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3 runs");
    assert!(
        out.status.success(),
        "the iCalendar parser refused the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("parser output")
}
