//! The tantivy index under `<data dir>/search/`: one document per public contribution
//! or session report, with filters and facets as hierarchical facet terms
//! (`/stakeholder_group/civil_society`), the text in a base field and in a stemmed field
//! for its language, and the indexer's position in the job log kept in the commit
//! payload, so that the index and its position never disagree after a crash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value,
    FAST, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use super::analysis;
use super::highlight::{self, escape};
use super::index::{
    Change, DocKey, Hit, IndexError, Results, SearchDoc, SearchIndex, SearchQuery, Sort,
};

/// Raised whenever the schema or the analysis changes: an index of another version is
/// rebuilt from the database at start.
const SCHEMA_VERSION: u32 = 3;
/// One indexing thread with a small arena: the live workload is a trickle of small
/// commits, and every arena byte stays resident (a 2-thread, 50 MB writer cost a server
/// with 1,000 live listeners about 200 MB more at its peak).
const WRITER_THREADS: usize = 1;
const WRITER_MEMORY: usize = 20_000_000;

#[derive(Serialize, Deserialize)]
struct Payload {
    schema: u32,
    cursor: i64,
}

struct Fields {
    key: Field,
    text: Field,
    stemmed: Vec<(&'static str, Field)>,
    facets: Field,
}

pub struct TantivyIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    dir: PathBuf,
}

fn failed(e: impl std::fmt::Display) -> IndexError {
    IndexError::Failed(e.to_string())
}

impl From<tantivy::TantivyError> for IndexError {
    fn from(e: tantivy::TantivyError) -> Self {
        failed(e)
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let key = b.add_text_field("key", STRING | STORED);
    let indexing = |analyzer: &str| {
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
    };
    let text = b.add_text_field(
        "text",
        TextOptions::default()
            .set_indexing_options(indexing(analysis::BASE))
            .set_stored(),
    );
    let stemmed = analysis::STEMMED
        .iter()
        .map(|(lang, _)| {
            let name = analysis::analyzer_name(lang);
            let field = b.add_text_field(
                &format!("text_{lang}"),
                TextOptions::default().set_indexing_options(indexing(&name)),
            );
            (*lang, field)
        })
        .collect();
    let facets = b.add_facet_field("facets", FacetOptions::default());
    b.add_i64_field("created", FAST);
    (
        b.build(),
        Fields {
            key,
            text,
            stemmed,
            facets,
        },
    )
}

/// At most this many threads search one query's segments.
const SEARCH_THREADS: usize = 4;

fn facet(name: &str, value: &str) -> Facet {
    Facet::from_path([name, value])
}

impl TantivyIndex {
    /// Opens the index in `dir`, or creates it (empty, no cursor) when it is missing or
    /// of another schema version.
    pub fn open(dir: &Path) -> Result<TantivyIndex, IndexError> {
        let (schema, fields) = schema();
        let existing = Index::open_in_dir(dir).ok().filter(|index| {
            index
                .load_metas()
                .ok()
                .and_then(|m| m.payload)
                .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
                .is_some_and(|p| p.schema == SCHEMA_VERSION)
                && index.schema() == schema
        });
        let mut index = match existing {
            Some(index) => index,
            None => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir)
                        .map_err(|e| failed(format!("cannot clear {}: {e}", dir.display())))?;
                }
                std::fs::create_dir_all(dir)
                    .map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
                Index::create_in_dir(dir, schema)?
            }
        };
        for (name, analyzer) in analysis::analyzers() {
            index.tokenizers().register(&name, analyzer);
        }
        // A query searches the index's segments in parallel, one thread per core: on a
        // large index one query's latency falls with the cores it may use.
        let cores = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(SEARCH_THREADS);
        if cores > 1 {
            index.set_multithread_executor(cores)?;
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY)?;
        Ok(TantivyIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            dir: dir.to_owned(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn write(&self, writer: &mut IndexWriter, changes: Vec<Change>) -> Result<(), IndexError> {
        for change in changes {
            match change {
                Change::Delete(key) => {
                    writer.delete_term(Term::from_field_text(self.fields.key, &key.encode()));
                }
                Change::Upsert(doc) => {
                    writer.delete_term(Term::from_field_text(self.fields.key, &doc.key.encode()));
                    writer.add_document(self.document(&doc))?;
                }
            }
        }
        Ok(())
    }

    fn commit(
        &self,
        mut writer: std::sync::MutexGuard<'_, IndexWriter>,
        cursor: Option<i64>,
    ) -> Result<(), IndexError> {
        let mut commit = writer.prepare_commit()?;
        if let Some(cursor) = cursor {
            let payload = serde_json::to_string(&Payload {
                schema: SCHEMA_VERSION,
                cursor,
            })
            .map_err(failed)?;
            commit.set_payload(&payload);
        }
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, doc: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.key, doc.key.encode());
        d.add_text(f.text, &doc.text);
        if let Some((_, field)) = f.stemmed.iter().find(|(lang, _)| *lang == doc.language) {
            d.add_text(*field, &doc.text);
        }
        for (name, value) in &doc.facets {
            d.add_facet(f.facets, facet(name, value));
        }
        if let Ok(created) = self.index.schema().get_field("created") {
            d.add_i64(created, doc.created);
        }
        d
    }
}

