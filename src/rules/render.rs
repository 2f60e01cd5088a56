//! Text renderings of a decision and of rule packs.

use std::fmt::Write as _;

use super::Outcome;
use super::decision::{Decision, Headroom, Reason, thousands};
use super::pack::{Band, CountingWindow, ObligationWhen, Pack, Trigger};
use super::ruleset::RuleSet;

impl Decision {
    /// Renders the decision as the text report of `decide` and of the scan's text report.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        // fmt::Write for String never returns an error, so the results are ignored.
        let _ = self.write_summary(&mut out);
        let _ = self.write_counts(&mut out);
        let _ = write_reasons(&mut out, "Reasons", &self.reasons);
        let _ = write_reasons(
            &mut out,
            "National reasons (relaxed by the zone list)",
            &self.national_reasons,
        );
        let _ = self.write_headroom(&mut out);

        let _ = write_list(
            &mut out,
            "Conflicts (zone bands stricter than the national rules, not applied)",
            &self.conflicts,
        );
        let _ = write_list(&mut out, "Fallbacks to the national rules", &self.fallbacks);
        let _ = write_list(
            &mut out,
            "Unverified figures (confirm them against the official text before relying on this decision)",
            &self.unverified_figures,
        );
        let _ = write_list(&mut out, "Notes", &self.notes);

        let obligations: Vec<String> = self
            .obligations
            .iter()
            .map(|o| format!("{} ({})", o.text, o.basis))
            .collect();
        let _ = write_list(&mut out, "Obligations that remain", &obligations);
        out
    }

    fn write_summary(&self, out: &mut String) -> std::fmt::Result {
        writeln!(
            out,
            "Outcome: {} ({})",
            self.outcome,
            self.outcome.describe()
        )?;
        writeln!(out, "Decided by: {}", self.rule)?;
        if self.unverified {
            writeln!(
                out,
                "UNVERIFIED: this decision relies on figures not confirmed against the official text (listed below)."
            )?;
        }
        if let Some(national) = self.national_outcome {
            let zone = self.zone_outcome.map_or_else(
                || "none (no zone band applied)".to_string(),
                |o| o.to_string(),
            );
            writeln!(
                out,
                "National outcome: {national}; zone list outcome: {zone}"
            )?;
        }
        writeln!(out, "Rule packs: {}", self.packs.join(", "))?;
        let profile = &self.profile;
        writeln!(
            out,
            "Profile: zone {}, scenario {}, industry {}, purpose {}, CII operator {}, transfer date {}",
            profile.zone.as_deref().unwrap_or("none"),
            profile.scenario.as_deref().unwrap_or("not given"),
            profile.industry.as_deref().unwrap_or("not given"),
            profile.purpose.as_str(),
            if profile.cii { "yes" } else { "no" },
            profile.date
        )
    }

    fn write_counts(&self, out: &mut String) -> std::fmt::Result {
        let window = &self.counting_window;
        writeln!(
            out,
            "\nCounts of distinct people, {} to {}:",
            window.from, window.to
        )?;
        let counts = &self.counts;
        let id_only_label = if counts.id_number_sensitive {
            "included in sensitive"
        } else {
            "not included in sensitive"
        };
        let mut rows = vec![
            ("total".to_string(), counts.total, String::new()),
            ("sensitive".to_string(), counts.sensitive, String::new()),
            (
                "sensitive only via ID number".to_string(),
                counts.sensitive_id_number_only,
                id_only_label.to_string(),
            ),
        ];
        for (group, count) in &counts.groups {
            let remark = if count.exact { "" } else { "lower bound" };
            rows.push((group.clone(), count.count, remark.to_string()));
        }
        for (label, count, remark) in rows {
            let line = format!("  {label:<30} {:>13}  {remark}", thousands(count));
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    fn write_headroom(&self, out: &mut String) -> std::fmt::Result {
        if self.headroom.is_empty() {
            return Ok(());
        }
        writeln!(out, "\nHeadroom:")?;
        let period = match self.counting_window.kind {
            CountingWindow::CalendarYear => "this year",
            CountingWindow::SincePreviousYear => "in the counting window",
        };
        for headroom in &self.headroom {
            writeln!(out, "  {}", headroom_line(headroom, period))?;
        }
        Ok(())
    }
}

/// Formats one headroom entry: "total 4,812,337 of 5,000,000: 187,663 more people this year
/// require a security assessment".
pub fn headroom_line(headroom: &Headroom, period: &str) -> String {
    let of = if headroom.comparison == ">" {
        "of more than"
    } else {
        "of"
    };
    let people = if headroom.more == 1 {
        "person"
    } else {
        "people"
    };
    let verb = if headroom.more == 1 {
        "requires"
    } else {
        "require"
    };
    let procedure = match headroom.outcome {
        Outcome::Assessment => "a security assessment",
        Outcome::Filing => "standard contract filing or certification",
        Outcome::Exempt => "no procedure",
    };
    let unverified = if headroom.verified {
        ""
    } else {
        ", unverified"
    };
    format!(
        "{} {} {of} {}: {} more {people} {period} {verb} {procedure} ({}{unverified})",
        headroom.metric,
        thousands(headroom.count),
        thousands(headroom.threshold),
        thousands(headroom.more),
        headroom.rule
    )
}

fn write_reasons(out: &mut String, title: &str, reasons: &[Reason]) -> std::fmt::Result {
    if reasons.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title}:")?;
    for reason in reasons {
        let state = if reason.met { "met" } else { "not met" };
        let unverified = if reason.verified { "" } else { ", unverified" };
        // Purpose and important-data reasons compare no count, so their note states what applied.
        let line = match (&reason.note, reason.metric.as_str()) {
            (Some(note), "purpose" | "important_data") => format!("{note}: {}", reason.outcome),
            _ => format!(
                "{} {} {} {} gives {}",
                reason.metric,
                thousands(reason.count),
                reason.comparison,
                thousands(reason.threshold),
                reason.outcome
            ),
        };
        writeln!(out, "  [{state}] {}: {line}{unverified}", reason.rule)?;
        if !reason.basis.is_empty() {
            writeln!(out, "          basis: {}", reason.basis)?;
        }
    }
    Ok(())
}

