//! Notification kinds, how often each is mailed, and what can be followed.

use crate::accounts::types::string_enum;

string_enum!(Kind {
    Reply => "reply",
    Endorsement => "endorsement",
    Review => "review",
    NewVersion => "new_version",
    ClosingSoon => "closing_soon",
    SessionStarting => "session_starting",
    ProposalDecision => "proposal_decision",
    Moderation => "moderation",
    SilenceDeadline => "silence_deadline",
});

string_enum!(Frequency {
    Off => "off",
    Immediate => "immediate",
    Daily => "daily",
    Weekly => "weekly",
});

impl Kind {
    /// Modest defaults: what someone waits for comes at once, the rest once a day.
    pub fn default_frequency(self) -> Frequency {
        match self {
            Kind::Reply | Kind::ProposalDecision | Kind::SilenceDeadline => Frequency::Immediate,
            _ => Frequency::Daily,
        }
    }
}

string_enum!(TargetType {
    Consultation => "consultation",
    Paragraph => "paragraph",
    Comment => "comment",
    Event => "event",
    Session => "session",
});
