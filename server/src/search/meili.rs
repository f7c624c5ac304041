//! The Meilisearch backend (`INDABA_MEILISEARCH_URL`), through meilisearch-sdk.
//!
//! Meilisearch gets our analysis, not its own: each document carries `terms`, the text as
//! our tokenizer makes it (Chinese, Japanese and Korean as bigrams, Arabic folded and
//! light-stemmed, other words reduced to one stem by [`analysis::conflate`]), and a query
//! is sent as phrases of the same terms. So 数据治理 counts the contributions that contain
//! that word (Meilisearch's own segmenter would count every one with 数据 in it), an
//! Arabic word is found with و، ب، ل، ف، ك and ال attached, and the answers match the
//! tantivy backend's. Phrases are matched exactly; the retry with one letter of tolerance
//! sends the words bare and lets Meilisearch's typo tolerance work. Highlights come from
//! [`highlight`], over the original text kept in the document.
//!
//! The indexer's position lives in a second index, `<name>_meta`, written after the
//! changes it covers have been processed: after a crash between the two, jobs are read
//! again, which is harmless. Calls block on a one-thread runtime of this backend's own,
//! so the indexer and the search handlers (both on the blocking pool) can use it as they
//! use tantivy.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error, ErrorCode};
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::settings::{
    FacetingSettings, MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::analysis::{conflate, tokenize};
use super::highlight::{highlight, QueryTerms};
use super::index::{
    Change, DocKey, Hit, IndexError, Results, SearchDoc, SearchIndex, SearchQuery, Sort,
};
use crate::config::Meilisearch;
use crate::consultations::text::is_cjk;

/// Raised whenever the settings or the analysis change: an index of another version is
/// emptied and rebuilt from the database at start.
const SCHEMA_VERSION: u32 = 3;
/// Every facet a document may carry (see `documents.rs`): filterable in Meilisearch.
const FACETS: [&str; 13] = [
    "type",
    "consultation",
    "visibility",
    "kind",
    "language",
    "stakeholder_group",
    "region",
    "country",
    "paragraph_key",
    "review_status",
    "tag",
    "event",
    "subtheme",
];
/// Totals are exact up to this many matches (Meilisearch stops counting there).
const MAX_TOTAL_HITS: usize = 1_000_000;
/// How long a change may wait in Meilisearch's task queue before the indexer retries.
const TASK_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a rebuild waits for Meilisearch to index everything it was sent.
const REBUILD_TIMEOUT: Duration = Duration::from_secs(3600);
const TASK_POLL: Duration = Duration::from_millis(10);

#[derive(Serialize, Deserialize)]
struct Meta {
    id: String,
    schema: u32,
    cursor: Option<i64>,
}

pub struct MeiliIndex {
    client: Client,
    name: String,
    meta: String,
    runtime: tokio::runtime::Runtime,
    /// The cursor as last written: readiness and metrics ask for it on every request.
    cursor: Mutex<Option<i64>>,
    /// Settings applied and cursor read (see `connect`).
    connected: AtomicBool,
    /// The tasks a rebuild sent without waiting (`stage`), checked once at its end.
    staged: Mutex<Vec<TaskInfo>>,
}

fn unavailable(e: Error) -> IndexError {
    match e {
        Error::Meilisearch(e) => IndexError::Failed(e.to_string()),
        other => IndexError::Unavailable(other.to_string()),
    }
}

/// Meilisearch document ids take letters, digits, `-` and `_`.
fn doc_id(key: DocKey) -> String {
    key.encode().replace(':', "-")
}

/// A filter value, quoted for Meilisearch's filter syntax.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The query in our terms: each CJK word a phrase of its bigrams; each other word its
/// stem, as a one-word phrase when typos are not tolerated (a phrase is matched exactly).
fn query_string(text: &str, fuzzy: bool) -> String {
    let terms = QueryTerms::new(text);
    let mut parts: Vec<String> = terms
        .phrases
        .iter()
        .map(|phrase| {
            let terms: Vec<String> = phrase.iter().map(|t| opaque(t)).collect();
            format!("\"{}\"", terms.join(" "))
        })
        .collect();
    let mut words: Vec<&String> = terms.words.iter().collect();
    words.sort();
    for word in words {
        if fuzzy {
            parts.push(word.clone());
        } else {
            parts.push(format!("\"{word}\""));
        }
    }
    parts.join(" ")
}

/// A Chinese, Japanese or Korean term written in lower-case letters only (`q`, then its
/// code points in hex with the digits 0–f as a–p); other terms as they are. Meilisearch
/// segments Chinese again with its own dictionary: our bigrams, cut into its words,
/// made phrases match where the text has no such word (能力建设: 16,234 found where
/// 16,229 contributions contain it, at 1M). Letters it keeps whole, so a phrase of our
/// bigrams matches exactly those bigrams in order.
fn opaque(term: &str) -> String {
    if !term.chars().next().is_some_and(is_cjk) {
        return term.to_owned();
    }
    let mut out = String::with_capacity(1 + term.chars().count() * 5);
    out.push('q');
    for c in term.chars() {
        for digit in format!("{:05x}", u32::from(c)).chars() {
            let value = digit.to_digit(16).unwrap_or(0) as u8;
            out.push(char::from(b'a' + value));
        }
    }
    out
}

fn terms_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for token in tokenize(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&opaque(&conflate(&token.text)));
    }
    out
}

