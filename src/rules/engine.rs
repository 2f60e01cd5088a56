//! The decision: a pure function of (totals, profile, rule set).
//!
//! `decide` evaluates three parts and takes the strictest outcome:
//! 1. the national rules for personal information (exempt purposes, CII operators, bands);
//! 2. the zone list's bands for the profile's scenario, which may only relax part 1;
//! 3. important data: the totals' `important_data` flag, the packs' triggers and named
//!    important-data elements, which apply as given.
//!
//! Headroom is found by evaluating the same function again with one count raised to each
//! threshold, so it follows every principle above without a separate model.

mod finish;
mod headroom;

use std::collections::{BTreeMap, BTreeSet};

use super::decision::{Counts, Decision, GroupCount, Reason, Window, check_totals, thousands};
use super::pack::{Band, Pack, Scenario, Trigger};
use super::profile::{Profile, Purpose};
use super::ruleset::RuleSet;
use super::{Comparison, Metric, Outcome, RulesError};
use crate::identity::Individuals;

/// The scenario value for a business scenario on no loaded list.
pub const OTHER_SCENARIO: &str = "other";

/// Decides the procedure for `totals` under `profile` and the packs of `rules`.
///
/// Errors: contradictory totals, an unknown zone, scenario or industry, a scenario that does
/// not belong to the given industry, and a zone or national rule with no edition in force on
/// the profile's date.
pub fn decide(
    totals: &Individuals,
    profile: &Profile,
    rules: &RuleSet,
) -> Result<Decision, RulesError> {
    check_totals(totals).map_err(|message| RulesError::Totals {
        file: "totals".to_string(),
        message,
    })?;
    let context = Context::new(profile, rules)?;
    let core = context.evaluate(totals);
    let headroom = context.headroom(totals, &core);
    let id_number_note = context.id_number_alternative(totals, &core);
    Ok(context.finish(totals, core, headroom, id_number_note))
}

/// The business scenario as the chosen packs see it.
enum ScenarioChoice<'a> {
    NotGiven,
    Other,
    OnList(&'a Scenario),
    /// A known scenario that the zone pack does not list; the packs that do list it.
    OffList {
        id: String,
        listed_in: Vec<String>,
    },
}

struct Context<'a> {
    profile: &'a Profile,
    national: &'a Pack,
    zone: Option<&'a Pack>,
    scenario: ScenarioChoice<'a>,
    /// Every threshold the applicable rules compare, scenario bands first.
    thresholds: Vec<Threshold>,
}

/// One threshold of a band or trigger that applies to the profile.
struct Threshold {
    metric: Metric,
    comparison: Comparison,
    value: u64,
    /// `pack/rule`.
    rule: String,
    verified: bool,
}

impl Threshold {
    fn of_band(pack: &Pack, band: &Band) -> Threshold {
        Threshold {
            metric: band.metric.clone(),
            comparison: band.comparison,
            value: band.value,
            rule: pack.rule_id(&band.id),
            verified: band.verified,
        }
    }

    fn of_trigger(pack: &Pack, trigger: &Trigger) -> Threshold {
        Threshold {
            metric: trigger.metric.clone(),
            comparison: trigger.comparison,
            value: trigger.value,
            rule: pack.rule_id(&trigger.id),
            verified: trigger.verified,
        }
    }
}

/// A figure the decision relied on.
struct Figure {
    label: String,
    verified: bool,
}

/// One evaluation of the rules on one set of totals.
struct Core {
    outcome: Outcome,
    reasons: Vec<Reason>,
    national_outcome: Outcome,
    national_reasons: Vec<Reason>,
    zone_outcome: Option<Outcome>,
    zone_decided: bool,
    counts: Counts,
    conflicts: Vec<String>,
    fallbacks: Vec<String>,
    notes: Vec<String>,
    figures: Vec<Figure>,
}

/// The part of the outcome that comes from personal-information volumes.
struct Part {
    outcome: Outcome,
    reasons: Vec<Reason>,
}

