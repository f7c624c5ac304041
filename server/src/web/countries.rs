//! Country names in the six languages, for the forms: people choose their country by its
//! name in the page's language, in that language's alphabetical order, and the API still
//! receives the ISO 3166-1 code. The names come from the Unicode CLDR, written into
//! `web/data/countries.tsv` by `web/data/countries.py`; the list covers every code the
//! server places in a UN regional group (`accounts/regions.rs`; a test keeps both equal).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::i18n::Lang;

const TSV: &str = include_str!("../../../web/data/countries.tsv");

type Names = HashMap<Lang, Vec<(&'static str, &'static str)>>;

fn all() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut out: Names = HashMap::new();
        for line in TSV.lines().skip(1) {
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
    })
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
    }
}
