//! Search queries as clients send them, and the commands they are parsed into once.
//! Every parameter problem is collected into one 422 `invalid_query` that names each
//! parameter; past `TryFrom`, filters are domain values.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::index::Sort;
use crate::accounts::types::{Country, LanguageTag, Region, StakeholderGroup};
use crate::consultations::types::CommentKind;
use crate::error::{ApiError, ErrorCode, FieldErrors};
use crate::http::page::Page;
use crate::review::store::ReviewStatus;

pub const MAX_QUERY_CHARS: usize = 500;
/// Deep paging costs the index more with every page; nobody reads 10,000 results.
pub const MAX_OFFSET: usize = 10_000;

/// The order of results (by default: relevance with `q`, newest first without).
#[derive(Serialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Relevance,
    Newest,
}

/// What a result of `/search` is.
#[derive(Serialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    Comment,
    SessionReport,
}

impl DocType {
    fn parse(raw: &str) -> Option<DocType> {
        match raw {
            "comment" => Some(DocType::Comment),
            "session_report" => Some(DocType::SessionReport),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Comment => "comment",
            DocType::SessionReport => "session_report",
        }
    }
}

/// `GET /consultations/{id}/search`. Filters take several values separated by commas
/// (any of them matches); different filters must all match.
#[derive(Deserialize, JsonSchema, Default, Debug, Clone)]
pub struct ConsultationSearchQuery {
    /// Words to find (at most 500 characters); every word must match.
    pub q: Option<String>,
    /// Stakeholder groups, comma-separated.
    pub stakeholder_group: Option<String>,
    /// UN regional groups, comma-separated.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 codes, comma-separated (anonymous contributions carry none).
    pub country: Option<String>,
    /// Language tags, comma-separated.
    pub language: Option<String>,
    /// Paragraph keys, comma-separated.
    pub paragraph_key: Option<String>,
    /// `comment`, `amendment`, comma-separated.
    pub kind: Option<String>,
    /// Review statuses, comma-separated (co-facilitators and organisers only: 403).
    pub review_status: Option<String>,
    /// Review tags, comma-separated (co-facilitators and organisers only: 403).
    pub tag: Option<String>,
    #[schemars(with = "Option<SortOrder>")]
    pub sort: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `GET /search`: the same over the whole platform, with `type` and `event_id`.
#[derive(Deserialize, JsonSchema, Default, Debug, Clone)]
pub struct PlatformSearchQuery {
    /// Words to find (at most 500 characters); every word must match.
    pub q: Option<String>,
    /// `comment`, `session_report`, comma-separated.
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    /// Stakeholder groups, comma-separated.
    pub stakeholder_group: Option<String>,
    /// UN regional groups, comma-separated.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 codes, comma-separated.
    pub country: Option<String>,
    /// Language tags, comma-separated.
    pub language: Option<String>,
    /// `comment`, `amendment`, comma-separated.
    pub kind: Option<String>,
    /// Event ids, comma-separated (session reports).
    pub event_id: Option<String>,
    #[schemars(with = "Option<SortOrder>")]
    pub sort: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    // Searched within a consultation only: refused here rather than ignored.
    #[schemars(skip)]
    pub review_status: Option<String>,
    #[schemars(skip)]
    pub tag: Option<String>,
    #[schemars(skip)]
    pub paragraph_key: Option<String>,
}

/// The text, order and page of a search.
#[derive(Debug, Clone)]
pub struct Common {
    pub text: String,
    pub sort: Sort,
    pub page: Page,
    pub offset: usize,
}

/// The filters both searches share.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub stakeholder_groups: Option<Vec<StakeholderGroup>>,
    pub regions: Option<Vec<Region>>,
    /// Upper-cased.
    pub countries: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub kinds: Option<Vec<CommentKind>>,
}

impl Filters {
    /// As the index takes them.
    pub fn to_index(&self) -> Vec<(&'static str, Vec<String>)> {
        fn strs<T: ToString>(list: &[T]) -> Vec<String> {
            list.iter().map(ToString::to_string).collect()
        }
        let mut out = Vec::new();
        if let Some(l) = &self.stakeholder_groups {
            out.push(("stakeholder_group", strs(l)));
        }
        if let Some(l) = &self.regions {
            out.push(("region", strs(l)));
        }
        if let Some(l) = &self.languages {
            out.push(("language", l.clone()));
        }
        if let Some(l) = &self.countries {
            out.push(("country", l.clone()));
        }
        if let Some(l) = &self.kinds {
            out.push(("kind", strs(l)));
        }
        out
    }
}

