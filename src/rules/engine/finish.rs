//! Assembling the decision: notes, unverified figures and remaining obligations.

use super::{Context, Core, ScenarioChoice};
use crate::identity::Individuals;
use crate::rules::decision::{Decision, Headroom, ObligationNote, Window, thousands};
use crate::rules::pack::{CountingWindow, ObligationWhen, Scenario};

impl Context<'_> {
    pub(super) fn finish(
        &self,
        totals: &Individuals,
        core: Core,
        headroom: Vec<Headroom>,
        id_number_note: Option<String>,
    ) -> Decision {
        let window = self.counting_window();
        let mut notes = Vec::new();
        notes.push(window_note(&window));
        if let Some(zone) = self.zone
            && zone.counting_window != window.kind
        {
            notes.push(format!(
                "The {} list counts over a different window ({}); the counts here cover the national window.",
                zone.id,
                zone.counting_window.as_str()
            ));
        }
        if let Some(zone) = self.zone
            && zone.registration_required
        {
            let zone_id = zone.zone.as_deref().unwrap_or_default();
            notes.push(format!(
                "The {} list applies only to handlers registered in zone {zone_id}; handler.zone = {} is taken to mean the handler is registered there.",
                zone.id,
                self.profile.zone.as_deref().unwrap_or_default()
            ));
        }
        notes.push(id_number_line(totals, self.profile.id_number_sensitive));
        notes.extend(id_number_note);
        if core.reasons.iter().any(|r| r.metric == "purpose") {
            notes.push(
                "Unverified: whether personal information sent under an exempt purpose is left out of the yearly count; the other counts here include it.".to_string(),
            );
        }
        if let ScenarioChoice::OnList(scenario) = &self.scenario {
            notes.extend(uncovered_elements_note(totals, scenario));
        }
        for reason in &core.reasons {
            // Band notes explain a figure, such as the choice of >= over >. The notes of
            // purpose and important-data reasons repeat what the reason already shows.
            if let Some(note) = &reason.note
                && reason.met
                && !matches!(reason.metric.as_str(), "purpose" | "important_data")
            {
                notes.push(format!("{}: {note}", reason.rule));
            }
        }
        notes.extend(core.notes.iter().cloned());

        let mut unverified_figures: Vec<String> = Vec::new();
        for pack in self.selected_packs().filter(|p| !p.verified) {
            unverified_figures.push(format!("{}: the pack's scope, dates and lists", pack.id));
        }
        for figure in core.figures.iter().filter(|f| !f.verified) {
            if !unverified_figures.contains(&figure.label) {
                unverified_figures.push(figure.label.clone());
            }
        }

        let obligations = self.obligations(totals, &core);
        let (pack, rule) = match core.reasons.first() {
            Some(reason) if reason.met => (reason.pack.clone(), reason.rule.clone()),
            Some(reason) => (reason.pack.clone(), format!("{}/no-band-met", reason.pack)),
            None => (
                self.national.id.clone(),
                format!("{}/no-band-met", self.national.id),
            ),
        };
        Decision {
            outcome: core.outcome,
            pack,
            rule,
            reasons: core.reasons,
            headroom,
            unverified: !unverified_figures.is_empty(),
            unverified_figures,
            national_outcome: self.zone.map(|_| core.national_outcome),
            national_reasons: if core.zone_decided {
                core.national_reasons
            } else {
                Vec::new()
            },
            zone_outcome: core.zone_outcome,
            packs: self.selected_packs().map(|p| p.id.clone()).collect(),
            profile: self.profile.clone(),
            counting_window: window,
            counts: core.counts,
            conflicts: core.conflicts,
            fallbacks: core.fallbacks,
            notes,
            obligations,
        }
    }

    fn obligations(&self, totals: &Individuals, core: &Core) -> Vec<ObligationNote> {
        self.selected_packs()
            .flat_map(|p| p.obligations.iter())
            .filter(|o| match o.when {
                ObligationWhen::PersonalInformation => totals.total > 0,
                ObligationWhen::Outcome(outcome) => outcome == core.outcome,
                ObligationWhen::ZoneList => core.zone_decided,
            })
            .map(|o| ObligationNote {
                id: o.id.clone(),
                text: o.text.clone(),
                basis: o.basis.clone(),
            })
            .collect()
    }
}

fn window_note(window: &Window) -> String {
    let description = match window.kind {
        CountingWindow::CalendarYear => "the calendar year of the transfer date",
        CountingWindow::SincePreviousYear => {
            "1 January of the previous year, as this edition counts"
        }
    };
    format!(
        "Counts are distinct people sent abroad from {} to the transfer date {} ({description}), cumulative over all transfers in that window: the scanned exports must cover all of them.",
        window.from, window.to
    )
}

fn id_number_line(totals: &Individuals, id_number_sensitive: bool) -> String {
    let id_only = thousands(totals.sensitive_id_number_only);
    if id_number_sensitive {
        format!(
            "Sensitive only through an identity document number: {id_only} people, included in the sensitive count (id_number_sensitive = true, GB/T 35273-2020)."
        )
    } else {
        format!(
            "Sensitive only through an identity document number: {id_only} people, not included in the sensitive count (id_number_sensitive = false, 2024 TC260 guide)."
        )
    }
}

fn uncovered_elements_note(totals: &Individuals, scenario: &Scenario) -> Option<String> {
    let outside: Vec<String> = totals
        .by_element
        .iter()
        .filter(|(element, count)| **count > 0 && !scenario.elements.contains(element))
        .map(|(element, count)| format!("{element} ({})", thousands(*count)))
        .collect();
    (!outside.is_empty()).then(|| {
        format!(
            "Elements found outside scenario {}'s element list: {}. The decision counts their people with the rest; check them against the official list.",
            scenario.id,
            outside.join(", ")
        )
    })
}
