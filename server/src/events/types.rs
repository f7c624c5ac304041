//! Event domain types: session types, formats, proposal rules, speakers, time zones.

use serde::{Deserialize, Serialize};

use crate::accounts::types::{bounded_text, string_enum, Country, Email, Gender, StakeholderGroup};
use crate::error::FieldErrors;

string_enum!(SessionType {
    MainSession => "main_session",
    Workshop => "workshop",
    OpenForum => "open_forum",
    LightningTalk => "lightning_talk",
    TownHall => "town_hall",
    NetworkingSession => "networking_session",
    LaunchAward => "launch_award",
    Day0 => "day_0",
    DynamicCoalition => "dynamic_coalition",
    BestPracticeForum => "best_practice_forum",
    PolicyNetwork => "policy_network",
    NriCollaborative => "nri_collaborative",
    ParliamentaryTrack => "parliamentary_track",
    YouthTrack => "youth_track",
    HighLevel => "high_level",
});

string_enum!(SessionFormat {
    InPerson => "in_person",
    Hybrid => "hybrid",
    Online => "online",
});

string_enum!(ProposalStatus {
    Submitted => "submitted",
    Accepted => "accepted",
    Rejected => "rejected",
    Merged => "merged",
});

// A speaker's answer to the request to confirm that they will speak.
string_enum!(SpeakerAnswer {
    Asked => "asked",
    Confirmed => "confirmed",
    Declined => "declined",
});

/// The event's rules for proposals; zero or absent means no such rule.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    pub min_speakers: u32,
    pub min_stakeholder_groups: u32,
    pub min_regions: u32,
    /// At least two genders among the speakers.
    pub require_gender_diversity: bool,
    pub max_proposals_per_proposer: Option<u32>,
    pub max_sessions_per_speaker: Option<u32>,
}

/// A speaker as given in a proposal, validated.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Speaker {
    pub name: String,
    pub email: Option<String>,
    pub organization: String,
    pub stakeholder_group: StakeholderGroup,
    pub country: String,
    pub region: String,
    pub gender: Option<Gender>,
}

impl Speaker {
    /// Who this person is for clash detection: the email when given, else the name.
    pub fn identity(&self) -> String {
        person_key(self.email.as_deref(), &self.name)
    }

    /// The speakers stored with a proposal or a session (a JSON array of `Speaker`).
    pub fn list(stored: &str) -> Vec<Speaker> {
        serde_json::from_str(stored).unwrap_or_default()
    }

    /// The stored form of a list of speakers.
    pub fn store(speakers: &[Speaker]) -> String {
        serde_json::to_string(speakers).unwrap_or_else(|_| "[]".into())
    }
}

pub fn person_key(email: Option<&str>, name: &str) -> String {
    match email {
        Some(e) => format!("email:{}", e.trim().to_lowercase()),
        None => format!(
            "name:{}",
            name.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        ),
    }
}

/// A speaker as a proposer (or an agenda import) gives them. Every field is checked
/// at once, so a client hears of all its mistakes in one 422.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerInput {
    pub name: String,
    /// Shown to the event's organisers only.
    pub email: Option<String>,
    #[serde(default)]
    pub organization: String,
    #[schemars(with = "StakeholderGroup")]
    pub stakeholder_group: String,
    /// ISO 3166-1 alpha-2; the region follows from it.
    pub country: String,
    /// Never shown per speaker: the event's diversity rules count it.
    #[schemars(with = "Option<Gender>")]
    pub gender: Option<String>,
}

impl SpeakerInput {
    pub fn parse(&self, at: &str, errors: &mut FieldErrors) -> Option<Speaker> {
        let mut note = |field: &str, problem: String| {
            errors.insert(format!("{at}.{field}"), problem);
        };
        let name = bounded_text(&self.name, 1, 200)
            .map_err(|e| note("name", e))
            .ok();
        let email = match self.email.as_deref().filter(|e| !e.trim().is_empty()) {
            Some(e) => Email::parse(e)
                .map(|e| Some(e.as_str().to_owned()))
                .map_err(|e| note("email", e.into()))
                .ok(),
            None => Some(None),
        };
        let organization = bounded_text(&self.organization, 0, 200)
            .map_err(|e| note("organization", e))
            .ok();
        let group = StakeholderGroup::parse(&self.stakeholder_group)
            .ok_or_else(|| {
                note(
                    "stakeholder_group",
                    format!("must be one of {}", StakeholderGroup::expected()),
                )
            })
            .ok();
        let country = Country::parse(&self.country)
            .map_err(|e| note("country", e.into()))
            .ok();
        let gender = match self.gender.as_deref().filter(|g| !g.is_empty()) {
            Some(g) => Gender::parse(g)
                .map(Some)
                .ok_or_else(|| note("gender", format!("must be one of {}", Gender::expected())))
                .ok(),
            None => Some(None),
        };
        Some(Speaker {
            name: name?,
            email: email?,
            organization: organization?,
            stakeholder_group: group?,
            country: country?.code(),
            region: country?.region.as_str().to_owned(),
            gender: gender?,
        })
    }
}

/// An IANA time zone such as `Europe/Oslo`.
pub fn parse_timezone(raw: &str) -> Result<chrono_tz::Tz, String> {
    raw.trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| format!("{raw:?} is not an IANA time zone such as Europe/Oslo"))
}

/// `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{raw:?} is not a date like 2025-06-23"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_and_dates() {
        assert!(parse_timezone("Europe/Oslo").is_ok());
        assert!(parse_timezone("Mars/Olympus").is_err());
        assert!(parse_date("2025-06-23").is_ok());
        assert!(parse_date("23/06/2025").is_err());
    }

    #[test]
    fn people_are_matched_by_email_then_name() {
        assert_eq!(person_key(Some(" Ana@X.org"), "Ana"), "email:ana@x.org");
        assert_eq!(person_key(None, "  Ana   Silva "), "name:ana silva");
    }
}