fn document(doc: &SearchDoc) -> Value {
    let mut facets: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, value) in &doc.facets {
        facets.entry(name).or_default().push(value);
    }
    let mut d = Map::new();
    d.insert("id".into(), json!(doc_id(doc.key)));
    d.insert("key".into(), json!(doc.key.encode()));
    d.insert("text".into(), json!(doc.text));
    d.insert("terms".into(), json!(terms_of(&doc.text)));
    d.insert("created".into(), json!(doc.created));
    for (name, values) in facets {
        d.insert(name.into(), json!(values));
    }
    Value::Object(d)
}

impl MeiliIndex {
    /// A client for the configured Meilisearch; nothing is sent before `connect`.
    pub fn open(config: &Meilisearch) -> Result<MeiliIndex, IndexError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("meilisearch")
            .enable_all()
            .build()
            .map_err(|e| IndexError::Failed(e.to_string()))?;
        let client = Client::new(&config.url, config.key.as_deref())
            .map_err(|e| IndexError::Failed(e.to_string()))?;
        Ok(MeiliIndex {
            client,
            name: config.index.clone(),
            meta: format!("{}_meta", config.index),
            runtime,
            cursor: Mutex::new(None),
            connected: AtomicBool::new(false),
            staged: Mutex::new(Vec::new()),
        })
    }

    fn lock_cursor(&self) -> std::sync::MutexGuard<'_, Option<i64>> {
        self.cursor.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn settings() -> Settings {
        Settings::new()
            .with_searchable_attributes(["terms"])
            .with_displayed_attributes(["key", "text"])
            .with_filterable_attributes(FACETS)
            .with_sortable_attributes(["created"])
            // `sort` first: "newest first" is newest first even with a query; without a
            // sort the rule does nothing.
            .with_ranking_rules([
                "sort",
                "words",
                "typo",
                "proximity",
                "attribute",
                "exactness",
            ])
            .with_pagination(PaginationSetting {
                max_total_hits: MAX_TOTAL_HITS,
            })
            .with_faceting(FacetingSettings {
                max_values_per_facet: 1000,
                sort_facet_values_by: None,
            })
            // One letter of tolerance from 4 letters on, never two (as the tantivy side).
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                disable_on_attributes: None,
                disable_on_words: None,
                min_word_size_for_typos: Some(MinWordSizeForTypos {
                    one_typo: Some(4),
                    two_typos: Some(255),
                }),
            })
    }

    /// The cursor when the index is of this version; otherwise the index emptied and its
    /// settings applied, for the indexer to rebuild it.
    ///
    /// Settings are sent only then: Meilisearch processes every document again on each
    /// settings update, even one that changes nothing (32 s at 1,000,000 documents), so
    /// sending them at every start made a restart wait for that before searching.
    async fn prepare(&self) -> Result<Option<i64>, IndexError> {
        let meta = self.read_meta().await?;
        let index = self.client.index(&self.name);
        let exists = match self.client.get_index(&self.name).await {
            Ok(_) => true,
            Err(Error::Meilisearch(e)) if e.error_code == ErrorCode::IndexNotFound => false,
            Err(e) => return Err(unavailable(e)),
        };
        if exists {
            // Written only after this version's settings were applied (`clear`, `apply`).
            if let Some(meta) = meta.filter(|m| m.schema == SCHEMA_VERSION) {
                return Ok(meta.cursor);
            }
            // Emptied first, so that the settings apply to no documents.
            let task = index.delete_all_documents().await.map_err(unavailable)?;
            self.wait(task).await?;
        }
        let task = index
            .set_settings(&Self::settings())
            .await
            .map_err(unavailable)?;
        self.wait(task).await?;
        Ok(None)
    }

    async fn read_meta(&self) -> Result<Option<Meta>, IndexError> {
        match self
            .client
            .index(&self.meta)
            .get_document::<Meta>("state")
            .await
        {
            Ok(meta) => Ok(Some(meta)),
            Err(Error::Meilisearch(e))
                if matches!(
                    e.error_code,
                    ErrorCode::IndexNotFound | ErrorCode::DocumentNotFound
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn write_meta(&self, cursor: Option<i64>) -> Result<(), IndexError> {
        let meta = Meta {
            id: "state".into(),
            schema: SCHEMA_VERSION,
            cursor,
        };
        let task = self
            .client
            .index(&self.meta)
            .add_or_replace(&[meta], Some("id"))
            .await
            .map_err(unavailable)?;
        self.wait(task).await
    }

    async fn wait(&self, task: TaskInfo) -> Result<(), IndexError> {
        self.wait_within(task, TASK_TIMEOUT).await
    }

    async fn wait_within(&self, task: TaskInfo, timeout: Duration) -> Result<(), IndexError> {
        let task = task
            .wait_for_completion(&self.client, Some(TASK_POLL), Some(timeout))
            .await
            .map_err(unavailable)?;
        if task.is_failure() {
            return Err(IndexError::Failed(task.unwrap_failure().to_string()));
        }
        Ok(())
    }

    fn lock_staged(&self) -> std::sync::MutexGuard<'_, Vec<TaskInfo>> {
        self.staged.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits once for everything a rebuild staged and for `sent`: the tasks of one
    /// index run in order, so the last one's end is everyone's. Then each earlier task
    /// is asked how it ended, since a failure of any loses documents.
    async fn settle(&self, sent: Vec<TaskInfo>) -> Result<(), IndexError> {
        let mut tasks = std::mem::take(&mut *self.lock_staged());
        let rebuilding = !tasks.is_empty();
        tasks.extend(sent);
        let Some(last) = tasks.pop() else {
            return Ok(());
        };
        let timeout = if rebuilding {
            REBUILD_TIMEOUT
        } else {
            TASK_TIMEOUT
        };
        self.wait_within(last, timeout).await?;
        for task in tasks {
            let done = self.client.get_task(&task).await.map_err(unavailable)?;
            if done.is_failure() {
                return Err(IndexError::Failed(done.unwrap_failure().to_string()));
            }
        }
        Ok(())
    }

    /// Sends changes to Meilisearch's task queue, in order; the tasks sent.
    async fn send(&self, changes: Vec<Change>) -> Result<Vec<TaskInfo>, IndexError> {
        let mut upserts = Vec::new();
        let mut deletes = Vec::new();
        for change in changes {
            match change {
                Change::Upsert(doc) => upserts.push(document(&doc)),
                Change::Delete(key) => deletes.push(doc_id(key)),
            }
        }
        let index = self.client.index(&self.name);
        let mut sent = Vec::new();
        if !upserts.is_empty() {
            sent.push(
                index
                    .add_or_replace(&upserts, Some("id"))
                    .await
                    .map_err(unavailable)?,
            );
        }
        if !deletes.is_empty() {
            sent.push(
                index
                    .delete_documents(&deletes)
                    .await
                    .map_err(unavailable)?,
            );
        }
        Ok(sent)
    }

    async fn write(&self, changes: Vec<Change>) -> Result<(), IndexError> {
        let sent = self.send(changes).await?;
        self.settle(sent).await
    }

    async fn run_search(&self, q: &SearchQuery, fuzzy: bool) -> Result<Results, IndexError> {
        let index = self.client.index(&self.name);
        let text = query_string(&q.text, fuzzy);
        let filter: Vec<String> = q
            .filters
            .iter()
            .map(|(name, values)| {
                let any: Vec<String> = values
                    .iter()
                    .map(|v| format!("{name} = {}", quoted(v)))
                    .collect();
                format!("({})", any.join(" OR "))
            })
            .collect();
        let filter = filter.join(" AND ");
        let limit = q.limit.max(1);
        // Pages give exact totals; an offset that is not a whole number of pages reads
        // one longer page from the start.
        let (page, per_page, skip) = if q.offset % limit == 0 {
            (q.offset / limit + 1, limit, 0)
        } else {
            (1, q.offset + limit, q.offset)
        };
        let sort = ["created:desc"];
        let mut search = index.search();
        search
            .with_page(page)
            .with_hits_per_page(per_page)
            .with_facets(Selectors::Some(&q.facets))
            .with_attributes_to_retrieve(Selectors::Some(&["key", "text"]))
            .with_matching_strategy(MatchingStrategies::ALL);
        if !text.is_empty() {
            search.with_query(&text);
        }
        if !filter.is_empty() {
            search.with_filter(&filter);
        }
        if matches!(q.sort, Sort::Newest) || text.is_empty() {
            search.with_sort(&sort);
        }
        let found = search.execute::<Stored>().await.map_err(unavailable)?;
        let terms = QueryTerms::new(&q.text);
        let hits = found
            .hits
            .into_iter()
            .skip(skip)
            .filter_map(|hit| {
                let key = DocKey::decode(&hit.result.key)?;
                let highlight = highlight(&hit.result.text, &terms);
                Some(Hit { key, highlight })
            })
            .collect();
        let distribution: HashMap<String, HashMap<String, usize>> =
            found.facet_distribution.unwrap_or_default();
        let facets = q
            .facets
            .iter()
            .map(|name| {
                let counts: BTreeMap<String, u64> = distribution
                    .get(*name)
                    .map(|values| values.iter().map(|(v, n)| (v.clone(), *n as u64)).collect())
                    .unwrap_or_default();
                ((*name).to_owned(), counts)
            })
            .collect();
        Ok(Results {
            hits,
            total: found.total_hits.or(found.estimated_total_hits).unwrap_or(0),
            facets,
            approximate: false,
        })
    }
}

#[derive(Deserialize)]
struct Stored {
    key: String,
    text: String,
}

impl SearchIndex for MeiliIndex {
    fn backend(&self) -> &'static str {
        "meilisearch"
    }

    /// Reads the cursor, or prepares an index of another version (or none) to be
    /// rebuilt: it then has no cursor, and the indexer rebuilds it.
    fn connect(&self) -> Result<(), IndexError> {
        if self.connected.load(Ordering::Acquire) {
            return Ok(());
        }
        let cursor = self.runtime.block_on(self.prepare())?;
        *self.lock_cursor() = cursor;
        self.connected.store(true, Ordering::Release);
        Ok(())
    }

    fn cursor(&self) -> Option<i64> {
        *self.lock_cursor()
    }

    fn apply(&self, changes: Vec<Change>, cursor: Option<i64>) -> Result<(), IndexError> {
        self.runtime.block_on(async {
            self.write(changes).await?;
            if cursor.is_some() {
                self.write_meta(cursor).await?;
            }
            Ok::<_, IndexError>(())
        })?;
        if cursor.is_some() {
            *self.lock_cursor() = cursor;
        }
        Ok(())
    }

    /// Sends without waiting: Meilisearch batches what waits in its queue, so a rebuild
    /// that waited for each batch of 1,000 indexed at a fifth of the speed. `apply`, at
    /// the rebuild's end, waits once and checks every task.
    fn stage(&self, changes: Vec<Change>) -> Result<(), IndexError> {
        let sent = self.runtime.block_on(self.send(changes))?;
        self.lock_staged().extend(sent);
        Ok(())
    }

    fn clear(&self) -> Result<(), IndexError> {
        *self.lock_cursor() = None;
        self.lock_staged().clear();
        self.runtime.block_on(async {
            self.write_meta(None).await?;
            let task = self
                .client
                .index(&self.name)
                .delete_all_documents()
                .await
                .map_err(unavailable)?;
            self.wait(task).await
        })
    }

    fn search_with(&self, q: &SearchQuery, fuzzy: bool) -> Result<Results, IndexError> {
        // A search before the indexer's first connection still finds the settings (the
        // filterable facets) in place, or says Meilisearch is unavailable.
        self.connect()?;
        self.runtime.block_on(self.run_search(q, fuzzy))
    }

    fn documents(&self) -> Result<u64, IndexError> {
        let stats = self
            .runtime
            .block_on(self.client.index(&self.name).get_stats())
            .map_err(unavailable)?;
        Ok(stats.number_of_documents as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_our_terms_as_phrases() {
        // 数 U+6570, 字 U+5B57, 鸿 U+9E3F, 沟 U+6C9F.
        assert_eq!(
            query_string("Connected 数字鸿沟", false),
            "\"qagfhaaflfh qaflfhajodp qajodpagmjp\" \"connect\""
        );
        assert_eq!(terms_of("数字"), "qagfhaaflfh");
        assert_eq!(query_string("conecting", true), "conect");
        assert_eq!(terms_of("والخصوصية Connecting"), "خصوص connect");
        assert_eq!(quoted("a\"b\\"), "\"a\\\"b\\\\\"");
    }
}
