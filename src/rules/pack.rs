//! Rule pack format: the TOML a pack is written in, and the checks that turn it into a `Pack`.
//!
//! A pack is read in two stages. First serde reads the file into structs that reject unknown
//! keys and wrong types. Then `check` validates identifiers, references, dates and bands and
//! builds the checked `Pack` that the engine uses. It collects every problem, each with the
//! scenario and band it concerns.

mod check;

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::profile::Purpose;
use super::{Comparison, Metric, Outcome, RulesError};

/// The source location of a loaded pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackOrigin {
    /// Shipped in `patterns/rules/` and compiled into the binary; the value is the file name.
    Embedded(String),
    /// Loaded from a user's directory, possibly replacing an embedded pack with the same id.
    File {
        path: PathBuf,
        replaces_embedded: bool,
    },
}

impl PackOrigin {
    /// Returns the file name or path used in messages.
    pub fn display_name(&self) -> String {
        match self {
            PackOrigin::Embedded(name) => format!("patterns/rules/{name} (embedded)"),
            PackOrigin::File { path, .. } => path.display().to_string(),
        }
    }
}

/// The period over which the people counted toward a band accumulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CountingWindow {
    /// From 1 January of the transfer date's year (2024 Provisions: 自当年1月1日起累计).
    CalendarYear,
    /// From 1 January of the year before the transfer date (2022 and 2023 measures: 自上年1月1日起).
    SincePreviousYear,
}

impl CountingWindow {
    pub(crate) const NAMES: [&'static str; 2] = ["calendar-year", "since-previous-year"];

    pub(crate) fn parse(text: &str) -> Option<CountingWindow> {
        match text {
            "calendar-year" => Some(CountingWindow::CalendarYear),
            "since-previous-year" => Some(CountingWindow::SincePreviousYear),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CountingWindow::CalendarYear => "calendar-year",
            CountingWindow::SincePreviousYear => "since-previous-year",
        }
    }

    /// Returns the first day of the window that contains `date`.
    pub fn start(self, date: NaiveDate) -> NaiveDate {
        use chrono::Datelike;
        let year = match self {
            CountingWindow::CalendarYear => date.year(),
            CountingWindow::SincePreviousYear => date.year() - 1,
        };
        // 1 January exists in every year chrono can represent, so the fallback is unreachable.
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(date)
    }
}

/// The publication a pack encodes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    pub url: String,
}

/// A rule without a count: the CII-operator rule and the important-data rule of a national pack.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SpecialRule {
    pub id: String,
    pub outcome: Outcome,
    /// The legal provision, in words.
    pub basis: String,
}

/// A named set of data elements whose people a band or trigger counts together.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Group {
    pub id: String,
    pub title: String,
    pub elements: Vec<String>,
    /// Whether every element of the group is sensitive personal information, so that adding
    /// people to the group also adds them to the sensitive count (used for headroom).
    pub sensitive: bool,
}

/// A threshold band: a count of `metric` meeting `comparison value` requires `outcome`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Band {
    pub id: String,
    pub metric: Metric,
    pub comparison: Comparison,
    pub value: u64,
    pub outcome: Outcome,
    /// Whether the figure was confirmed against the official text.
    pub verified: bool,
    pub basis: String,
    pub note: Option<String>,
}

/// An important-data trigger: a count of `metric` meeting `comparison value` makes the data
/// important data, which requires the national important-data procedure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Trigger {
    pub id: String,
    pub metric: Metric,
    pub comparison: Comparison,
    pub value: u64,
    /// The trigger applies only to data held by a CII operator.
    pub cii_only: bool,
    pub verified: bool,
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Industry {
    pub id: String,
    pub title: String,
    pub title_zh: Option<String>,
}

/// A business scenario of a zone list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub industry: String,
    /// Data elements the scenario covers; the list relaxes only these.
    pub elements: Vec<String>,
    pub bands: Vec<Band>,
    /// The list keeps the national thresholds for this scenario (no bands of its own).
    pub follows_national: bool,
    /// Elements that are important data in this scenario whatever the volume.
    pub important_elements: Vec<String>,
    /// Whether the element lists were confirmed against the official text.
    pub verified: bool,
    pub note: Option<String>,
}

/// A purpose that exempts personal information from all three procedures whatever the volume.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Exemption {
    pub purpose: Purpose,
    pub basis: String,
    pub verified: bool,
}

/// When an obligation applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObligationWhen {
    /// Whenever personal information is sent abroad, whatever the outcome.
    PersonalInformation,
    /// When the decision's outcome is this one.
    Outcome(Outcome),
    /// When the zone list decided the outcome.
    ZoneList,
}

/// A duty that remains beside the procedure, such as separate consent.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Obligation {
    pub id: String,
    pub when: ObligationWhen,
    pub text: String,
    pub basis: String,
}

/// A checked rule pack: one edition of the national rules or of one zone's list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pack {
    pub id: String,
    pub title: String,
    pub title_zh: Option<String>,
    pub edition: String,
    #[serde(serialize_with = "super::iso_date::serialize")]
    pub effective_from: NaiveDate,
    pub superseded_by: Option<String>,
    #[serde(serialize_with = "super::iso_date::serialize_option")]
    pub superseded_on: Option<NaiveDate>,
    /// `None` for the national rules.
    pub zone: Option<String>,
    pub registration_required: bool,
    /// The list does not apply to CII operators.
    pub cii_excluded: bool,
    pub counting_window: CountingWindow,
    pub source: Source,
    pub verified: bool,
    pub note: Option<String>,
    pub cii_operator: Option<SpecialRule>,
    pub important_data: Option<SpecialRule>,
    pub groups: Vec<Group>,
    /// Bands that apply to every transfer (national packs only).
    pub bands: Vec<Band>,
    pub triggers: Vec<Trigger>,
    pub important_elements: Vec<String>,
    pub industries: Vec<Industry>,
    pub scenarios: Vec<Scenario>,
    pub exemptions: Vec<Exemption>,
    pub obligations: Vec<Obligation>,
    #[serde(skip)]
    pub origin: PackOrigin,
    /// The TOML text the pack was read from, for `rules show --format toml`.
    #[serde(skip)]
    pub text: String,
}

impl Pack {
    /// Reads and checks one pack from its TOML text.
    pub fn parse(text: &str, origin: PackOrigin) -> Result<Pack, RulesError> {
        let file = origin.display_name();
        let raw: check::RawPack = toml::from_str(text).map_err(|err| RulesError::PackSyntax {
            file: file.clone(),
            message: err.to_string().trim_end().to_string(),
        })?;
        check::check(raw, text, origin)
    }

    pub fn is_national(&self) -> bool {
        self.zone.is_none()
    }

    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// Returns the rule id used in decisions: `pack/rule`.
    pub fn rule_id(&self, rule: &str) -> String {
        format!("{}/{}", self.id, rule)
    }

    /// Returns every data element id the pack names, for checking against the element pack.
    pub fn element_ids(&self) -> BTreeSet<String> {
        let mut ids: BTreeSet<String> = BTreeSet::new();
        ids.extend(self.groups.iter().flat_map(|g| g.elements.iter().cloned()));
        ids.extend(self.important_elements.iter().cloned());
        for scenario in &self.scenarios {
            ids.extend(scenario.elements.iter().cloned());
            ids.extend(scenario.important_elements.iter().cloned());
        }
        ids
    }
}