impl<'a> Context<'a> {
    fn new(profile: &'a Profile, rules: &'a RuleSet) -> Result<Context<'a>, RulesError> {
        check_profile_ids(profile, rules)?;
        let (national, zone) = rules.select_for(profile)?;
        let scenario = match (profile.scenario.as_deref(), zone) {
            (None, _) => ScenarioChoice::NotGiven,
            (Some(OTHER_SCENARIO), _) => ScenarioChoice::Other,
            (Some(id), zone) => match zone.and_then(|z| z.scenario(id)) {
                Some(scenario) => ScenarioChoice::OnList(scenario),
                None => ScenarioChoice::OffList {
                    id: id.to_string(),
                    listed_in: rules
                        .packs()
                        .iter()
                        .filter(|p| p.scenario(id).is_some())
                        .map(|p| p.id.clone())
                        .collect(),
                },
            },
        };
        if let (ScenarioChoice::OnList(scenario), Some(industry)) =
            (&scenario, profile.industry.as_deref())
            && industry != scenario.industry
        {
            return Err(RulesError::Profile {
                source_name: "profile".to_string(),
                key: "transfer.industry".to_string(),
                message: format!(
                    "{industry:?} does not match scenario {}, which belongs to industry {}: correct one of the two, or leave the industry out",
                    scenario.id, scenario.industry
                ),
            });
        }
        let mut context = Context {
            profile,
            national,
            zone,
            scenario,
            thresholds: Vec::new(),
        };
        context.thresholds = context.collect_thresholds();
        Ok(context)
    }

    /// Lists the thresholds of the scenario's bands, the packs' bands and the triggers that
    /// apply to this handler, in that order.
    fn collect_thresholds(&self) -> Vec<Threshold> {
        let mut thresholds = Vec::new();
        if let (ScenarioChoice::OnList(scenario), Some(zone)) = (&self.scenario, self.zone) {
            thresholds.extend(scenario.bands.iter().map(|b| Threshold::of_band(zone, b)));
        }
        for pack in self.selected_packs() {
            thresholds.extend(pack.bands.iter().map(|b| Threshold::of_band(pack, b)));
        }
        for pack in self.selected_packs() {
            let triggers = pack
                .triggers
                .iter()
                .filter(|t| self.profile.cii || !t.cii_only);
            thresholds.extend(triggers.map(|t| Threshold::of_trigger(pack, t)));
        }
        thresholds
    }

    /// Returns the national pack's counting window. A zone pack that counts over another
    /// window gets a note in the decision.
    fn counting_window(&self) -> Window {
        let kind = self.national.counting_window;
        Window {
            kind,
            from: kind.start(self.profile.date),
            to: self.profile.date,
        }
    }

    fn selected_packs(&self) -> impl Iterator<Item = &'a Pack> {
        std::iter::once(self.national).chain(self.zone)
    }

    /// Builds the counts, with a count for each group that an applicable threshold uses.
    fn counts(&self, totals: &Individuals, notes: &mut Vec<String>) -> Counts {
        let used: BTreeSet<&str> = self
            .thresholds
            .iter()
            .filter_map(|t| match &t.metric {
                Metric::Group(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        let mut groups = BTreeMap::new();
        for id in used {
            let Some(group) = self.selected_packs().find_map(|p| p.group(id)) else {
                continue;
            };
            let count = match totals.by_group.get(id) {
                Some(count) => GroupCount {
                    count: *count,
                    exact: true,
                },
                None => {
                    let bound = group
                        .elements
                        .iter()
                        .filter_map(|e| totals.by_element.get(e))
                        .max()
                        .copied()
                        .unwrap_or(0);
                    notes.push(format!(
                        "The totals give no count for group {id} ({}); the largest count of one of its elements, {}, is used as a lower bound.",
                        group.title,
                        thousands(bound)
                    ));
                    GroupCount {
                        count: bound,
                        exact: false,
                    }
                }
            };
            groups.insert(id.to_string(), count);
        }
        Counts {
            total: totals.total,
            sensitive: totals.sensitive,
            sensitive_id_number_only: totals.sensitive_id_number_only,
            id_number_sensitive: self.profile.id_number_sensitive,
            groups,
        }
    }

    fn evaluate(&self, totals: &Individuals) -> Core {
        let mut notes = Vec::new();
        let counts = self.counts(totals, &mut notes);
        let mut core = Core {
            outcome: Outcome::Exempt,
            reasons: Vec::new(),
            national_outcome: Outcome::Exempt,
            national_reasons: Vec::new(),
            zone_outcome: None,
            zone_decided: false,
            counts,
            conflicts: Vec::new(),
            fallbacks: Vec::new(),
            notes,
            figures: Vec::new(),
        };
        let national = self.national_part(&mut core);
        let personal = self.zone_part(&mut core, national);
        let important = self.important_part(totals, &mut core);
        self.combine(&mut core, personal, important);
        core
    }

    /// Evaluates the national rules for personal information.
    fn national_part(&self, core: &mut Core) -> Part {
        let pack = self.national;
        let total = core.counts.total;
        if let Some(part) = self.purpose_part(core) {
            return part;
        }
        if self.profile.cii
            && total > 0
            && let Some(rule) = &pack.cii_operator
        {
            core.figures.push(Figure {
                label: pack.rule_id(&rule.id),
                verified: pack.verified,
            });
            return Part {
                outcome: rule.outcome,
                reasons: vec![Reason {
                    rule: pack.rule_id(&rule.id),
                    pack: pack.id.clone(),
                    metric: Metric::Total.name().to_string(),
                    count: total,
                    comparison: Comparison::AtLeast.symbol().to_string(),
                    threshold: 1,
                    outcome: rule.outcome,
                    met: true,
                    verified: pack.verified,
                    basis: rule.basis.clone(),
                    note: None,
                }],
            };
        }
        self.band_part(pack, &pack.bands, core)
            .unwrap_or_else(|unmet| Part {
                outcome: Outcome::Exempt,
                reasons: unmet,
            })
    }

    /// Exempts personal information sent for a purpose that a selected pack exempts.
    fn purpose_part(&self, core: &mut Core) -> Option<Part> {
        if self.profile.purpose == Purpose::None {
            return None;
        }
        let (pack, exemption) = self.selected_packs().find_map(|pack| {
            pack.exemptions
                .iter()
                .find(|e| e.purpose == self.profile.purpose)
                .map(|e| (pack, e))
        })?;
        core.figures.push(Figure {
            label: format!("{}/purpose-{}", pack.id, exemption.purpose.as_str()),
            verified: exemption.verified,
        });
        Some(Part {
            outcome: Outcome::Exempt,
            reasons: vec![Reason {
                rule: format!("{}/purpose-{}", pack.id, exemption.purpose.as_str()),
                pack: pack.id.clone(),
                metric: "purpose".to_string(),
                count: core.counts.total,
                comparison: Comparison::AtLeast.symbol().to_string(),
                threshold: 0,
                outcome: Outcome::Exempt,
                met: true,
                verified: exemption.verified,
                basis: exemption.basis.clone(),
                note: Some(format!(
                    "purpose {} exempts personal information whatever the volume",
                    exemption.purpose.as_str()
                )),
            }],
        })
    }

    /// Compares `bands` with the counts. Returns the strictest met bands, or, when none is
    /// met, the lowest unmet bands as the error value.
    fn band_part(&self, pack: &Pack, bands: &[Band], core: &mut Core) -> Result<Part, Vec<Reason>> {
        let mut met = Vec::new();
        let mut unmet = Vec::new();
        for band in bands {
            core.figures.push(Figure {
                label: band_label(pack, band),
                verified: band.verified,
            });
            let count = metric_count(&core.counts, &band.metric);
            let reason = band_reason(pack, band, count);
            if reason.met {
                met.push(reason);
            } else {
                unmet.push(reason);
            }
        }
        match met.iter().map(|r| r.outcome).max() {
            Some(outcome) => Ok(Part {
                outcome,
                reasons: met.into_iter().filter(|r| r.outcome == outcome).collect(),
            }),
            None => {
                let lowest = unmet.iter().map(|r| r.outcome).min();
                Err(unmet
                    .into_iter()
                    .filter(|r| Some(r.outcome) == lowest)
                    .collect())
            }
        }
    }

    /// Applies the zone list's bands for the scenario, relaxing but never tightening the
    /// national part.
    fn zone_part(&self, core: &mut Core, national: Part) -> Part {
        core.national_outcome = national.outcome;
        let Some(zone) = self.zone else {
            self.note_scenario_without_zone(core);
            return national;
        };
        core.national_reasons = national.reasons.clone();

        let Some(scenario) = self.zone_scenario(zone, core) else {
            return national;
        };
        let exempt_by_purpose = national.reasons.iter().any(|r| r.metric == "purpose");
        if exempt_by_purpose {
            return national;
        }
        if scenario.follows_national {
            core.figures.push(Figure {
                label: format!(
                    "{}/{} (keeps the national thresholds)",
                    zone.id, scenario.id
                ),
                verified: scenario.verified,
            });
            core.fallbacks.push(format!(
                "The {} list keeps the national thresholds for scenario {}.",
                zone.id, scenario.id
            ));
            return national;
        }

        match self.band_part(zone, &scenario.bands, core) {
            Ok(zone_result) => {
                self.compare_with_national(zone, scenario, core, national, zone_result)
            }
            Err(unmet) => {
                let floors: Vec<String> = unmet.iter().map(describe_unmet).collect();
                core.fallbacks.push(format!(
                    "The {} list gives no band for scenario {} at this volume ({}): the national rule applies.",
                    zone.id,
                    scenario.id,
                    floors.join("; ")
                ));
                national
            }
        }
    }

    /// Returns the zone list's scenario for this transfer, or records why the list does not
    /// apply (CII operator, no scenario, scenario not on the list).
    fn zone_scenario(&self, zone: &'a Pack, core: &mut Core) -> Option<&'a Scenario> {
        if self.profile.cii && zone.cii_excluded {
            core.fallbacks.push(format!(
                "The {} list does not apply to operators of critical information infrastructure: the national rules apply.",
                zone.id
            ));
            return None;
        }
        let zone_id = zone.zone.as_deref().unwrap_or_default();
        let fallback = match &self.scenario {
            ScenarioChoice::OnList(scenario) => return Some(scenario),
            ScenarioChoice::NotGiven => format!(
                "No business scenario given (transfer.scenario): the {} list relaxes only its listed scenarios ({}), so the national thresholds apply.",
                zone.id,
                scenario_list(zone)
            ),
            ScenarioChoice::Other => format!(
                "The business scenario is on no list: outside the {} list's scenarios the national rules apply.",
                zone.id
            ),
            ScenarioChoice::OffList { id, listed_in } => format!(
                "Scenario {id} is not on the {} list of zone {zone_id} (it is listed in {}): the national rules apply.",
                zone.id,
                listed_in.join(", ")
            ),
        };
        core.fallbacks.push(fallback);
        None
    }

    /// Keeps the zone outcome when it is no stricter than the national one, else keeps the
    /// national outcome and records the conflict.
    fn compare_with_national(
        &self,
        zone: &Pack,
        scenario: &Scenario,
        core: &mut Core,
        national: Part,
        zone_result: Part,
    ) -> Part {
        core.zone_outcome = Some(zone_result.outcome);
        if zone_result.outcome > national.outcome {
            let rules: Vec<&str> = zone_result
                .reasons
                .iter()
                .map(|r| r.rule.as_str())
                .collect();
            core.conflicts.push(format!(
                "{} gives {}, stricter than the national outcome {}. A zone list only relaxes the national rules, so the national outcome {} applies.",
                rules.join(", "),
                zone_result.outcome,
                national.outcome,
                national.outcome
            ));
            return national;
        }

        if zone_result.outcome < national.outcome {
            core.notes.push(format!(
                "The {} list relaxes the national outcome {} to {} for scenario {}.",
                zone.id, national.outcome, zone_result.outcome, scenario.id
            ));
        }
        core.zone_decided = true;
        zone_result
    }

    fn note_scenario_without_zone(&self, core: &mut Core) {
        if let ScenarioChoice::OffList { id, listed_in } = &self.scenario
            && !listed_in.is_empty()
        {
            core.fallbacks.push(format!(
                "Scenario {id} is listed in {}, which applies only to handlers registered in its zone; handler.zone is none, so the national rules apply.",
                listed_in.join(", ")
            ));
        }
    }

    /// Collects the important-data reasons: the totals flag, and the metric triggers and named
    /// elements of the chosen packs.
    fn important_part(&self, totals: &Individuals, core: &mut Core) -> Vec<Reason> {
        let Some(rule) = &self.national.important_data else {
            return Vec::new();
        };
        let national = self.national;
        let mut reasons = Vec::new();
        if totals.important_data {
            reasons.push(Reason {
                rule: national.rule_id(&rule.id),
                pack: national.id.clone(),
                metric: "important_data".to_string(),
                count: 1,
                comparison: Comparison::AtLeast.symbol().to_string(),
                threshold: 1,
                outcome: rule.outcome,
                met: true,
                verified: national.verified,
                basis: rule.basis.clone(),
                note: Some("the totals mark the transfer as containing important data".to_string()),
            });
        }
        for pack in self.selected_packs() {
            for trigger in pack
                .triggers
                .iter()
                .filter(|t| self.profile.cii || !t.cii_only)
            {
                core.figures.push(Figure {
                    label: trigger_label(pack, trigger),
                    verified: trigger.verified,
                });
                let count = metric_count(&core.counts, &trigger.metric);
                if trigger.comparison.holds(count, trigger.value) {
                    reasons.push(trigger_reason(pack, trigger, count, rule.outcome));
                }
            }
            for (element, verified) in self.important_elements(pack) {
                let count = totals.by_element.get(element).copied().unwrap_or(0);
                if count > 0 {
                    core.figures.push(Figure {
                        label: format!("{}: important-data element {element}", pack.id),
                        verified,
                    });
                    reasons.push(Reason {
                        rule: pack.rule_id(&format!("important-element-{element}")),
                        pack: pack.id.clone(),
                        metric: element.clone(),
                        count,
                        comparison: Comparison::AtLeast.symbol().to_string(),
                        threshold: 1,
                        outcome: rule.outcome,
                        met: true,
                        verified,
                        basis: format!("{} names {element} as important data", pack.id),
                        note: None,
                    });
                }
            }
        }
        reasons
    }

    /// Returns the important-data elements of `pack`, with the scenario's when `pack` is the
    /// zone pack listing the profile's scenario, each with its verified flag.
    fn important_elements(&self, pack: &'a Pack) -> Vec<(&'a String, bool)> {
        let mut elements: Vec<(&String, bool)> = pack
            .important_elements
            .iter()
            .map(|e| (e, pack.verified))
            .collect();
        let is_zone_pack = self.zone.is_some_and(|zone| zone.id == pack.id);
        if let ScenarioChoice::OnList(scenario) = &self.scenario
            && is_zone_pack
        {
            elements.extend(
                scenario
                    .important_elements
                    .iter()
                    .map(|e| (e, scenario.verified)),
            );
        }
        elements
    }

    /// Takes the stricter of the personal-information part and the important-data part.
    fn combine(&self, core: &mut Core, personal: Part, important: Vec<Reason>) {
        let important_outcome = important.iter().map(|r| r.outcome).max();
        let outcome = important_outcome.map_or(personal.outcome, |o| o.max(personal.outcome));
        // The CII-operator rule is named first, because it applies whatever the data.
        let cii_rule = self
            .national
            .cii_operator
            .as_ref()
            .map(|c| self.national.rule_id(&c.id));
        let cii_first = match (personal.reasons.first(), &cii_rule) {
            (Some(reason), Some(rule)) => &reason.rule == rule,
            _ => false,
        };
        let mut reasons = Vec::new();
        let personal_counts = personal.outcome == outcome;
        if personal_counts && cii_first {
            reasons.extend(personal.reasons.iter().cloned());
        }
        if important_outcome == Some(outcome) {
            reasons.extend(important);
        }
        if personal_counts && !cii_first {
            reasons.extend(personal.reasons);
        }
        core.outcome = outcome;
        core.reasons = reasons;
    }
}

/// Rejects a scenario or industry that no loaded pack defines.
fn check_profile_ids(profile: &Profile, rules: &RuleSet) -> Result<(), RulesError> {
    if let Some(scenario) = profile.scenario.as_deref() {
        let known = rules.scenario_ids();
        if scenario != OTHER_SCENARIO && !known.iter().any(|s| s == scenario) {
            let mut listed = known;
            listed.push(OTHER_SCENARIO.to_string());
            return Err(RulesError::UnknownScenario {
                scenario: scenario.to_string(),
                known: listed,
            });
        }
    }
    if let Some(industry) = profile.industry.as_deref() {
        let known = rules.industry_ids();
        if industry != OTHER_SCENARIO && !known.iter().any(|s| s == industry) {
            let mut listed = known;
            listed.push(OTHER_SCENARIO.to_string());
            return Err(RulesError::UnknownIndustry {
                industry: industry.to_string(),
                known: listed,
            });
        }
    }
    Ok(())
}

fn metric_count(counts: &Counts, metric: &Metric) -> u64 {
    match metric {
        Metric::Total => counts.total,
        Metric::Sensitive => counts.sensitive,
        Metric::Group(id) => counts.groups.get(id).map_or(0, |g| g.count),
    }
}

fn band_reason(pack: &Pack, band: &Band, count: u64) -> Reason {
    let met = band.comparison.holds(count, band.value);
    Reason {
        rule: pack.rule_id(&band.id),
        pack: pack.id.clone(),
        metric: band.metric.name().to_string(),
        count,
        comparison: if met {
            band.comparison.symbol()
        } else {
            band.comparison.negated_symbol()
        }
        .to_string(),
        threshold: band.value,
        outcome: band.outcome,
        met,
        verified: band.verified,
        basis: band.basis.clone(),
        note: band.note.clone(),
    }
}

fn trigger_reason(pack: &Pack, trigger: &Trigger, count: u64, outcome: Outcome) -> Reason {
    Reason {
        rule: pack.rule_id(&trigger.id),
        pack: pack.id.clone(),
        metric: trigger.metric.name().to_string(),
        count,
        comparison: trigger.comparison.symbol().to_string(),
        threshold: trigger.value,
        outcome,
        met: true,
        verified: trigger.verified,
        basis: trigger.basis.clone(),
        note: None,
    }
}

fn band_label(pack: &Pack, band: &Band) -> String {
    format!(
        "{}: {} {} {} gives {}",
        pack.rule_id(&band.id),
        band.metric,
        band.comparison.symbol(),
        thousands(band.value),
        band.outcome
    )
}

fn trigger_label(pack: &Pack, trigger: &Trigger) -> String {
    format!(
        "{}: {} {} {} is important data",
        pack.rule_id(&trigger.id),
        trigger.metric,
        trigger.comparison.symbol(),
        thousands(trigger.value)
    )
}

fn describe_unmet(reason: &Reason) -> String {
    format!(
        "{} {} {} {}",
        reason.metric,
        thousands(reason.count),
        reason.comparison,
        thousands(reason.threshold)
    )
}

fn scenario_list(pack: &Pack) -> String {
    let ids: Vec<&str> = pack.scenarios.iter().map(|s| s.id.as_str()).collect();
    ids.join(", ")
}
