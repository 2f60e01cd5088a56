//! The threshold engine: rule packs, transfer profiles and the decision they give.
//!
//! Rules are data. A rule pack states one edition of the national rules or of a pilot zone's
//! list: its dates, source, threshold bands, important-data triggers and exempt purposes. The
//! packs in `patterns/rules/*.toml` are embedded as the default, and `--rules DIR` adds packs or
//! replaces them by id.
//! `RuleSet::load` reads and checks the packs, `Profile` describes the transfer, and `decide`
//! is a pure function of (totals, profile, rule set) that returns a `Decision`.
//!
//! Principles the engine enforces:
//! - a zone list relaxes and never tightens the national outcome for personal information,
//!   while its important-data triggers apply as given;
//! - where a list leaves a volume unspecified, the national rule applies and the decision records it;
//! - a zone list never applies to an operator of critical information infrastructure (CII)
//!   when the pack excludes them;
//! - exactly one edition per zone is in force on the transfer date, and overlapping editions
//!   are an error rather than a silent mix.

mod commands;
mod decision;
mod engine;
mod pack;
mod profile;
mod render;
mod ruleset;

pub use commands::read_totals;
pub use commands::{DecideArgs, OutputFormat, RulesCommand, ShowFormat, run_decide, run_rules};
pub use decision::{
    Counts, Decision, GroupCount, Headroom, ObligationNote, Reason, Window, check_totals, thousands,
};
pub use engine::{OTHER_SCENARIO, decide};
pub use pack::{
    Band, CountingWindow, Exemption, Group, Industry, Obligation, ObligationWhen, Pack, PackOrigin,
    Scenario, Source, SpecialRule, Trigger,
};
pub use profile::{Profile, ProfileArgs, Purpose};
pub use render::{headroom_line, render_pack, render_pack_list};
pub use ruleset::{RuleSet, embedded_packs, load_dir};

use std::fmt;

/// The procedure a transfer requires, ordered from the lightest to the strictest.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// None of the three procedures is required.
    Exempt,
    /// Standard contract filing or personal information protection certification.
    Filing,
    /// Security assessment by the Cyberspace Administration of China (CAC).
    Assessment,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Exempt, Outcome::Filing, Outcome::Assessment];

    /// Returns the identifier used in rule packs and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Exempt => "exempt",
            Outcome::Filing => "filing",
            Outcome::Assessment => "assessment",
        }
    }

    /// Returns the procedure in words, for text reports.
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Exempt => "exempt from all three procedures",
            Outcome::Filing => {
                "standard contract filing or personal information protection certification"
            }
            Outcome::Assessment => "a security assessment",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The comparison of a count with a band's value. Civil Code Art. 1259: 以上 ("or more")
/// includes the number, so it is `AtLeast`. 不满 ("fewer than") excludes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Comparison {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = ">")]
    MoreThan,
}

impl Comparison {
    /// Returns whether `count` meets a band of this comparison at `value`.
    pub fn holds(self, count: u64, value: u64) -> bool {
        match self {
            Comparison::AtLeast => count >= value,
            Comparison::MoreThan => count > value,
        }
    }

    /// Returns the smallest count that meets a band of this comparison at `value`.
    pub fn first_count(self, value: u64) -> u64 {
        match self {
            Comparison::AtLeast => value,
            Comparison::MoreThan => value.saturating_add(1),
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::MoreThan => ">",
        }
    }

    /// Returns the symbol of the negation, used to show a band that was not met.
    pub fn negated_symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => "<",
            Comparison::MoreThan => "<=",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Comparison> {
        match text {
            ">=" => Some(Comparison::AtLeast),
            ">" => Some(Comparison::MoreThan),
            _ => None,
        }
    }
}

/// The count a band or trigger compares: all people, people with sensitive personal
/// information, or people with any element of a named group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    Total,
    Sensitive,
    Group(String),
}