impl SearchIndex for TantivyIndex {
    fn backend(&self) -> &'static str {
        "tantivy"
    }

    /// The id of the last search job the index reflects; `None` for a new index, which
    /// must be built from the database first.
    fn cursor(&self) -> Option<i64> {
        let payload = self.index.load_metas().ok()?.payload?;
        serde_json::from_str::<Payload>(&payload)
            .ok()
            .map(|p| p.cursor)
    }

    /// Applies changes and records `cursor`, atomically, then makes them searchable.
    /// Without a cursor (in the middle of a rebuild) the index has none afterwards.
    fn apply(&self, changes: Vec<Change>, cursor: Option<i64>) -> Result<(), IndexError> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        self.write(&mut writer, changes)?;
        self.commit(writer, cursor)
    }

    /// Adds changes without committing them (a rebuild commits once, at the end: one
    /// commit per batch would leave a hundred small segments to search).
    fn stage(&self, changes: Vec<Change>) -> Result<(), IndexError> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        self.write(&mut writer, changes)
    }

    /// Empties the index (for a rebuild); the cursor goes back to none.
    fn clear(&self) -> Result<(), IndexError> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        writer.delete_all_documents()?;
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    fn search_with(&self, q: &SearchQuery, fuzzy: bool) -> Result<Results, IndexError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text_query = if q.text.trim().is_empty() {
            None
        } else {
            let mut fields = vec![f.text];
            fields.extend(f.stemmed.iter().map(|(_, field)| *field));
            let mut parser = tantivy::query::QueryParser::for_index(&self.index, fields);
            parser.set_conjunction_by_default();
            // Exact words weigh more than stems of them.
            parser.set_field_boost(f.text, 2.0);
            if fuzzy {
                parser.set_field_fuzzy(f.text, false, 1, true);
            }
            // Lenient: a stray quote in what people type is not an error. Colons go: the
            // grammar's `field:value` would reach fields that are not text (the review
            // facets of co-facilitators among them).
            let text = q.text.replace(':', " ");
            let (query, _) = parser.parse_query_lenient(&text);
            Some(query)
        };
        if let Some(query) = &text_query {
            clauses.push((Occur::Must, query.box_clone()));
        }
        for (name, values) in &q.filters {
            let any: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|v| {
                    let term = Term::from_facet(f.facets, &facet(name, v));
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Should, q)
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        let query: Box<dyn Query> = if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            if text_query.is_none() {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            }
            Box::new(BooleanQuery::new(clauses))
        };

        let mut facet_collector = FacetCollector::for_field("facets");
        for name in &q.facets {
            facet_collector.add_facet(Facet::from_path([*name]));
        }
        let limit = q.limit.max(1);
        let (addresses, total, counts): (Vec<DocAddress>, usize, _) = match q.sort {
            Sort::Relevance => {
                let top = TopDocs::with_limit(limit).and_offset(q.offset);
                let (docs, total, counts) =
                    searcher.search(&query, &(top, Count, facet_collector))?;
                (docs.into_iter().map(|(_, a)| a).collect(), total, counts)
            }
            Sort::Newest => {
                let top = TopDocs::with_limit(limit)
                    .and_offset(q.offset)
                    .order_by_fast_field::<i64>("created", Order::Desc);
                let (docs, total, counts) =
                    searcher.search(&query, &(top, Count, facet_collector))?;
                (docs.into_iter().map(|(_, a)| a).collect(), total, counts)
            }
        };

        let mut facets = BTreeMap::new();
        for name in &q.facets {
            let values: BTreeMap<String, u64> = counts
                .get(Facet::from_path([*name]))
                .filter_map(|(facet, count)| {
                    facet.to_path().last().map(|v| ((*v).to_owned(), count))
                })
                .collect();
            facets.insert((*name).to_owned(), values);
        }

        let mut generators = Vec::new();
        if let Some(query) = &text_query {
            let mut fields = vec![f.text];
            fields.extend(f.stemmed.iter().map(|(_, field)| *field));
            for field in fields {
                let mut g = SnippetGenerator::create(&searcher, query.as_ref(), field)?;
                g.set_max_num_chars(highlight::CHARS);
                generators.push(g);
            }
        }
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(key) = doc
                .get_first(f.key)
                .and_then(|v| v.as_str())
                .and_then(DocKey::decode)
            else {
                continue;
            };
            let text = doc
                .get_first(f.text)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            hits.push(Hit {
                key,
                highlight: highlight(&generators, text),
            });
        }
        Ok(Results {
            hits,
            total,
            facets,
            approximate: false,
        })
    }

    fn documents(&self) -> Result<u64, IndexError> {
        Ok(self.reader.searcher().num_docs())
    }
}

