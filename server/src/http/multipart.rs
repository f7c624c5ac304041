//! `multipart/form-data` (RFC 7578) read from a body already in memory and within its
//! limit: enough for the forms and uploads of this API (a draft as a file), with no
//! streaming parser to depend on.

use crate::error::ApiError;

pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

/// The parts of a form, in order.
pub struct Multipart(pub Vec<Part>);

impl Multipart {
    /// A text field, as UTF-8.
    pub fn text(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|p| p.name == name && p.filename.is_none())
            .map(|p| String::from_utf8_lossy(&p.data).into_owned())
    }

    /// A file field that holds a file (browsers send an empty part when none was chosen).
    pub fn file(&self, name: &str) -> Option<&Part> {
        self.0
            .iter()
            .find(|p| p.name == name && p.filename.is_some() && !p.data.is_empty())
    }

    /// Every text field as `(name, value)`.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|p| p.filename.is_none())
            .map(|p| {
                (
                    p.name.clone(),
                    String::from_utf8_lossy(&p.data).into_owned(),
                )
            })
            .collect()
    }
}

/// The boundary a `multipart/form-data` content type names, if it is one.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let essence = params.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A parameter of a `Content-Disposition` line (`name="label"`).
fn param(line: &str, key: &str) -> Option<String> {
    line.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

pub fn parse(boundary: &str, body: &[u8]) -> Result<Multipart, ApiError> {
    let bad = || ApiError::bad_request("the multipart/form-data body is malformed");
    if boundary.is_empty() || boundary.len() > 200 {
        return Err(bad());
    }
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut at = find(body, d, 0).ok_or_else(bad)? + d.len();
    let mut parts = Vec::new();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            return Ok(Multipart(parts));
        }
        if body.get(at..at + 2) != Some(b"\r\n") {
            return Err(bad());
        }
        let head_end = find(body, b"\r\n\r\n", at + 2).ok_or_else(bad)?;
        let head = String::from_utf8_lossy(&body[at + 2..head_end]);
        let next =
            find(body, format!("\r\n{delimiter}").as_bytes(), head_end + 4).ok_or_else(bad)?;
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .ok_or_else(bad)?;
        let name = param(disposition, "name").ok_or_else(bad)?;
        parts.push(Part {
            name,
            filename: param(disposition, "filename"),
            data: body[head_end + 4..next].to_vec(),
        });
        at = next + 2 + d.len();
        if parts.len() > 100 {
            return Err(bad());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_files_are_read() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\nrev1\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"draft.docx\"\r\n\
Content-Type: application/octet-stream\r\n\r\nPK\x03\x04\r\n\x00binary\r\n--XyZ--\r\n";
        let b = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let form = parse(&b, body).unwrap();
        assert_eq!(form.text("label").as_deref(), Some("rev1"));
        let file = form.file("file").unwrap();
        assert_eq!(file.filename.as_deref(), Some("draft.docx"));
        assert_eq!(file.data, b"PK\x03\x04\r\n\x00binary");
        assert!(boundary("application/json").is_none());
        assert!(parse(&b, b"--XyZ\r\nno headers end").is_err());
        assert!(parse(&b, b"nothing").is_err());
    }
}