impl Metric {
    pub fn name(&self) -> &str {
        match self {
            Metric::Total => "total",
            Metric::Sensitive => "sensitive",
            Metric::Group(id) => id,
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Process exit codes of the `decide` and `rules` commands, defined in this one place.
///
/// `decide` exits with the outcome's code. `rules check` exits 0 when every pack is valid and
/// 2 otherwise. Any error returned by `run_decide` or `run_rules` (unreadable file, invalid
/// pack, profile or totals, unknown scenario) maps to `Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum OutcomeExit {
    /// The transfer is exempt, or a `rules` command succeeded.
    Exempt = 0,
    /// Usage error, or an invalid pack, profile or totals file.
    Error = 2,
    /// Standard contract filing or certification is required.
    Filing = 10,
    /// A security assessment is required.
    Assessment = 11,
}

impl OutcomeExit {
    /// Exit code of a successful `rules` command.
    pub const SUCCESS: i32 = 0;

    pub fn code(self) -> i32 {
        self as i32
    }

    pub fn for_outcome(outcome: Outcome) -> OutcomeExit {
        match outcome {
            Outcome::Exempt => OutcomeExit::Exempt,
            Outcome::Filing => OutcomeExit::Filing,
            Outcome::Assessment => OutcomeExit::Assessment,
        }
    }
}

/// Errors of loading packs, reading profiles and totals, and deciding.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The OS error is part of the message and not the `source()`, so that printing the
    /// error chain shows it once.
    #[error("{path}: {}", describe_io(error))]
    Io { path: String, error: std::io::Error },
    /// A pack file that is not valid TOML or has keys of the wrong type.
    #[error("{file}: invalid rule pack: {message}")]
    PackSyntax { file: String, message: String },
    /// A pack that parses but breaks the format's rules; each problem names the scenario and band.
    #[error("{file}: invalid rule pack {pack}:\n  - {}", problems.join("\n  - "))]
    InvalidPack {
        file: String,
        pack: String,
        problems: Vec<String>,
    },
    /// Two packs that cannot be loaded together (same id in one directory, overlapping editions).
    #[error("rule packs conflict: {0}")]
    Conflict(String),
    /// An invalid transfer profile value, naming the key and the allowed values.
    #[error("{source_name}: {key}: {message}")]
    Profile {
        source_name: String,
        key: String,
        message: String,
    },
    #[error("{file}: invalid totals: {message}")]
    Totals { file: String, message: String },
    #[error("unknown scenario {scenario:?} (key transfer.scenario): known scenarios are {}; use \"other\" for a business scenario on no list", known.join(", "))]
    UnknownScenario {
        scenario: String,
        known: Vec<String>,
    },
    #[error("unknown industry {industry:?} (key transfer.industry): known industries are {}; use \"other\" for an industry on no list", known.join(", "))]
    UnknownIndustry {
        industry: String,
        known: Vec<String>,
    },
    #[error("unknown zone {zone:?} (key handler.zone): known zones are {}", known.join(", "))]
    UnknownZone { zone: String, known: Vec<String> },
    /// No edition, or more than one, is in force on the transfer date.
    #[error("{0}")]
    Edition(String),
    #[error("no rule pack with id {id:?}: loaded packs are {}", known.join(", "))]
    UnknownPack { id: String, known: Vec<String> },
}

/// Serializes dates as "YYYY-MM-DD" strings without enabling chrono's serde feature.
pub(crate) mod iso_date {
    use chrono::NaiveDate;

    pub fn serialize<S: serde::Serializer>(
        date: &NaiveDate,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(date)
    }

    pub fn serialize_option<S: serde::Serializer>(
        date: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => serializer.collect_str(date),
            None => serializer.serialize_none(),
        }
    }
}

/// Describes an error reading a profile, a totals file or a rule pack, with what to do.
fn describe_io(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let advice = match error.kind() {
        ErrorKind::NotFound => "check the path",
        ErrorKind::InvalidData => "the file is not UTF-8 text; save it as UTF-8",
        ErrorKind::NotADirectory => {
            "a folder was expected, and this is a file (--rules takes the folder of the rule packs)"
        }
        ErrorKind::IsADirectory => "a file was expected, and this is a folder",
        _ => return error.to_string(),
    };
    format!("{error}: {advice}")
}