/// The first snippet with a match, from the exact field or a stemmed one; without a
/// match (no query), the start of the text.
fn highlight(generators: &[SnippetGenerator], text: &str) -> String {
    for g in generators {
        let mut snippet = g.snippet(text);
        if !snippet.highlighted().is_empty() {
            snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
            return snippet.to_html();
        }
    }
    let start: String = text.chars().take(highlight::CHARS).collect();
    escape(&start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, text: &str, lang: &str, group: &str) -> Change {
        Change::Upsert(SearchDoc {
            key: DocKey::Comment(id),
            text: text.into(),
            language: lang.into(),
            created: id,
            facets: vec![("stakeholder_group", group.into()), ("tag", "a/b".into())],
        })
    }

    fn query(text: &str) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            filters: vec![],
            facets: vec!["stakeholder_group", "tag"],
            sort: Sort::Relevance,
            offset: 0,
            limit: 10,
        }
    }

    #[test]
    fn finds_by_script_filters_counts_and_marks() {
        let dir = std::env::temp_dir().join(format!("indaba-index-{}", std::process::id()));
        let index = TantivyIndex::open(&dir).unwrap();
        assert_eq!(index.cursor(), None);
        index
            .apply(
                vec![
                    doc(1, "弥合数字鸿沟，促进普遍连通", "zh", "government"),
                    doc(2, "Connecting the unconnected <now>", "en", "civil_society"),
                    doc(3, "数字合作", "zh", "civil_society"),
                ],
                Some(7),
            )
            .unwrap();
        assert_eq!(index.cursor(), Some(7));

        let r = index.search(&query("数字鸿沟")).unwrap();
        assert_eq!(r.total, 1);
        assert_eq!(r.hits[0].key, DocKey::Comment(1));
        assert!(
            r.hits[0].highlight.contains("<mark>数字鸿沟</mark>"),
            "{}",
            r.hits[0].highlight
        );

        // Stemming: "connected" finds "connecting"; markup in the text is escaped.
        let r = index.search(&query("connected")).unwrap();
        assert_eq!(r.total, 1);
        assert!(
            r.hits[0].highlight.contains("&lt;now"),
            "{}",
            r.hits[0].highlight
        );

        let mut q = query("数字");
        q.filters = vec![("stakeholder_group", vec!["civil_society".into()])];
        let r = index.search(&q).unwrap();
        assert_eq!(r.total, 1);
        assert_eq!(r.hits[0].key, DocKey::Comment(3));
        assert_eq!(r.facets["tag"]["a/b"], 1);

        let r = index.search(&query("")).unwrap();
        assert_eq!(r.total, 3);
        assert_eq!(r.facets["stakeholder_group"]["civil_society"], 2);

        index
            .apply(vec![Change::Delete(DocKey::Comment(3))], Some(8))
            .unwrap();
        assert_eq!(index.search(&query("")).unwrap().total, 2);
        drop(index);
        let reopened = TantivyIndex::open(&dir).unwrap();
        assert_eq!(reopened.cursor(), Some(8));
        assert_eq!(reopened.documents().unwrap(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
