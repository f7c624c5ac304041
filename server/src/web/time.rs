//! Times as the API gives them (RFC 3339), shown in the page's language.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub struct Stamp(pub DateTime<FixedOffset>);

impl TryFrom<String> for Stamp {
    type Error = chrono::ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DateTime::parse_from_rfc3339(&s).map(Stamp)
    }
}

impl Stamp {
    pub fn date(&self) -> NaiveDate {
        self.0.date_naive()
    }

    /// 24-hour clock, as the UN writes times in all six languages.
    pub fn hm(&self) -> String {
        self.0.format("%H:%M").to_string()
    }

    /// For `<time datetime=…>`.
    pub fn iso(&self) -> String {
        self.0.to_rfc3339()
    }
}