fn write_list(out: &mut String, title: &str, items: &[String]) -> std::fmt::Result {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title}:")?;
    for item in items {
        writeln!(out, "  - {item}")?;
    }
    Ok(())
}

/// Renders the table printed by `rules list`.
pub fn render_pack_list(rules: &RuleSet) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<22} {:<8} {:<13} {:<27} {:<10} ORIGIN",
        "ID", "EDITION", "ZONE", "IN FORCE", "VERIFIED"
    );
    for pack in rules.packs() {
        let _ = writeln!(
            out,
            "{:<22} {:<8} {:<13} {:<27} {:<10} {}",
            pack.id,
            pack.edition,
            pack.zone.as_deref().unwrap_or("none"),
            in_force_text(rules, pack),
            if pack.verified { "yes" } else { "no" },
            pack.origin.display_name()
        );
    }
    out
}

fn in_force_text(rules: &RuleSet, pack: &Pack) -> String {
    match rules.end_of(pack) {
        Some(end) => format!(
            "{} to {}",
            pack.effective_from,
            end.pred_opt().unwrap_or(end)
        ),
        None => format!("from {}", pack.effective_from),
    }
}

/// Renders one pack for `rules show`.
pub fn render_pack(rules: &RuleSet, pack: &Pack) -> String {
    let mut out = String::new();
    let _ = write_pack_header(&mut out, rules, pack);
    let _ = write_pack_rules(&mut out, pack);
    let _ = write_pack_scenarios(&mut out, pack);
    out
}

fn write_pack_header(out: &mut String, rules: &RuleSet, pack: &Pack) -> std::fmt::Result {
    writeln!(out, "{}: {}", pack.id, pack.title)?;
    if let Some(title_zh) = &pack.title_zh {
        writeln!(out, "  {title_zh}")?;
    }
    writeln!(out, "  edition:         {}", pack.edition)?;
    writeln!(out, "  in force:        {}", in_force_text(rules, pack))?;
    if let Some(successor) = &pack.superseded_by {
        writeln!(out, "  superseded by:   {successor}")?;
    }

    match &pack.zone {
        Some(zone) => {
            let registration = if pack.registration_required {
                "required"
            } else {
                "not required"
            };
            let cii = if pack.cii_excluded {
                "excluded (national rules apply)"
            } else {
                "included"
            };
            writeln!(out, "  zone:            {zone}")?;
            writeln!(out, "  registration:    {registration}")?;
            writeln!(out, "  CII operators:   {cii}")?;
        }
        None => writeln!(out, "  zone:            none (national rules)")?,
    }
    let window = match pack.counting_window {
        CountingWindow::CalendarYear => "since 1 January of the transfer year",
        CountingWindow::SincePreviousYear => "since 1 January of the previous year",
    };
    writeln!(out, "  counting window: {window}")?;

    let verified = if pack.verified { "yes" } else { "no" };
    writeln!(
        out,
        "  source:          {} <{}>",
        pack.source.title, pack.source.url
    )?;
    writeln!(out, "  verified:        {verified}")?;
    writeln!(out, "  loaded from:     {}", pack.origin.display_name())?;
    if let Some(note) = &pack.note {
        writeln!(out, "  note:            {note}")?;
    }
    Ok(())
}

