//! Word files read by an independent reader.

use serde_json::Value;

/// Opens a `.docx` with Python's `python-docx` (installed by tests/run) and returns its
/// paragraphs as JSON: `{style, text, ins, del, rtl}`, where `text` is the text with the
/// tracked changes accepted, `ins` and `del` the inserted and deleted stretches.
pub fn read_docx(bytes: &[u8]) -> Vec<Value> {
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
    let out = crate::python::run_python(SCRIPT, bytes, "python-docx");
    serde_json::from_slice(&out).expect("reader output")
}
