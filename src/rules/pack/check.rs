//! The pack format as written (serde structs that reject unknown keys) and the checks that
//! turn it into a checked `Pack`.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{
    Band, CountingWindow, Exemption, Group, Industry, Obligation, ObligationWhen, Pack, PackOrigin,
    Scenario, Source, SpecialRule, Trigger,
};
use crate::rules::profile::Purpose;
use crate::rules::{Comparison, Metric, Outcome, RulesError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPack {
    id: String,
    title: String,
    title_zh: Option<String>,
    edition: String,
    effective_from: toml::value::Datetime,
    superseded_by: Option<String>,
    superseded_on: Option<toml::value::Datetime>,
    zone: String,
    #[serde(default)]
    registration_required: bool,
    #[serde(default)]
    cii_excluded: bool,
    counting_window: String,
    source: Source,
    verified: bool,
    note: Option<String>,
    cii_operator: Option<RawSpecialRule>,
    important_data: Option<RawSpecialRule>,
    #[serde(default)]
    groups: Vec<RawGroup>,
    #[serde(default)]
    bands: Vec<RawBand>,
    #[serde(default)]
    triggers: Vec<RawTrigger>,
    #[serde(default)]
    important_elements: Vec<String>,
    #[serde(default)]
    industries: Vec<RawIndustry>,
    #[serde(default)]
    scenarios: Vec<RawScenario>,
    #[serde(default)]
    exemptions: Vec<RawExemption>,
    #[serde(default)]
    obligations: Vec<RawObligation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpecialRule {
    id: String,
    outcome: String,
    basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: String,
    title: String,
    elements: Vec<String>,
    sensitive: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    id: String,
    metric: String,
    comparison: String,
    value: u64,
    outcome: String,
    verified: bool,
    basis: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrigger {
    id: String,
    metric: String,
    comparison: String,
    value: u64,
    #[serde(default)]
    cii_only: bool,
    verified: bool,
    basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndustry {
    id: String,
    title: String,
    title_zh: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: String,
    title: String,
    industry: String,
    elements: Vec<String>,
    #[serde(default)]
    bands: Vec<RawBand>,
    #[serde(default)]
    follows_national: bool,
    #[serde(default)]
    important_elements: Vec<String>,
    verified: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExemption {
    purpose: String,
    basis: String,
    verified: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObligation {
    id: String,
    when: String,
    text: String,
    basis: String,
}

/// Words with a fixed meaning that no scenario, industry or group may use as its id.
const RESERVED_IDS: [&str; 4] = ["total", "sensitive", "other", "none"];

/// Problems found in one pack, each prefixed with where it occurs.
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, place: &str, message: impl Into<String>) {
        let message = message.into();
        if place.is_empty() {
            self.0.push(message);
        } else {
            self.0.push(format!("{place}: {message}"));
        }
    }

    fn check_id(&mut self, place: &str, key: &str, id: &str) {
        if !is_valid_id(id) {
            self.push(
                place,
                format!(
                    "{key} {id:?} is invalid: use lowercase ASCII letters, digits, '-' and '_', starting with a letter or digit"
                ),
            );
        }
    }

    fn check_unique<'a>(&mut self, place: &str, kind: &str, ids: impl Iterator<Item = &'a str>) {
        let mut seen = BTreeSet::new();
        for id in ids {
            if !seen.insert(id) {
                self.push(place, format!("{kind} id {id:?} appears more than once"));
            }
        }
    }
}

fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    first_ok && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn to_date(value: &toml::value::Datetime) -> Option<NaiveDate> {
    if value.time.is_some() || value.offset.is_some() {
        return None;
    }
    let date = value.date?;
    NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )
}

fn parse_outcome(problems: &mut Problems, place: &str, text: &str) -> Outcome {
    Outcome::parse(text).unwrap_or_else(|| {
        problems.push(
            place,
            format!("outcome {text:?} is invalid: allowed values are exempt, filing, assessment"),
        );
        Outcome::Exempt
    })
}

fn parse_comparison(problems: &mut Problems, place: &str, text: &str) -> Comparison {
    Comparison::parse(text).unwrap_or_else(|| {
        problems.push(
            place,
            format!(
                "comparison {text:?} is invalid: allowed values are \">=\" (以上, includes the number) and \">\""
            ),
        );
        Comparison::AtLeast
    })
}

fn parse_metric(problems: &mut Problems, place: &str, text: &str, groups: &[Group]) -> Metric {
    match text {
        "total" => Metric::Total,
        "sensitive" => Metric::Sensitive,
        group if groups.iter().any(|g| g.id == group) => Metric::Group(group.to_string()),
        other => {
            let mut allowed = vec!["total".to_string(), "sensitive".to_string()];
            allowed.extend(groups.iter().map(|g| g.id.clone()));
            problems.push(
                place,
                format!(
                    "metric {other:?} is invalid: allowed values are {} (a group must be defined under [[groups]])",
                    allowed.join(", ")
                ),
            );
            Metric::Total
        }
    }
}

fn check_elements(problems: &mut Problems, place: &str, key: &str, elements: &[String]) {
    for element in elements {
        problems.check_id(place, key, element);
    }
}

fn check_value(problems: &mut Problems, place: &str, comparison: Comparison, value: u64) {
    if comparison == Comparison::AtLeast && value == 0 {
        problems.push(
            place,
            "value 0 with \">=\" matches every transfer, even one with no people: use \">\" 0 or \">=\" 1",
        );
    }
}

fn check_band(problems: &mut Problems, place: &str, raw: RawBand, groups: &[Group]) -> Band {
    let place = format!("{place}band {}", raw.id);
    problems.check_id(&place, "band id", &raw.id);
    let comparison = parse_comparison(problems, &place, &raw.comparison);
    check_value(problems, &place, comparison, raw.value);
    Band {
        metric: parse_metric(problems, &place, &raw.metric, groups),
        outcome: parse_outcome(problems, &place, &raw.outcome),
        comparison,
        value: raw.value,
        verified: raw.verified,
        basis: raw.basis,
        note: raw.note,
        id: raw.id,
    }
}

/// Reports bands that can never decide because a stricter band on the same metric starts at
/// the same count or lower (a likely typo in a value or an outcome).
fn check_dead_bands(problems: &mut Problems, place: &str, bands: &[Band]) {
    for weaker in bands {
        let shadowing = bands.iter().find(|stricter| {
            stricter.metric == weaker.metric
                && stricter.outcome > weaker.outcome
                && stricter.comparison.first_count(stricter.value)
                    <= weaker.comparison.first_count(weaker.value)
        });
        if let Some(stricter) = shadowing {
            problems.push(
                &format!("{place}band {}", weaker.id),
                format!(
                    "can never decide: band {} gives {} from {} {} on metric {}, at or below this band's {} {} for {}",
                    stricter.id,
                    stricter.outcome,
                    stricter.comparison.symbol(),
                    stricter.value,
                    stricter.metric,
                    weaker.comparison.symbol(),
                    weaker.value,
                    weaker.outcome
                ),
            );
        }
    }
}

fn check_special(
    problems: &mut Problems,
    key: &str,
    raw: Option<RawSpecialRule>,
) -> Option<SpecialRule> {
    let raw = raw?;
    let place = format!("[{key}]");
    problems.check_id(&place, "id", &raw.id);
    Some(SpecialRule {
        outcome: parse_outcome(problems, &place, &raw.outcome),
        basis: raw.basis,
        id: raw.id,
    })
}

fn check_groups(problems: &mut Problems, raw: Vec<RawGroup>) -> Vec<Group> {
    problems.check_unique("", "group", raw.iter().map(|g| g.id.as_str()));
    raw.into_iter()
        .map(|g| {
            let place = format!("group {}", g.id);
            problems.check_id(&place, "group id", &g.id);
            if RESERVED_IDS.contains(&g.id.as_str()) {
                problems.push(
                    &place,
                    format!("{:?} is reserved and cannot name a group", g.id),
                );
            }
            if g.elements.is_empty() {
                problems.push(
                    &place,
                    "elements is empty: list the element ids the group counts",
                );
            }
            check_elements(problems, &place, "element", &g.elements);
            Group {
                id: g.id,
                title: g.title,
                elements: g.elements,
                sensitive: g.sensitive,
            }
        })
        .collect()
}

fn check_triggers(problems: &mut Problems, raw: Vec<RawTrigger>, groups: &[Group]) -> Vec<Trigger> {
    problems.check_unique("", "trigger", raw.iter().map(|t| t.id.as_str()));
    raw.into_iter()
        .map(|t| {
            let place = format!("trigger {}", t.id);
            problems.check_id(&place, "trigger id", &t.id);
            let comparison = parse_comparison(problems, &place, &t.comparison);
            check_value(problems, &place, comparison, t.value);
            Trigger {
                metric: parse_metric(problems, &place, &t.metric, groups),
                comparison,
                value: t.value,
                cii_only: t.cii_only,
                verified: t.verified,
                basis: t.basis,
                id: t.id,
            }
        })
        .collect()
}

fn check_industries(problems: &mut Problems, raw: Vec<RawIndustry>) -> Vec<Industry> {
    problems.check_unique("", "industry", raw.iter().map(|i| i.id.as_str()));
    raw.into_iter()
        .map(|i| {
            let place = format!("industry {}", i.id);
            problems.check_id(&place, "industry id", &i.id);
            if RESERVED_IDS.contains(&i.id.as_str()) {
                problems.push(
                    &place,
                    format!("{:?} is reserved and cannot name an industry", i.id),
                );
            }
            Industry {
                id: i.id,
                title: i.title,
                title_zh: i.title_zh,
            }
        })
        .collect()
}

fn check_scenario(
    problems: &mut Problems,
    raw: RawScenario,
    industries: &[Industry],
    groups: &[Group],
) -> Scenario {
    let place = format!("scenario {}", raw.id);
    problems.check_id(&place, "scenario id", &raw.id);
    if RESERVED_IDS.contains(&raw.id.as_str()) {
        problems.push(
            &place,
            format!("{:?} is reserved and cannot name a scenario", raw.id),
        );
    }
    if !industries.iter().any(|i| i.id == raw.industry) {
        let known: Vec<&str> = industries.iter().map(|i| i.id.as_str()).collect();
        problems.push(
            &place,
            format!(
                "industry {:?} is not defined under [[industries]] (defined: {})",
                raw.industry,
                known.join(", ")
            ),
        );
    }

    if raw.elements.is_empty() {
        problems.push(
            &place,
            "elements is empty: list the data elements the scenario covers",
        );
    }
    check_elements(problems, &place, "element", &raw.elements);
    check_elements(
        problems,
        &place,
        "important element",
        &raw.important_elements,
    );
    match (raw.bands.is_empty(), raw.follows_national) {
        (true, false) => problems.push(
            &place,
            "no bands: add [[scenarios.bands]] or set follows_national = true",
        ),
        (false, true) => problems.push(
            &place,
            "follows_national = true but the scenario has bands: remove one of them",
        ),
        _ => {}
    }

    let band_place = format!("{place}, ");
    let bands: Vec<Band> = raw
        .bands
        .into_iter()
        .map(|b| check_band(problems, &band_place, b, groups))
        .collect();
    check_dead_bands(problems, &band_place, &bands);
    Scenario {
        id: raw.id,
        title: raw.title,
        industry: raw.industry,
        elements: raw.elements,
        bands,
        follows_national: raw.follows_national,
        important_elements: raw.important_elements,
        verified: raw.verified,
        note: raw.note,
    }
}

fn check_exemptions(problems: &mut Problems, raw: Vec<RawExemption>) -> Vec<Exemption> {
    problems.check_unique(
        "",
        "exemption purpose",
        raw.iter().map(|e| e.purpose.as_str()),
    );
    raw.into_iter()
        .filter_map(|e| {
            let place = format!("exemption {}", e.purpose);
            match Purpose::parse(&e.purpose) {
                Some(Purpose::None) | None => {
                    problems.push(
                        &place,
                        format!(
                            "purpose {:?} is invalid: allowed values are {}",
                            e.purpose,
                            Purpose::EXEMPT_NAMES.join(", ")
                        ),
                    );
                    None
                }
                Some(purpose) => Some(Exemption {
                    purpose,
                    basis: e.basis,
                    verified: e.verified,
                }),
            }
        })
        .collect()
}

fn parse_when(text: &str) -> Option<ObligationWhen> {
    match text {
        "personal-information" => Some(ObligationWhen::PersonalInformation),
        "zone-list" => Some(ObligationWhen::ZoneList),
        other => Outcome::parse(other).map(ObligationWhen::Outcome),
    }
}

fn check_obligations(problems: &mut Problems, raw: Vec<RawObligation>) -> Vec<Obligation> {
    problems.check_unique("", "obligation", raw.iter().map(|o| o.id.as_str()));
    raw.into_iter()
        .filter_map(|o| {
            let place = format!("obligation {}", o.id);
            problems.check_id(&place, "obligation id", &o.id);
            if o.text.trim().is_empty() {
                problems.push(&place, "text is empty");
            }
            let Some(when) = parse_when(&o.when) else {
                problems.push(
                    &place,
                    format!(
                        "when {:?} is invalid: allowed values are personal-information, zone-list, exempt, filing, assessment",
                        o.when
                    ),
                );
                return None;
            };
            Some(Obligation {
                id: o.id,
                when,
                text: o.text,
                basis: o.basis,
            })
        })
        .collect()
}

/// Checks the pack-level keys: id, title, dates, zone, counting window and source.
fn check_header(
    problems: &mut Problems,
    raw: &RawPack,
) -> (NaiveDate, Option<NaiveDate>, CountingWindow) {
    problems.check_id("", "id", &raw.id);
    if raw.title.trim().is_empty() {
        problems.push("", "title is empty");
    }
    if raw.edition.trim().is_empty() {
        problems.push("", "edition is empty");
    }
    if raw.zone != "none" {
        problems.check_id("", "zone", &raw.zone);
    }
    let (effective_from, superseded_on) = check_dates(problems, raw);

    let counting_window = CountingWindow::parse(&raw.counting_window).unwrap_or_else(|| {
        problems.push(
            "",
            format!(
                "counting_window {:?} is invalid: allowed values are {}",
                raw.counting_window,
                CountingWindow::NAMES.join(", ")
            ),
        );
        CountingWindow::CalendarYear
    });

    if !(raw.source.url.starts_with("https://") || raw.source.url.starts_with("http://")) {
        problems.push(
            "",
            format!("source.url {:?} is not an http(s) URL", raw.source.url),
        );
    }
    if raw.source.title.trim().is_empty() {
        problems.push("", "source.title is empty");
    }
    (effective_from, superseded_on, counting_window)
}

/// Checks effective_from, superseded_on and superseded_by, and returns the two dates.
fn check_dates(problems: &mut Problems, raw: &RawPack) -> (NaiveDate, Option<NaiveDate>) {
    let effective_from = to_date(&raw.effective_from).unwrap_or_else(|| {
        problems.push(
            "",
            format!(
                "effective_from = {} is invalid: write a date such as 2024-03-22",
                raw.effective_from
            ),
        );
        NaiveDate::MIN
    });
    let superseded_on = raw.superseded_on.as_ref().and_then(|value| {
        let date = to_date(value);
        if date.is_none() {
            problems.push(
                "",
                format!("superseded_on = {value} is invalid: write a date such as 2026-05-11"),
            );
        }
        date
    });

    if let Some(end) = superseded_on {
        if end <= effective_from {
            problems.push(
                "",
                format!("superseded_on {end} is not after effective_from {effective_from}"),
            );
        }
        if raw.superseded_by.is_none() {
            problems.push(
                "",
                "superseded_on is set but superseded_by is missing: name the edition that replaces this one",
            );
        }
    }
    if let Some(successor) = &raw.superseded_by {
        problems.check_id("", "superseded_by", successor);
        if successor == &raw.id {
            problems.push("", "superseded_by names the pack itself");
        }
    }
    (effective_from, superseded_on)
}

/// Checks what only a national pack, or only a zone pack, may contain.
fn check_kind(problems: &mut Problems, raw: &RawPack) {
    if raw.zone == "none" {
        if raw.cii_operator.is_none() {
            problems.push("", "a national pack (zone = \"none\") needs [cii_operator]");
        }
        if raw.important_data.is_none() {
            problems.push(
                "",
                "a national pack (zone = \"none\") needs [important_data]",
            );
        }
        if raw.bands.is_empty() {
            problems.push("", "a national pack (zone = \"none\") needs [[bands]]");
        }
        if !raw.scenarios.is_empty() || !raw.industries.is_empty() {
            problems.push(
                "",
                "scenarios and industries belong to zone lists: set zone or remove them",
            );
        }
        if raw.registration_required || raw.cii_excluded {
            problems.push(
                "",
                "registration_required and cii_excluded apply only to zone lists",
            );
        }
    } else {
        if raw.cii_operator.is_some() || raw.important_data.is_some() {
            problems.push(
                "",
                "[cii_operator] and [important_data] belong to the national pack: a zone list cannot change them",
            );
        }
        if !raw.bands.is_empty() {
            problems.push(
                "",
                "pack-level [[bands]] belong to the national pack: put zone thresholds under [[scenarios.bands]]",
            );
        }
    }
}

pub(super) fn check(raw: RawPack, text: &str, origin: PackOrigin) -> Result<Pack, RulesError> {
    let mut problems = Problems(Vec::new());
    let (effective_from, superseded_on, counting_window) = check_header(&mut problems, &raw);
    check_kind(&mut problems, &raw);

    let cii_operator = check_special(&mut problems, "cii_operator", raw.cii_operator);
    let important_data = check_special(&mut problems, "important_data", raw.important_data);
    let groups = check_groups(&mut problems, raw.groups);
    let bands: Vec<Band> = raw
        .bands
        .into_iter()
        .map(|b| check_band(&mut problems, "", b, &groups))
        .collect();
    check_dead_bands(&mut problems, "", &bands);
    let triggers = check_triggers(&mut problems, raw.triggers, &groups);
    check_elements(
        &mut problems,
        "important_elements",
        "element",
        &raw.important_elements,
    );
    let industries = check_industries(&mut problems, raw.industries);
    problems.check_unique("", "scenario", raw.scenarios.iter().map(|s| s.id.as_str()));
    let scenarios: Vec<Scenario> = raw
        .scenarios
        .into_iter()
        .map(|s| check_scenario(&mut problems, s, &industries, &groups))
        .collect();
    let exemptions = check_exemptions(&mut problems, raw.exemptions);
    let obligations = check_obligations(&mut problems, raw.obligations);

    // Rule ids appear in decisions as pack/rule, so they must be unique across the whole pack.
    let rule_ids = cii_operator
        .iter()
        .chain(important_data.iter())
        .map(|r| r.id.as_str())
        .chain(bands.iter().map(|b| b.id.as_str()))
        .chain(triggers.iter().map(|t| t.id.as_str()))
        .chain(
            scenarios
                .iter()
                .flat_map(|s| s.bands.iter().map(|b| b.id.as_str())),
        );
    problems.check_unique("", "rule (band, trigger or special rule)", rule_ids);

    if !problems.0.is_empty() {
        return Err(RulesError::InvalidPack {
            file: origin.display_name(),
            pack: raw.id,
            problems: problems.0,
        });
    }
    Ok(Pack {
        id: raw.id,
        title: raw.title,
        title_zh: raw.title_zh,
        edition: raw.edition,
        effective_from,
        superseded_by: raw.superseded_by,
        superseded_on,
        zone: (raw.zone != "none").then_some(raw.zone),
        registration_required: raw.registration_required,
        cii_excluded: raw.cii_excluded,
        counting_window,
        source: raw.source,
        verified: raw.verified,
        note: raw.note,
        cii_operator,
        important_data,
        groups,
        bands,
        triggers,
        important_elements: raw.important_elements,
        industries,
        scenarios,
        exemptions,
        obligations,
        origin,
        text: text.to_string(),
    })
}