fn write_pack_rules(out: &mut String, pack: &Pack) -> std::fmt::Result {
    if let Some(rule) = &pack.cii_operator {
        writeln!(
            out,
            "\nCII operator sending any personal information: {} [{}] ({})",
            rule.outcome, rule.id, rule.basis
        )?;
    }
    if let Some(rule) = &pack.important_data {
        writeln!(
            out,
            "Important data: {} [{}] ({})",
            rule.outcome, rule.id, rule.basis
        )?;
    }
    if !pack.groups.is_empty() {
        writeln!(out, "\nElement groups:")?;
        for group in &pack.groups {
            writeln!(
                out,
                "  {} ({}): {}",
                group.id,
                group.title,
                group.elements.join(", ")
            )?;
        }
    }
    write_bands(out, "\nBands:", "  ", &pack.bands)?;
    write_triggers(out, &pack.triggers)?;
    if !pack.important_elements.is_empty() {
        writeln!(
            out,
            "\nImportant-data elements: {}",
            pack.important_elements.join(", ")
        )?;
    }
    if !pack.exemptions.is_empty() {
        writeln!(
            out,
            "\nExempt purposes (personal information, whatever the volume):"
        )?;
        for exemption in &pack.exemptions {
            writeln!(
                out,
                "  {}{} ({})",
                exemption.purpose.as_str(),
                verified_mark(exemption.verified),
                exemption.basis
            )?;
        }
    }
    if !pack.obligations.is_empty() {
        writeln!(out, "\nObligations:")?;
        for obligation in &pack.obligations {
            let when = match obligation.when {
                ObligationWhen::PersonalInformation => "personal information".to_string(),
                ObligationWhen::Outcome(outcome) => format!("outcome {outcome}"),
                ObligationWhen::ZoneList => "zone list applied".to_string(),
            };
            writeln!(
                out,
                "  {} [when {when}]: {} ({})",
                obligation.id, obligation.text, obligation.basis
            )?;
        }
    }
    Ok(())
}

fn write_pack_scenarios(out: &mut String, pack: &Pack) -> std::fmt::Result {
    for industry in &pack.industries {
        let title_zh = industry
            .title_zh
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        writeln!(
            out,
            "\nIndustry {}: {}{title_zh}",
            industry.id, industry.title
        )?;
        for scenario in pack.scenarios.iter().filter(|s| s.industry == industry.id) {
            writeln!(
                out,
                "  Scenario {}: {}{}",
                scenario.id,
                scenario.title,
                verified_mark(scenario.verified)
            )?;
            writeln!(out, "    elements: {}", scenario.elements.join(", "))?;
            if scenario.follows_national {
                writeln!(out, "    bands: the national thresholds")?;
            }
            write_bands(out, "    bands:", "      ", &scenario.bands)?;
            if !scenario.important_elements.is_empty() {
                writeln!(
                    out,
                    "    important-data elements: {}",
                    scenario.important_elements.join(", ")
                )?;
            }
            if let Some(note) = &scenario.note {
                writeln!(out, "    note: {note}")?;
            }
        }
    }
    Ok(())
}

fn write_bands(out: &mut String, title: &str, indent: &str, bands: &[Band]) -> std::fmt::Result {
    if bands.is_empty() {
        return Ok(());
    }
    writeln!(out, "{title}")?;
    for band in bands {
        writeln!(
            out,
            "{indent}{}: {} {} {} gives {}{} ({})",
            band.id,
            band.metric,
            band.comparison.symbol(),
            thousands(band.value),
            band.outcome,
            verified_mark(band.verified),
            band.basis
        )?;
        if let Some(note) = &band.note {
            writeln!(out, "{indent}  note: {note}")?;
        }
    }
    Ok(())
}

fn write_triggers(out: &mut String, triggers: &[Trigger]) -> std::fmt::Result {
    if triggers.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nImportant-data triggers:")?;
    for trigger in triggers {
        let cii = if trigger.cii_only {
            " (data held by a CII operator)"
        } else {
            ""
        };
        writeln!(
            out,
            "  {}: {} {} {}{cii}{} ({})",
            trigger.id,
            trigger.metric,
            trigger.comparison.symbol(),
            thousands(trigger.value),
            verified_mark(trigger.verified),
            trigger.basis
        )?;
    }
    Ok(())
}

fn verified_mark(verified: bool) -> &'static str {
    if verified { "" } else { " [unverified]" }
}