/// A search within one consultation.
#[derive(Debug, Clone)]
pub struct ConsultationSearch {
    pub common: Common,
    pub filters: Filters,
    pub paragraph_keys: Option<Vec<String>>,
    /// For the consultation's reviewers only.
    pub review_statuses: Option<Vec<ReviewStatus>>,
    /// Lower-cased; for the consultation's reviewers only.
    pub tags: Option<Vec<String>>,
}

impl ConsultationSearch {
    /// Whether the search filters by review fields.
    pub fn filters_reviews(&self) -> bool {
        self.review_statuses.is_some() || self.tags.is_some()
    }
}

/// A search over the whole platform.
#[derive(Debug, Clone)]
pub struct PlatformSearch {
    pub common: Common,
    pub filters: Filters,
    pub types: Option<Vec<DocType>>,
    pub event_ids: Option<Vec<i64>>,
}

/// Comma-separated values of a filter; any of them matches.
fn values(raw: Option<&str>) -> Option<Vec<String>> {
    let list: Vec<String> = raw?
        .split(',')
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    (!list.is_empty()).then_some(list)
}

/// Values each parsed by `parse`; the first unknown one is noted under `name`.
fn parsed<T>(
    errors: &mut FieldErrors,
    name: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Option<Vec<T>> {
    let list = values(raw)?;
    let mut out = Vec::with_capacity(list.len());
    for v in &list {
        match parse(v) {
            Some(t) => out.push(t),
            None => {
                errors.insert(
                    name.to_owned(),
                    format!("has an unknown value {v:?} (expected {expected})"),
                );
                return None;
            }
        }
    }
    Some(out)
}

fn common(
    errors: &mut FieldErrors,
    list: &str,
    q: Option<String>,
    sort: Option<&str>,
    limit: Option<i64>,
    cursor: Option<&str>,
) -> Option<Common> {
    let text = q.unwrap_or_default();
    if text.chars().count() > MAX_QUERY_CHARS {
        errors.insert(
            "q".into(),
            format!("is longer than {MAX_QUERY_CHARS} characters"),
        );
    }
    let sort = match sort {
        Some("relevance") => Some(Sort::Relevance),
        Some("newest") => Some(Sort::Newest),
        None if text.trim().is_empty() => Some(Sort::Newest),
        None => Some(Sort::Relevance),
        Some(_) => {
            errors.insert("sort".into(), "must be relevance or newest".into());
            None
        }
    };
    let page = match Page::of_list(list, limit, cursor) {
        Ok(page) => Some(page),
        Err(e) => {
            errors.extend(e.fields.unwrap_or_default());
            None
        }
    };
    let offset = page.and_then(|p| {
        if p.offset > MAX_OFFSET {
            errors.insert(
                "cursor".into(),
                "goes deeper than 10,000 results: narrow the search".into(),
            );
            None
        } else {
            Some(p.offset)
        }
    });
    Some(Common {
        text,
        sort: sort?,
        page: page?,
        offset: offset?,
    })
}

struct Shared<'a> {
    stakeholder_group: Option<&'a str>,
    region: Option<&'a str>,
    country: Option<&'a str>,
    language: Option<&'a str>,
    kind: Option<&'a str>,
}

fn filters(errors: &mut FieldErrors, raw: Shared<'_>) -> Filters {
    Filters {
        stakeholder_groups: parsed(
            errors,
            "stakeholder_group",
            raw.stakeholder_group,
            StakeholderGroup::parse,
            &StakeholderGroup::expected(),
        ),
        regions: parsed(
            errors,
            "region",
            raw.region,
            Region::parse,
            &Region::expected(),
        ),
        countries: parsed(
            errors,
            "country",
            raw.country,
            |v| Country::parse(v).ok().map(|c| c.code()),
            "ISO 3166-1 alpha-2 codes such as KE or BR",
        ),
        languages: parsed(
            errors,
            "language",
            raw.language,
            |v| LanguageTag::parse(v).ok().map(|l| l.as_str().to_owned()),
            "BCP 47 language tags such as ar or zh-Hans",
        ),
        kinds: parsed(
            errors,
            "kind",
            raw.kind,
            |v| CommentKind::parse(v).filter(|k| *k != CommentKind::Question),
            "comment, amendment",
        ),
    }
}

