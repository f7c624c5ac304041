//! Every CSV the server writes goes through here, so that no cell can run as a formula
//! when the file is opened in a spreadsheet (CSV injection, OWASP ASVS 5.3.x).

use crate::error::{ApiError, ApiResult};

/// A cell as text. Text that a spreadsheet would read as a formula or a command (it
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading
/// apostrophe, which spreadsheets show as text and do not run.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A CSV document (RFC 4180) with a header row; every cell defused.
pub fn document<R, C>(header: &[&str], rows: R) -> ApiResult<String>
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = String>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header.iter().map(|h| defuse(h).into_owned()))
        .map_err(ApiError::internal)?;
    for row in rows {
        let cells: Vec<String> = row.into_iter().map(|c| defuse(&c).into_owned()).collect();
        w.write_record(&cells).map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("-3"), "'-3");
        assert_eq!(defuse("+1"), "'+1");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("\tx"), "'\tx");
        assert_eq!(defuse("plain"), "plain");
        let doc = document(&["a", "b"], [vec!["=1+1".to_owned(), "ok".to_owned()]]).unwrap();
        assert_eq!(doc, "a,b\n'=1+1,ok\n");
    }
}
