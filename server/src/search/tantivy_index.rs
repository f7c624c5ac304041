//! The tantivy index under `<data dir>/search/`: one document per public contribution
//! or session report, with filters and facets as hierarchical facet terms
//! (`/stakeholder_group/civil_society`), the text in a base field and in a stemmed field
//! for its language, and the indexer's position in the job log kept in the commit
//! payload, so that the index and its position never disagree after a crash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value,
    FAST, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TokenizerManager;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use super::analysis;
use super::filter_cache::FilterCache;
use super::highlight::{self, escape};
use super::index::{
    Change, DocKey, Hit, IndexError, Results, SearchDoc, SearchIndex, SearchQuery, Sort,
};
use super::merge_policy::BoundedMergePolicy;
use super::typos;

/// Raised whenever the schema or the analysis changes: an index of another version is
/// rebuilt from the database at start.
const SCHEMA_VERSION: u32 = 4;
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
    stemmed: Vec<(&'static str, analysis::StemLang, Field)>,
    facets: Field,
}

pub struct TantivyIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// The analysers a query is read with (CJK words as covering bigrams).
    query_tokenizers: TokenizerManager,
    filters: Arc<FilterCache>,
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
        .map(|(lang, stem)| {
            let name = analysis::analyzer_name(lang);
            let field = b.add_text_field(
                &format!("text_{lang}"),
                TextOptions::default().set_indexing_options(indexing(&name)),
            );
            (*lang, *stem, field)
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
        let query_tokenizers = TokenizerManager::default();
        for (name, analyzer) in analysis::query_analyzers() {
            query_tokenizers.register(&name, analyzer);
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
        let writer: IndexWriter = index.writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY)?;
        writer.set_merge_policy(Box::<BoundedMergePolicy>::default());
        Ok(TantivyIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            query_tokenizers,
            filters: Arc::default(),
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
        self.filters.retain_segments(&self.reader.searcher());
        Ok(())
    }

    fn parse(&self, text: &str, fields: &[Field], tokenizers: TokenizerManager) -> Box<dyn Query> {
        let mut parser =
            tantivy::query::QueryParser::new(self.index.schema(), fields.to_vec(), tokenizers);
        parser.set_conjunction_by_default();
        // Exact words weigh more than stems of them.
        parser.set_field_boost(self.fields.text, 2.0);
        let (query, _) = parser.parse_query_lenient(text);
        query
    }

    /// The fields a text query searches: the base field, and the stemmed fields that
    /// can add to it for this text (see [`analysis::StemLang::can_stem`]).
    fn text_fields(&self, text: &str) -> Vec<Field> {
        let mut fields = vec![self.fields.text];
        fields.extend(
            self.fields
                .stemmed
                .iter()
                .filter(|(_, stem, _)| stem.can_stem(text))
                .map(|(_, _, field)| *field),
        );
        fields
    }

    fn document(&self, doc: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.key, doc.key.encode());
        d.add_text(f.text, &doc.text);
        if let Some((_, _, field)) = f.stemmed.iter().find(|(lang, _, _)| *lang == doc.language) {
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

    /// Adds changes to an index emptied by `clear`, without committing them (a rebuild
    /// commits once, at the end: one commit per batch would leave a hundred small
    /// segments to search). Nothing is there to replace or delete: tantivy keeps every
    /// delete until the commit, which held a million of them in memory for a rebuild of
    /// a million contributions.
    fn stage(&self, changes: Vec<Change>) -> Result<(), IndexError> {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        for change in changes {
            if let Change::Upsert(doc) = change {
                writer.add_document(self.document(&doc))?;
            }
        }
        Ok(())
    }

    /// Empties the index (for a rebuild); the cursor goes back to none.
    fn clear(&self) -> Result<(), IndexError> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        writer.delete_all_documents()?;
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        self.filters.retain_segments(&self.reader.searcher());
        Ok(())
    }

    fn search_with(&self, q: &SearchQuery, fuzzy: bool) -> Result<Results, IndexError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Lenient parsing: a stray quote in what people type is not an error. Colons go:
        // the grammar's `field:value` would reach fields that are not text (the review
        // facets of co-facilitators among them).
        let mut text = q.text.replace(':', " ");
        if fuzzy {
            if let Some(corrected) = typos::corrected(&searcher, f.text, &text)? {
                text = corrected;
            }
        }
        let fields = self.text_fields(&text);
        let text_query = (!text.trim().is_empty())
            .then(|| self.parse(&text, &fields, self.query_tokenizers.clone()));
        if let Some(query) = &text_query {
            clauses.push((Occur::Must, query.box_clone()));
        }
        // A filter is a set of facet terms, matched as a bit set kept between queries:
        // no scoring, and no union of posting lists walked document by document (which
        // cost about 40% of a query at 1M contributions, filters matching most of the
        // index).
        for (name, values) in &q.filters {
            let any = values
                .iter()
                .map(|v| Term::from_facet(f.facets, &facet(name, v)));
            clauses.push((Occur::Must, Box::new(self.filters.any_of(f.facets, any))));
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
        if text_query.is_some() {
            // Marked with every bigram of a CJK word, not only those that cover it: the
            // best fragment is then the one that holds the word, not the one with the
            // most of its pieces.
            let query = self.parse(&text, &fields, self.index.tokenizers().clone());
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
        drop(reopened);
        // A merge that the delete started may still be writing here: not this test's
        // concern.
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn chinese_words_stay_whole_and_typos_are_corrected() {
        let dir = std::env::temp_dir().join(format!("indaba-index-w-{}", std::process::id()));
        let index = TantivyIndex::open(&dir).unwrap();
        index
            .apply(
                vec![
                    doc(1, "可持续发展目标", "zh", "government"),
                    // The same characters in two runs, and around a word: not the word.
                    doc(2, "可持，续发展；数字 AI 鸿沟", "zh", "government"),
                    doc(3, "Connecting the unconnected", "en", "civil_society"),
                ],
                Some(1),
            )
            .unwrap();
        let found = |text: &str| -> Vec<DocKey> {
            let r = index.search(&query(text)).unwrap();
            r.hits.into_iter().map(|h| h.key).collect()
        };
        assert_eq!(found("可持续发展"), [DocKey::Comment(1)]);
        assert_eq!(found("数字鸿沟"), []);
        let r = index.search(&query("可持续发展")).unwrap();
        assert!(
            r.hits[0].highlight.contains("<mark>可持续发展</mark>"),
            "{}",
            r.hits[0].highlight
        );
        // One letter dropped: found, and said to be approximate.
        let r = index.search(&query("unconected")).unwrap();
        assert_eq!(r.total, 1);
        assert!(r.approximate);
        // Nothing one edit away: nothing, and not approximate.
        let r = index.search(&query("zzzzzz")).unwrap();
        assert_eq!((r.total, r.approximate), (0, false));
        drop(index);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
