//! Country and language names in the six languages. People choose their country by its
//! name in the page's language, in that language's alphabetical order, and the API still
//! receives the ISO 3166-1 code; pages name a contribution's language instead of showing
//! its code. The names come from the Unicode CLDR, written into `web/data/countries.tsv`
//! and `web/data/languages.tsv` by the scripts beside them; the countries are every code
//! the server places in a UN regional group (`accounts/regions.rs`; a test keeps both
//! equal).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::i18n::Lang;

const TSV: &str = include_str!("../../../web/data/countries.tsv");
const LANGUAGES: &str = include_str!("../../../web/data/languages.tsv");

type Names = HashMap<Lang, Vec<(&'static str, &'static str)>>;

fn all() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| read(TSV))
}

fn languages() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| read(LANGUAGES))
}

/// A table of `lang  code  name` lines after a header.
fn read(tsv: &'static str) -> Names {
    {
        let mut out: Names = HashMap::new();
        for line in tsv.lines().skip(1) {
            let mut cols = line.split('\t');
            let (Some(lang), Some(code), Some(name)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            if let Some(lang) = Lang::parse(lang) {
                out.entry(lang).or_default().push((code, name));
            }
        }
        out
    }
}

/// A language's name in `lang`, from a BCP 47 tag (`fr`, `zh-Hans`): its primary subtag's
/// name, or the tag itself when the table does not know it.
pub fn language(lang: Lang, tag: &str) -> String {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .to_ascii_lowercase();
    languages()
        .get(&lang)
        .and_then(|l| l.iter().find(|(c, _)| *c == primary))
        .map_or_else(|| tag.to_owned(), |(_, n)| (*n).to_owned())
}

/// Every country as `(code, name)`, in the order of `lang`.
pub fn names(lang: Lang) -> &'static [(&'static str, &'static str)] {
    all().get(&lang).map(Vec::as_slice).unwrap_or_default()
}

/// A country's name in `lang` (its code when unknown).
pub fn name(lang: Lang, code: &str) -> String {
    names(lang)
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, n)| (*n).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placed_code_has_a_name_in_every_language() {
        for lang in Lang::ALL {
            let list = names(lang);
            assert!(list.len() > 240, "{lang:?}");
            for (code, _) in list {
                assert!(
                    crate::accounts::regions::region_of(code).is_some(),
                    "{code} has a name but no region"
                );
            }
            let codes: std::collections::HashSet<_> = list.iter().map(|(c, _)| *c).collect();
            assert_eq!(codes.len(), list.len(), "{lang:?}: a code twice");
        }
        assert_eq!(name(Lang::Fr, "KE"), "Kenya");
        assert_eq!(name(Lang::Zh, "KE"), "肯尼亚");
        assert_eq!(name(Lang::Ar, "KE"), "كينيا");
        assert_eq!(name(Lang::Ru, "DE"), "Германия");
        assert_eq!(language(Lang::Fr, "zh-Hans"), "chinois");
        assert_eq!(language(Lang::En, "sw"), "Swahili");
        assert_eq!(language(Lang::Ar, "qq"), "qq");
    }
}
