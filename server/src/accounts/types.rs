//! Account domain types: each can only hold a valid value.

#[macro_export]
#[doc(hidden)]
macro_rules! __string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),* } }
            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($text => Some($name::$variant),)* _ => None }
            }
            /// The accepted values, for error messages.
            pub fn expected() -> String {
                [$($text),*].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> { stringify!($name).into() }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "string", "enum": [$($text),*]})
            }
        }

        /// Reading a stored value (`#[diesel(deserialize_as = String)]`): a value the
        /// code does not know is a broken row, reported as a database error.
        impl TryFrom<String> for $name {
            type Error = $crate::accounts::types::UnknownValue;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                $name::parse(&raw).ok_or($crate::accounts::types::UnknownValue {
                    what: stringify!($name),
                    value: raw,
                })
            }
        }

        /// Reading a nullable column (`#[diesel(deserialize_as = NullableText)]` on an
        /// `Option` field): NULL is `None`, a value the code does not know is a broken row.
        impl TryFrom<$crate::db::NullableText> for Option<$name> {
            type Error = $crate::accounts::types::UnknownValue;
            fn try_from(raw: $crate::db::NullableText) -> Result<Self, Self::Error> {
                raw.0.map($name::try_from).transpose()
            }
        }
    };
}

pub use crate::__string_enum as string_enum;

/// A stored value that is not one of its enum's.
#[derive(Debug, thiserror::Error)]
#[error("{value:?} is not a known {what}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

string_enum!(StakeholderGroup {
    Government => "government",
    Intergovernmental => "intergovernmental",
    PrivateSector => "private_sector",
    CivilSociety => "civil_society",
    TechnicalCommunity => "technical_community",
    Academia => "academia",
});

string_enum!(
    /// UN regional groups.
    Region {
        African => "african",
        AsiaPacific => "asia_pacific",
        EasternEuropean => "eastern_european",
        LatinAmericanCaribbean => "latin_american_caribbean",
        WesternEuropeanOthers => "western_european_others",
    }
);

string_enum!(Role {
    Participant => "participant",
    Moderator => "moderator",
    Organizer => "organizer",
    Admin => "admin",
});

impl Role {
    /// The roles an admin grants (`participant` is everyone's).
    pub const GRANTABLE: [Role; 3] = [Role::Moderator, Role::Organizer, Role::Admin];
}

string_enum!(Gender {
    Female => "female",
    Male => "male",
    NonBinary => "non_binary",
    Other => "other",
    PreferNotToSay => "prefer_not_to_say",
});

/// A lower-cased, syntactically plausible email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let email = raw.trim().to_lowercase();
        if email.len() > 254 {
            return Err("is longer than 254 characters");
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err("is not an email address");
        };
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && !local.contains(['@', ' ', '<', '>', '"', ',']);
        let ok_domain = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if ok_local && ok_domain && !email.chars().any(char::is_control) {
            Ok(Self(email))
        } else {
            Err("is not an email address")
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An address read back from an account row: it was parsed when it was stored.
    pub(crate) fn stored(raw: String) -> Self {
        Self(raw)
    }
}

impl serde::Serialize for Email {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl schemars::JsonSchema for Email {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Email".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "email", "maxLength": 254})
    }
}

/// A password meeting the policy: 12 to 256 characters, hard to guess (zxcvbn's score
/// of at least 3: not a common or breached password, not a word or name with a digit
/// added, not a keyboard row, a repeat or a date), and not the email address.
pub struct Password(String);

/// The least zxcvbn score accepted: about 10^8 guesses ("safely unguessable"), what
/// zxcvbn counts as resisting an offline attack on a slow hash.
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

