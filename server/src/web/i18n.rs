//! Interface languages: the six UN languages, their Fluent messages, and how a
//! request's language is chosen (`?lang=`, then the cookie, then the account's
//! preference, then `Accept-Language`, then English).

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Ar,
    Zh,
    En,
    Fr,
    Ru,
    Es,
}

impl Lang {
    /// In the UN's order of the official languages' names.
    pub const ALL: [Lang; 6] = [Lang::Ar, Lang::Zh, Lang::En, Lang::Fr, Lang::Ru, Lang::Es];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Zh => "zh",
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ru => "ru",
            Lang::Es => "es",
        }
    }

    /// The language's own name, as the switcher shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::Ar => "العربية",
            Lang::Zh => "中文",
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Ru => "Русский",
            Lang::Es => "Español",
        }
    }

    pub fn parse(raw: &str) -> Option<Lang> {
        let primary = raw.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    pub fn rtl(self) -> bool {
        self == Lang::Ar
    }

    pub fn dir(self) -> &'static str {
        if self.rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::Ar => include_str!("../../../web/locales/ar.ftl"),
            Lang::Zh => include_str!("../../../web/locales/zh.ftl"),
            Lang::En => include_str!("../../../web/locales/en.ftl"),
            Lang::Fr => include_str!("../../../web/locales/fr.ftl"),
            Lang::Ru => include_str!("../../../web/locales/ru.ftl"),
            Lang::Es => include_str!("../../../web/locales/es.ftl"),
        }
    }
}

/// The writing direction of content in a language (any BCP 47 tag), for `dir=` on
/// text whose language may differ from the page's.
pub fn dir_of(tag: &str) -> &'static str {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match primary.as_str() {
        "ar" | "he" | "fa" | "ur" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb" => "rtl",
        _ => "ltr",
    }
}

/// The best of the six for an `Accept-Language` header, by its q-values.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or_default();
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(lang) = Lang::parse(tag) {
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
    }
    best.map(|(_, l)| l)
}

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static HashMap<Lang, Bundle> {
    static BUNDLES: OnceLock<HashMap<Lang, Bundle>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        Lang::ALL
            .into_iter()
            .map(|lang| (lang, load(lang)))
            .collect()
    })
}

fn load(lang: Lang) -> Bundle {
    let id = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Bidi isolation marks would land inside attribute values and test assertions;
    // the page's `dir` and `<bdi>` around user text do that work instead.
    bundle.set_use_isolating(false);
    // A syntax error in a locale file is caught by the test that checks every key in
    // every language; here the good entries are kept.
    let resource = match FluentResource::try_new(lang.source().to_owned()) {
        Ok(r) => r,
        Err((r, errors)) => {
            tracing::error!(lang = lang.code(), ?errors, "locale file has errors");
            r
        }
    };
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            lang = lang.code(),
            ?errors,
            "locale file has duplicate keys"
        );
    }
    bundle
}

/// A date however deep a template holds it (templates bind by reference).
pub trait AsDate {
    fn as_date(&self) -> chrono::NaiveDate;
}

impl AsDate for chrono::NaiveDate {
    fn as_date(&self) -> chrono::NaiveDate {
        *self
    }
}

impl<T: AsDate> AsDate for &T {
    fn as_date(&self) -> chrono::NaiveDate {
        (**self).as_date()
    }
}

/// A whole number however deep a template holds it.
pub trait AsNum {
    fn as_num(&self) -> i64;
}

impl AsNum for i64 {
    fn as_num(&self) -> i64 {
        *self
    }
}

impl AsNum for i32 {
    fn as_num(&self) -> i64 {
        i64::from(*self)
    }
}

impl AsNum for usize {
    fn as_num(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}

impl AsNum for u64 {
    fn as_num(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}

impl<T: AsNum> AsNum for &T {
    fn as_num(&self) -> i64 {
        (**self).as_num()
    }
}

/// The translator handed to templates.
#[derive(Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    /// Every country as `(code, name)` in this language's order (web/countries.rs).
    pub fn countries(&self) -> &'static [(&'static str, &'static str)] {
        super::countries::names(self.lang)
    }

    /// A language's name in this language (from a BCP 47 tag).
    pub fn language(&self, tag: &str) -> String {
        super::countries::language(self.lang, tag)
    }

    /// A country's name in this language.
    pub fn country(&self, code: &str) -> String {
        super::countries::name(self.lang, code)
    }

    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// A message; a key missing in this language falls back to English, then to the key.
    pub fn get(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The label of a code: `of("group", "academia")` reads `group-academia`.
    pub fn of(&self, prefix: &str, code: &str) -> String {
        self.get(&format!("{prefix}-{code}"))
    }

    /// A message with one argument (`{ $name }`); numbers pick the plural form.
    pub fn arg(&self, key: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(value.to_owned()));
        self.format(key, Some(&args))
    }