/// A 422 `invalid_query` naming every parameter in `errors`.
fn invalid(errors: FieldErrors) -> ApiError {
    let message = errors
        .iter()
        .map(|(name, problem)| format!("{name} {problem}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut e = ApiError::new(ErrorCode::InvalidQuery, message);
    e.fields = Some(errors);
    e
}

/// The list a search's cursors belong to: the same search of the same place, whatever
/// the page.
fn list_of<Q: std::fmt::Debug + Clone>(place: &str, q: &Q, unpaged: impl FnOnce(&mut Q)) -> String {
    let mut q = q.clone();
    unpaged(&mut q);
    format!("search:{place}:{q:?}")
}

impl ConsultationSearch {
    /// The search `p` asks for in the consultation `key` (as the path names it).
    pub fn parse(key: &str, p: ConsultationSearchQuery) -> Result<ConsultationSearch, ApiError> {
        let mut errors = FieldErrors::new();
        let list = list_of(key, &p, |q| {
            q.limit = None;
            q.cursor = None;
        });
        let common = common(
            &mut errors,
            &list,
            p.q,
            p.sort.as_deref(),
            p.limit,
            p.cursor.as_deref(),
        );
        let filters = filters(
            &mut errors,
            Shared {
                stakeholder_group: p.stakeholder_group.as_deref(),
                region: p.region.as_deref(),
                country: p.country.as_deref(),
                language: p.language.as_deref(),
                kind: p.kind.as_deref(),
            },
        );
        let review_statuses = parsed(
            &mut errors,
            "review_status",
            p.review_status.as_deref(),
            ReviewStatus::parse,
            &ReviewStatus::expected(),
        );
        let tags =
            values(p.tag.as_deref()).map(|l| l.into_iter().map(|t| t.to_lowercase()).collect());
        match common {
            Some(common) if errors.is_empty() => Ok(ConsultationSearch {
                common,
                filters,
                paragraph_keys: values(p.paragraph_key.as_deref()),
                review_statuses,
                tags,
            }),
            _ => Err(invalid(errors)),
        }
    }
}

impl TryFrom<PlatformSearchQuery> for PlatformSearch {
    type Error = ApiError;

    fn try_from(p: PlatformSearchQuery) -> Result<PlatformSearch, ApiError> {
        let mut errors = FieldErrors::new();
        let list = list_of("all", &p, |q| {
            q.limit = None;
            q.cursor = None;
        });
        for (name, given) in [
            ("review_status", &p.review_status),
            ("tag", &p.tag),
            ("paragraph_key", &p.paragraph_key),
        ] {
            if given.is_some() {
                errors.insert(
                    name.into(),
                    "review fields and paragraphs are searched within a consultation".into(),
                );
            }
        }
        let common = common(
            &mut errors,
            &list,
            p.q,
            p.sort.as_deref(),
            p.limit,
            p.cursor.as_deref(),
        );
        let filters = filters(
            &mut errors,
            Shared {
                stakeholder_group: p.stakeholder_group.as_deref(),
                region: p.region.as_deref(),
                country: p.country.as_deref(),
                language: p.language.as_deref(),
                kind: p.kind.as_deref(),
            },
        );
        let types = parsed(
            &mut errors,
            "type",
            p.doc_type.as_deref(),
            DocType::parse,
            "comment, session_report",
        );
        let event_ids = parsed(
            &mut errors,
            "event_id",
            p.event_id.as_deref(),
            |v| v.parse::<i64>().ok(),
            "event ids",
        );
        match common {
            Some(common) if errors.is_empty() => Ok(PlatformSearch {
                common,
                filters,
                types,
                event_ids,
            }),
            _ => Err(invalid(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_parameter_is_named_in_one_answer() {
        let q = ConsultationSearchQuery {
            sort: Some("loudest".into()),
            kind: Some("comment,question".into()),
            stakeholder_group: Some("civil_society,pirates".into()),
            review_status: Some("done".into()),
            limit: Some(0),
            ..ConsultationSearchQuery::default()
        };
        let Err(e) = ConsultationSearch::parse("7", q) else {
            panic!("accepted")
        };
        assert_eq!(e.code, ErrorCode::InvalidQuery);
        let fields = e.fields.unwrap_or_default();
        for name in [
            "sort",
            "kind",
            "stakeholder_group",
            "review_status",
            "limit",
        ] {
            assert!(fields.contains_key(name), "{name}: {fields:?}");
        }
    }

    #[test]
    fn filters_travel_as_domain_values() {
        let q = ConsultationSearchQuery {
            stakeholder_group: Some("civil_society, academia".into()),
            country: Some("de".into()),
            kind: Some("amendment".into()),
            tag: Some("Health".into()),
            ..ConsultationSearchQuery::default()
        };
        let Ok(s) = ConsultationSearch::parse("7", q) else {
            panic!("refused")
        };
        assert_eq!(
            s.filters.stakeholder_groups,
            Some(vec![
                StakeholderGroup::CivilSociety,
                StakeholderGroup::Academia
            ])
        );
        assert_eq!(s.filters.countries, Some(vec!["DE".to_owned()]));
        assert_eq!(s.tags, Some(vec!["health".to_owned()]));
        assert!(matches!(s.common.sort, Sort::Newest));
        let p = PlatformSearchQuery {
            tag: Some("x".into()),
            ..PlatformSearchQuery::default()
        };
        assert!(PlatformSearch::try_from(p).is_err());
    }
}