impl Password {
    /// Length and strength; `user_inputs` (the address, the name) count as known to an
    /// attacker. The address itself is refused by [`Password::differs_from`].
    pub fn parse(raw: &str, email: Option<&str>) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars < 12 {
            return Err("must be at least 12 characters".into());
        }
        if chars > 256 {
            return Err("must be at most 256 characters".into());
        }
        let pw = Self(raw.to_owned());
        match email {
            Some(email) => pw.differs_from(email)?,
            None => pw.strong_enough(&[])?,
        }
        Ok(pw)
    }

    /// The rest of the policy once the account is known: not its email address (nor
    /// the part before the `@`), and strong even to someone who knows the address.
    pub fn differs_from(&self, email: &str) -> Result<(), String> {
        let lower = self.0.trim().to_lowercase();
        let local = email.split('@').next().unwrap_or(email);
        if lower == email || lower == local {
            return Err("must not be your email address".into());
        }
        let mut inputs = vec![email, local];
        inputs.extend(local.split(['.', '_', '-', '+']).filter(|p| p.len() > 2));
        self.strong_enough(&inputs)
    }

    /// zxcvbn's verdict, with its reason in words when it refuses.
    fn strong_enough(&self, user_inputs: &[&str]) -> Result<(), String> {
        let verdict = zxcvbn::zxcvbn(&self.0, user_inputs);
        if verdict.score() >= MIN_SCORE {
            return Ok(());
        }
        let reason = Guessable::of(verdict.feedback());
        Err(format!("{GUESSABLE}{}", reason.clause()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// How a refused password's message begins; the reason follows.
pub const GUESSABLE: &str = "is too easy to guess for its length: ";

/// Why a password is easy to guess, in fewer kinds than zxcvbn's warnings and
/// suggestions, each with a clause the pages translate (`error-password-{key}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guessable {
    CommonPassword,
    KeyboardPattern,
    Repeats,
    Sequence,
    Dates,
    WordOrName,
    TooFewWords,
}

impl Guessable {
    pub const ALL: [Guessable; 7] = [
        Guessable::CommonPassword,
        Guessable::KeyboardPattern,
        Guessable::Repeats,
        Guessable::Sequence,
        Guessable::Dates,
        Guessable::WordOrName,
        Guessable::TooFewWords,
    ];

    fn of(feedback: Option<&zxcvbn::feedback::Feedback>) -> Guessable {
        use zxcvbn::feedback::{Suggestion as S, Warning as W};
        let Some(f) = feedback else {
            return Guessable::TooFewWords;
        };
        match f.warning() {
            Some(
                W::ThisIsATop10Password
                | W::ThisIsATop100Password
                | W::ThisIsACommonPassword
                | W::ThisIsSimilarToACommonlyUsedPassword,
            ) => Guessable::CommonPassword,
            Some(W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess) => {
                Guessable::KeyboardPattern
            }
            Some(
                W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
            ) => Guessable::Repeats,
            Some(W::SequencesLikeAbcAreEasyToGuess) => Guessable::Sequence,
            Some(W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess) => Guessable::Dates,
            Some(
                W::AWordByItselfIsEasyToGuess
                | W::NamesAndSurnamesByThemselvesAreEasyToGuess
                | W::CommonNamesAndSurnamesAreEasyToGuess,
            ) => Guessable::WordOrName,
            None => match f.suggestions().first() {
                Some(S::UseALongerKeyboardPatternWithMoreTurns) => Guessable::KeyboardPattern,
                Some(S::AvoidRepeatedWordsAndCharacters) => Guessable::Repeats,
                Some(S::AvoidSequences) => Guessable::Sequence,
                Some(
                    S::AvoidRecentYears
                    | S::AvoidYearsThatAreAssociatedWithYou
                    | S::AvoidDatesAndYearsThatAreAssociatedWithYou,
                ) => Guessable::Dates,
                _ => Guessable::TooFewWords,
            },
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Guessable::CommonPassword => "common-password",
            Guessable::KeyboardPattern => "keyboard-pattern",
            Guessable::Repeats => "repeats",
            Guessable::Sequence => "sequence",
            Guessable::Dates => "dates",
            Guessable::WordOrName => "word-or-name",
            Guessable::TooFewWords => "too-few-words",
        }
    }

    /// The reason in English, as the API says it.
    pub fn clause(self) -> &'static str {
        match self {
            Guessable::CommonPassword => "it is a common password, or very close to one",
            Guessable::KeyboardPattern => "keyboard patterns like qwerty are easy to guess",
            Guessable::Repeats => "repeats like aaa or abcabc are easy to guess",
            Guessable::Sequence => "sequences like abc or 6543 are easy to guess",
            Guessable::Dates => "years and dates are easy to guess",
            Guessable::WordOrName => "a single word or name is easy to guess",
            Guessable::TooFewWords => "add another word or two; uncommon words are better",
        }
    }
}

/// Characters that reorder the text around them (bidirectional embeddings, overrides
/// and isolates, U+202A–U+202E and U+2066–U+2069): in a name or a title they make it
/// read as something else ("Trojan Source"). Marks (U+200E, U+200F) stay allowed.
fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing: a text made only of them looks empty.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{2064}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// Trimmed text of bounded length with no control characters, nothing that reorders
/// it, and something visible in it.
pub fn bounded_text(raw: &str, min: usize, max: usize) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().any(reorders) {
        return Err(
            "must not contain characters that reorder the text (U+202A–U+202E, U+2066–U+2069)"
                .into(),
        );
    }
    if min > 0 && !text.is_empty() && text.chars().all(invisible) {
        return Err("must contain visible characters".into());
    }
    let n = text.chars().count();
    if n < min {
        return Err(if min == 1 {
            "must not be empty".into()
        } else {
            format!("must be at least {min} characters")
        });
    }
    if n > max {
        return Err(format!("must be at most {max} characters"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("must not contain control characters".into());
    }
    Ok(text.to_owned())
}

/// A BCP 47 language tag, normalised (`zh-Hans`, `ar`, `en-GB`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim().replace('_', "-");
        let mut parts = raw.split('-');
        let primary = parts.next().unwrap_or_default();
        if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err("is not a BCP 47 language tag");
        }
        let mut out = primary.to_ascii_lowercase();
        for part in parts {
            if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err("is not a BCP 47 language tag");
            }
            out.push('-');
            match part.len() {
                2 if part.chars().all(|c| c.is_ascii_alphabetic()) => {
                    out.push_str(&part.to_ascii_uppercase())
                }
                4 if part.chars().all(|c| c.is_ascii_alphabetic()) => {
                    out.push_str(&part[..1].to_ascii_uppercase());
                    out.push_str(&part[1..].to_ascii_lowercase());
                }
                _ => out.push_str(&part.to_ascii_lowercase()),
            }
        }
        Ok(Self(out))
    }
    /// An optional tag as a form or a query gives it: absent or blank is none; else
    /// its canonical form, or why it is not one.
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<String>, &'static str> {
        match raw.map(str::trim).filter(|l| !l.is_empty()) {
            None => Ok(None),
            Some(l) => LanguageTag::parse(l).map(|t| Some(t.0)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The primary subtag (`zh` for `zh-Hans`).
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

impl std::fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for LanguageTag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl schemars::JsonSchema for LanguageTag {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LanguageTag".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A BCP 47 language tag (`ar`, `zh-Hans`, `pt-BR`)",
            "examples": ["en", "zh-Hans", "pt-BR"]
        })
    }
}

