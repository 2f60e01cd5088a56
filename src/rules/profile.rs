//! Transfer profile: who sends the data, from which zone, in which business scenario, for
//! which purpose and on which date. Read from TOML (`--profile FILE`); command-line flags
//! override single keys.
//!
//! ```toml
//! [handler]
//! cii = false
//! zone = "beijing-ftz"          # or "none"
//! [transfer]
//! date = "2026-03-31"
//! industry = "retail"           # optional when the scenario implies it
//! scenario = "retail-membership"
//! purpose = "none"              # none | contract | hr | emergency
//! id_number_sensitive = true    # GB/T 35273-2020; false follows the 2024 TC260 guide
//! ```

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::RulesError;
use super::ruleset::NATIONAL_ZONE;

/// The purpose of a transfer. Every purpose except `None` exempts personal information from
/// all three procedures whatever the volume, where the national pack lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// No exempt purpose applies.
    None,
    /// Necessary to conclude or perform a contract with the individual (shopping, delivery,
    /// payment, bookings, visas, exams).
    Contract,
    /// Cross-border human-resources management of the handler's employees.
    Hr,
    /// An emergency, to protect a person's life, health or property.
    Emergency,
}

impl Purpose {
    pub const NAMES: [&'static str; 4] = ["none", "contract", "hr", "emergency"];
    pub(crate) const EXEMPT_NAMES: [&'static str; 3] = ["contract", "hr", "emergency"];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::None => "none",
            Purpose::Contract => "contract",
            Purpose::Hr => "hr",
            Purpose::Emergency => "emergency",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Purpose> {
        match text {
            "none" => Some(Purpose::None),
            "contract" => Some(Purpose::Contract),
            "hr" => Some(Purpose::Hr),
            "emergency" => Some(Purpose::Emergency),
            _ => None,
        }
    }
}

/// A checked transfer profile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Profile {
    /// The handler operates critical information infrastructure.
    pub cii: bool,
    /// The pilot zone the handler is registered in; `None` for no zone.
    pub zone: Option<String>,
    /// The transfer date: it picks the pack edition and the counting window.
    #[serde(serialize_with = "super::iso_date::serialize")]
    pub date: NaiveDate,
    pub industry: Option<String>,
    pub scenario: Option<String>,
    pub purpose: Purpose,
    /// Whether an identity document number alone makes a person's data sensitive
    /// (GB/T 35273-2020 Annex B: yes; the TC260 guide of September 2024: no).
    pub id_number_sensitive: bool,
}

impl Profile {
    /// Returns the profile used without a profile file: national rules, no CII, no zone, no
    /// exempt purpose, ID numbers sensitive.
    pub fn national(date: NaiveDate) -> Profile {
        Profile {
            cii: false,
            zone: None,
            date,
            industry: None,
            scenario: None,
            purpose: Purpose::None,
            id_number_sensitive: true,
        }
    }

    pub fn id_number_sensitive(&self) -> bool {
        self.id_number_sensitive
    }

    /// Reads a profile file; keys it leaves out take the defaults of `Profile::national`.
    pub fn from_file(path: &Path, default_date: NaiveDate) -> Result<Profile, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|error| RulesError::Io {
            path: path.display().to_string(),
            error,
        })?;
        Profile::from_toml(&text, &path.display().to_string(), default_date)
    }

    /// Parses profile TOML; `source_name` names the file in errors.
    pub fn from_toml(
        text: &str,
        source_name: &str,
        default_date: NaiveDate,
    ) -> Result<Profile, RulesError> {
        let table: toml::Table =
            text.parse()
                .map_err(|err: toml::de::Error| RulesError::Profile {
                    source_name: source_name.to_string(),
                    key: "(file)".to_string(),
                    message: format!("invalid TOML: {}", err.to_string().trim_end()),
                })?;
        let mut reader = ProfileReader {
            source_name,
            profile: Profile::national(default_date),
        };
        reader.read(&table)?;
        Ok(reader.profile)
    }
}

/// Walks a profile table key by key, so that every error names the key and its allowed values.
/// Serde derive would reject the same input, but with messages that name types rather than keys.
struct ProfileReader<'a> {
    source_name: &'a str,
    profile: Profile,
}

const HANDLER_KEYS: [&str; 2] = ["cii", "zone"];
const TRANSFER_KEYS: [&str; 5] = [
    "date",
    "industry",
    "scenario",
    "purpose",
    "id_number_sensitive",
];

