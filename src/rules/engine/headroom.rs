//! What-if evaluations: the headroom to the next stricter outcome, and the outcome under the
//! other reading of identity document numbers.

use std::collections::BTreeMap;

use super::{Context, Core, Threshold, metric_count};
use crate::identity::Individuals;
use crate::rules::Metric;
use crate::rules::decision::{Headroom, thousands};

impl Context<'_> {
    /// Raises each count to each threshold above it and records the first count at which the
    /// outcome becomes stricter, per metric and outcome.
    pub(super) fn headroom(&self, totals: &Individuals, core: &Core) -> Vec<Headroom> {
        // Group the thresholds by metric and by the first count that meets them.
        let mut steps: BTreeMap<(&Metric, u64), Vec<&Threshold>> = BTreeMap::new();
        for threshold in &self.thresholds {
            let first = threshold.comparison.first_count(threshold.value);
            steps
                .entry((&threshold.metric, first))
                .or_default()
                .push(threshold);
        }

        let mut found: Vec<Headroom> = Vec::new();
        for ((metric, first), candidates) in steps {
            let count = metric_count(&core.counts, metric);
            let known = |outcome| {
                found
                    .iter()
                    .any(|h| h.metric == metric.name() && h.outcome >= outcome)
            };
            if first <= count {
                continue;
            }
            let raised = self.evaluate(&self.raise(totals, metric, first));
            if raised.outcome <= core.outcome || known(raised.outcome) {
                continue;
            }
            // Name the threshold whose rule decides at the raised count, when there is one.
            let deciding = candidates
                .iter()
                .find(|t| raised.reasons.iter().any(|r| r.met && r.rule == t.rule))
                .or(candidates.first());
            if let Some(threshold) = deciding {
                found.push(Headroom {
                    metric: metric.name().to_string(),
                    count,
                    comparison: threshold.comparison.symbol().to_string(),
                    threshold: threshold.value,
                    more: first - count,
                    outcome: raised.outcome,
                    rule: threshold.rule.clone(),
                    verified: threshold.verified,
                });
            }
        }
        found
    }

    /// Returns totals with `metric` raised to `count`; the people added also count toward the
    /// total, and toward the sensitive count when the group is sensitive.
    fn raise(&self, totals: &Individuals, metric: &Metric, count: u64) -> Individuals {
        let mut raised = totals.clone();
        match metric {
            Metric::Total => raised.total = count,
            Metric::Sensitive => {
                raised.sensitive = count;
                raised.total = raised.total.max(count);
            }
            Metric::Group(id) => {
                raised.by_group.insert(id.clone(), count);
                raised.total = raised.total.max(count);
                let sensitive = self
                    .selected_packs()
                    .find_map(|p| p.group(id))
                    .is_some_and(|g| g.sensitive);
                if sensitive {
                    raised.sensitive = raised.sensitive.max(count);
                }
            }
        }
        raised
    }

    /// Returns a note when counting identity document numbers the other way would change
    /// the outcome.
    pub(super) fn id_number_alternative(
        &self,
        totals: &Individuals,
        core: &Core,
    ) -> Option<String> {
        let id_only = totals.sensitive_id_number_only;
        if id_only == 0 {
            return None;
        }
        let mut other = totals.clone();
        let (setting, source) = if self.profile.id_number_sensitive {
            other.sensitive = totals.sensitive.saturating_sub(id_only);
            (false, "the 2024 TC260 guide")
        } else {
            other.sensitive = totals.sensitive.saturating_add(id_only).min(totals.total);
            (true, "GB/T 35273-2020")
        };
        // The setting changes only the sensitive count, which `other` already carries.
        let outcome = self.evaluate(&other).outcome;
        (outcome != core.outcome).then(|| {
            format!(
                "With id_number_sensitive = {setting} ({source}) the sensitive count would be {} and the outcome {outcome} instead of {}.",
                thousands(other.sensitive),
                core.outcome
            )
        })
    }
}