    /// A message with several arguments.
    pub fn args(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(name.to_string(), FluentValue::from(value.to_string()));
        }
        self.format(key, Some(&args))
    }

    pub fn count(&self, key: &str, n: impl AsNum) -> String {
        let n = n.as_num();
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(n));
        self.format(key, Some(&args))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        for lang in [self.lang, Lang::En] {
            let bundle = &bundles()[&lang];
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = vec![];
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        key.to_owned()
    }

    /// A date (no time) the way this language writes it.
    pub fn date(&self, d: impl AsDate) -> String {
        use chrono::Datelike;
        let d = d.as_date();
        let month = self.get(&format!("month-{}", d.month()));
        let mut args = FluentArgs::new();
        args.set("day", FluentValue::from(d.day().to_string()));
        args.set("month", FluentValue::from(month));
        args.set("year", FluentValue::from(d.year().to_string()));
        self.format("date-format", Some(&args))
    }

    /// A whole number with this language's digit grouping.
    pub fn number(&self, n: impl AsNum) -> String {
        let n = n.as_num();
        let sep = match self.lang {
            Lang::En | Lang::Zh | Lang::Ar => ",",
            Lang::Fr => "\u{202f}",
            Lang::Ru => "\u{a0}",
            Lang::Es => ".",
        };
        let digits = n.unsigned_abs().to_string();
        // Spanish and Russian leave four-digit numbers whole.
        if matches!(self.lang, Lang::Es | Lang::Ru) && digits.len() <= 4 {
            return n.to_string();
        }
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(sep);
            }
            out.push(c);
        }
        if n < 0 {
            out.insert(0, '-');
        }
        out
    }
}

/// Every message key of the English file: the reference the others must match.
pub fn keys(lang: Lang) -> Vec<String> {
    lang.source()
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '\t', '.', '*', '[', '}']) && l.contains(" ="))
        .filter_map(|l| l.split(" =").next())
        .map(|k| k.trim().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_takes_the_best_of_the_six() {
        assert_eq!(
            from_accept_language("de-DE,fr;q=0.8,en;q=0.9"),
            Some(Lang::En)
        );
        assert_eq!(from_accept_language("ar-EG"), Some(Lang::Ar));
        assert_eq!(
            from_accept_language("zh-Hans-CN;q=0.5, ru;q=0.4"),
            Some(Lang::Zh)
        );
        assert_eq!(from_accept_language("de, it"), None);
        assert_eq!(from_accept_language("fr;q=0"), None);
    }

    #[test]
    fn every_language_has_every_key_and_parses() {
        let reference = keys(Lang::En);
        assert!(reference.len() > 50, "{}", reference.len());
        for lang in Lang::ALL {
            let resource = FluentResource::try_new(lang.source().to_owned());
            assert!(resource.is_ok(), "{} does not parse", lang.code());
            let have = keys(lang);
            let missing: Vec<_> = reference.iter().filter(|k| !have.contains(k)).collect();
            let extra: Vec<_> = have.iter().filter(|k| !reference.contains(k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, extra {extra:?}",
                lang.code()
            );
        }
    }

    #[test]
    fn numbers_and_dates_follow_the_language() {
        assert_eq!(Tr::new(Lang::En).number(1234567), "1,234,567");
        assert_eq!(Tr::new(Lang::Fr).number(12345), "12\u{202f}345");
        assert_eq!(Tr::new(Lang::Es).number(1234), "1234");
        assert_eq!(Tr::new(Lang::Es).number(12345), "12.345");
        let d = chrono::NaiveDate::from_ymd_opt(2025, 6, 23).unwrap();
        assert_eq!(Tr::new(Lang::En).date(d), "23 June 2025");
        assert_eq!(Tr::new(Lang::Zh).date(d), "2025年6月23日");
        assert_eq!(Tr::new(Lang::Fr).date(d), "23 juin 2025");
    }

    #[test]
    fn plurals_follow_the_language() {
        assert_eq!(Tr::new(Lang::En).count("comments-count", 1), "1 comment");
        assert_eq!(Tr::new(Lang::En).count("comments-count", 3), "3 comments");
        assert_eq!(
            Tr::new(Lang::Ru).count("comments-count", 3),
            "3 комментария"
        );
        assert_eq!(
            Tr::new(Lang::Ru).count("comments-count", 5),
            "5 комментариев"
        );
    }
}
