//! Word files read by an independent reader.

use serde_json::Value;

/// Opens a `.docx` with Python's `python-docx` (installed by tests/run) and returns its
/// paragraphs as JSON: `{style, text, ins, del, rtl}`, where `text` is the text with the
/// tracked changes accepted, `ins` and `del` the inserted and deleted stretches.
pub fn read_docx(bytes: &[u8]) -> Vec<Value> {
    use std::io::Write;
    const SCRIPT: &str = r#"
import sys, io, json, docx
from docx.oxml.ns import qn
d = docx.Document(io.BytesIO(sys.stdin.buffer.read()))
out = []
for p in d.paragraphs:
    el = p._p
    ppr = el.find(qn('w:pPr'))
    out.append({
        'style': p.style.name,
        'text': ''.join(t.text or '' for t in el.iter(qn('w:t'))),
        'ins': [''.join(t.text or '' for t in i.iter(qn('w:t'))) for i in el.iter(qn('w:ins'))],
        'del': [''.join(t.text or '' for t in x.iter(qn('w:delText'))) for x in el.iter(qn('w:del'))],
        'rtl': ppr is not None and ppr.find(qn('w:bidi')) is not None,
    })
print(json.dumps(out, ensure_ascii=False))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (tests/run installs python-docx)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("write");
    let out = child.wait_with_output().expect("python3 runs");
    assert!(
        out.status.success(),
        "python-docx refused the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("reader output")
}