impl ProfileReader<'_> {
    fn error(&self, key: &str, message: String) -> RulesError {
        RulesError::Profile {
            source_name: self.source_name.to_string(),
            key: key.to_string(),
            message,
        }
    }

    fn read(&mut self, table: &toml::Table) -> Result<(), RulesError> {
        for (name, value) in table {
            let section = match name.as_str() {
                "handler" | "transfer" => value
                    .as_table()
                    .ok_or_else(|| self.error(name, format!("must be a table such as [{name}]")))?,
                other => {
                    return Err(self.error(
                        other,
                        "unknown section: allowed sections are [handler] and [transfer]"
                            .to_string(),
                    ));
                }
            };
            if name == "handler" {
                self.read_handler(section)?;
            } else {
                self.read_transfer(section)?;
            }
        }
        Ok(())
    }

    fn read_handler(&mut self, section: &toml::Table) -> Result<(), RulesError> {
        for (key, value) in section {
            let path = format!("handler.{key}");
            match key.as_str() {
                "cii" => self.profile.cii = self.boolean(&path, value)?,
                "zone" => self.profile.zone = zone_value(&self.string(&path, value)?),
                _ => return Err(self.unknown_key(&path, &HANDLER_KEYS)),
            }
        }
        Ok(())
    }

    fn read_transfer(&mut self, section: &toml::Table) -> Result<(), RulesError> {
        for (key, value) in section {
            let path = format!("transfer.{key}");
            match key.as_str() {
                "date" => self.profile.date = self.date(&path, value)?,
                "industry" => self.profile.industry = optional(self.string(&path, value)?),
                "scenario" => self.profile.scenario = optional(self.string(&path, value)?),
                "purpose" => {
                    let text = self.string(&path, value)?;
                    self.profile.purpose = Purpose::parse(&text).ok_or_else(|| {
                        self.error(
                            &path,
                            format!(
                                "{text:?} is invalid: allowed values are {}",
                                Purpose::NAMES.join(", ")
                            ),
                        )
                    })?;
                }
                "id_number_sensitive" => {
                    self.profile.id_number_sensitive = self.boolean(&path, value)?
                }
                _ => return Err(self.unknown_key(&path, &TRANSFER_KEYS)),
            }
        }
        Ok(())
    }

    fn unknown_key(&self, path: &str, allowed: &[&str]) -> RulesError {
        self.error(
            path,
            format!("unknown key: allowed keys are {}", allowed.join(", ")),
        )
    }

    fn boolean(&self, path: &str, value: &toml::Value) -> Result<bool, RulesError> {
        value.as_bool().ok_or_else(|| {
            self.error(
                path,
                format!("{value} is invalid: allowed values are true, false"),
            )
        })
    }

    fn string(&self, path: &str, value: &toml::Value) -> Result<String, RulesError> {
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| self.error(path, format!("{value} is invalid: write a quoted string")))
    }

    fn date(&self, path: &str, value: &toml::Value) -> Result<NaiveDate, RulesError> {
        let text = match value {
            toml::Value::String(text) => text.clone(),
            toml::Value::Datetime(datetime) => datetime.to_string(),
            other => other.to_string(),
        };
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
            self.error(
                path,
                format!("{value} is invalid: write a date such as \"2026-03-31\""),
            )
        })
    }
}

fn zone_value(text: &str) -> Option<String> {
    (text != NATIONAL_ZONE && !text.is_empty()).then(|| text.to_string())
}

fn optional(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// Transfer profile options shared by `decide` and `scan`: a profile file and single-key
/// overrides.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ProfileArgs {
    /// Transfer profile (TOML with [handler] and [transfer] tables). Without it: national
    /// rules, no CII, zone none, purpose none, ID numbers sensitive.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Pilot zone the handler is registered in, e.g. beijing-ftz; "none" for the national rules
    /// alone (overrides handler.zone).
    #[arg(long, value_name = "ZONE")]
    pub zone: Option<String>,
    /// Business scenario of the transfer, e.g. retail-membership; "other" for one on no list
    /// (overrides transfer.scenario).
    #[arg(long, value_name = "ID")]
    pub scenario: Option<String>,
    /// Industry of the transfer, e.g. retail (overrides transfer.industry).
    #[arg(long, value_name = "ID")]
    pub industry: Option<String>,
    /// Whether the handler operates critical information infrastructure (overrides handler.cii).
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub cii: Option<bool>,
    /// Purpose of the transfer (overrides transfer.purpose).
    #[arg(long, value_enum, value_name = "PURPOSE")]
    pub purpose: Option<Purpose>,
    /// Transfer date, YYYY-MM-DD: picks the rule edition and the counting year (overrides
    /// transfer.date).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<NaiveDate>,
    /// Whether an ID card, passport or driving-licence number alone makes a person's data
    /// sensitive: true follows GB/T 35273-2020, false the 2024 TC260 guide (overrides
    /// transfer.id_number_sensitive).
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub id_number_sensitive: Option<bool>,
}

impl ProfileArgs {
    /// Reads the profile file, if any, and applies the overrides; `default_date` is the
    /// transfer date when neither the file nor `--date` gives one.
    pub fn resolve(&self, default_date: NaiveDate) -> Result<Profile, RulesError> {
        let mut profile = match &self.profile {
            Some(path) => Profile::from_file(path, default_date)?,
            None => Profile::national(default_date),
        };
        if let Some(cii) = self.cii {
            profile.cii = cii;
        }
        if let Some(zone) = &self.zone {
            profile.zone = zone_value(zone);
        }
        if let Some(scenario) = &self.scenario {
            profile.scenario = optional(scenario.clone());
        }
        if let Some(industry) = &self.industry {
            profile.industry = optional(industry.clone());
        }
        if let Some(purpose) = self.purpose {
            profile.purpose = purpose;
        }
        if let Some(date) = self.date {
            profile.date = date;
        }
        if let Some(sensitive) = self.id_number_sensitive {
            profile.id_number_sensitive = sensitive;
        }
        Ok(profile)
    }
}