/// An ISO 3166-1 alpha-2 country code that belongs to a UN regional group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    code: [u8; 2],
    pub region: Region,
}

impl Country {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let upper = raw.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err("must be an ISO 3166-1 alpha-2 code such as KE or BR");
        }
        let region = super::regions::region_of(&upper)
            .ok_or("is not a known ISO 3166-1 alpha-2 country code")?;
        Ok(Self {
            code: [bytes[0], bytes[1]],
            region,
        })
    }
    pub fn code(&self) -> String {
        String::from_utf8_lossy(&self.code).into_owned()
    }
}

impl serde::Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl schemars::JsonSchema for Country {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Country".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An ISO 3166-1 alpha-2 country code; its UN regional group is derived from it",
            "minLength": 2,
            "maxLength": 2,
            "examples": ["KE", "BR"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_could_deceive_is_refused() {
        assert!(bounded_text("Ana \u{202E}gnp.exe", 1, 100).is_err());
        assert!(bounded_text("\u{2066}Ana\u{2069}", 1, 100).is_err());
        assert!(bounded_text("\u{200B}\u{200B}\u{FEFF}", 1, 100).is_err());
        assert!(bounded_text("\u{3164}", 1, 100).is_err());
        // Marks that help mixed scripts read right stay; so does real text.
        assert!(bounded_text("مرحبا\u{200F} Ana", 1, 100).is_ok());
        assert!(bounded_text("", 0, 100).is_ok());
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ana@Example.ORG ").unwrap().as_str(),
            "ana@example.org"
        );
        for bad in [
            "", "no-at", "a@b", "a@.b.c", "a b@c.d", "@x.org", "a@x..org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("short", None).is_err());
        assert!(Password::parse("ana@example.org", Some("ana@example.org")).is_err());
        assert!(Password::parse("correct horse battery", Some("ana@example.org")).is_ok());
        assert!(Password::parse("密码是一棵开花的树在山上", None).is_ok());
        // The harness's and the demo's passwords meet the policy.
        for ok in ["a long enough test password", "indaba-demo-2026"] {
            assert!(Password::parse(ok, Some("t@example.org")).is_ok(), "{ok}");
        }
    }

    #[test]
    fn common_guessable_and_personal_passwords_are_refused_with_the_reason() {
        for (weak, why) in [
            ("password1234", "common password"),
            ("123456789012", "sequences"),
            ("qwertyuiopas", "common password"),
            ("aaaaaaaaaaaa", "repeats"),
            ("abcabcabcabc", "repeats"),
            ("密码密码密码密码密码密码", "repeats"),
            ("Welcome2026!", "common password"),
        ] {
            let err = Password::parse(weak, None).err().unwrap_or_default();
            assert!(err.starts_with("is too easy to guess"), "{weak}: {err}");
            assert!(err.to_lowercase().contains(why), "{weak}: {err}");
        }
        // Known to whoever knows the address: the name in it does not make it strong.
        let err = Password::parse("wanjiru.kamau2026", Some("wanjiru.kamau@example.org"));
        assert!(err.is_err(), "{:?}", err.ok().map(|p| p.0));
        assert!(Password::parse("wanjiru.kamau2026", None).is_ok());
    }

    #[test]
    fn countries_map_to_un_regional_groups() {
        assert_eq!(Country::parse("ke").unwrap().region, Region::African);
        assert_eq!(
            Country::parse("BR").unwrap().region,
            Region::LatinAmericanCaribbean
        );
        assert_eq!(Country::parse("CN").unwrap().region, Region::AsiaPacific);
        assert_eq!(
            Country::parse("PL").unwrap().region,
            Region::EasternEuropean
        );
        assert_eq!(
            Country::parse("US").unwrap().region,
            Region::WesternEuropeanOthers
        );
        assert_eq!(
            Country::parse("TR").unwrap().region,
            Region::WesternEuropeanOthers
        );
        assert!(Country::parse("XX").is_err());
        assert!(Country::parse("KEN").is_err());
    }

    #[test]
    fn language_tags() {
        assert_eq!(LanguageTag::parse("zh_hans").unwrap().as_str(), "zh-Hans");
        assert_eq!(LanguageTag::parse("en-gb").unwrap().as_str(), "en-GB");
        assert_eq!(LanguageTag::parse("ar").unwrap().primary(), "ar");
        assert!(LanguageTag::parse("english!").is_err());
    }
}
