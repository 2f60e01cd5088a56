//! The decision and its parts, as `decide` returns them and the reports serialize them.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Outcome;
use super::pack::CountingWindow;
use super::profile::Profile;
use crate::identity::Individuals;

/// One rule that was compared with the totals.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reason {
    /// `pack/rule`.
    pub rule: String,
    pub pack: String,
    /// `total`, `sensitive`, a group id, `important_data` (the totals flag), `purpose` or an
    /// important-data element id.
    pub metric: String,
    pub count: u64,
    /// `>=` or `>` for a met rule; `<` or `<=` for a band that was not met.
    pub comparison: String,
    pub threshold: u64,
    /// The outcome this rule gives when met.
    pub outcome: Outcome,
    pub met: bool,
    pub verified: bool,
    pub basis: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The distance from one count to the next threshold that makes the outcome stricter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Headroom {
    pub metric: String,
    pub count: u64,
    pub comparison: String,
    pub threshold: u64,
    /// How many more people reach the threshold.
    pub more: u64,
    pub outcome: Outcome,
    /// The band or trigger whose threshold this is, as `pack/rule`.
    pub rule: String,
    pub verified: bool,
}

/// The window the counts must cover.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Window {
    pub kind: CountingWindow,
    #[serde(serialize_with = "super::iso_date::serialize")]
    pub from: NaiveDate,
    #[serde(serialize_with = "super::iso_date::serialize")]
    pub to: NaiveDate,
}

/// The counts the decision used.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Counts {
    pub total: u64,
    pub sensitive: u64,
    pub sensitive_id_number_only: u64,
    pub id_number_sensitive: bool,
    /// Group counts. `exact` is false where the totals gave no count for the group, so the
    /// largest count of one of its elements is used as a lower bound.
    pub groups: BTreeMap<String, GroupCount>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct GroupCount {
    pub count: u64,
    pub exact: bool,
}

/// A duty that remains whatever the procedure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ObligationNote {
    pub id: String,
    pub text: String,
    pub basis: String,
}

/// The procedure a transfer requires, why, and how close it is to the next one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decision {
    pub outcome: Outcome,
    /// The pack of the rule that decided.
    pub pack: String,
    /// The rule that decided, as `pack/rule`; `pack/no-band-met` when no band was met.
    pub rule: String,
    /// The rules behind the outcome, the deciding one first.
    pub reasons: Vec<Reason>,
    pub headroom: Vec<Headroom>,
    /// Whether the decision relies on a figure not confirmed against the official text.
    pub unverified: bool,
    pub unverified_figures: Vec<String>,
    /// The national outcome for personal information, shown whenever the handler is in a zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national_outcome: Option<Outcome>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub national_reasons: Vec<Reason>,
    /// The outcome the zone list's bands gave, before the national comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_outcome: Option<Outcome>,
    /// Packs consulted: the national edition, then the zone edition.
    pub packs: Vec<String>,
    pub profile: Profile,
    pub counting_window: Window,
    pub counts: Counts,
    /// Zone bands that were stricter than the national outcome and so did not apply.
    pub conflicts: Vec<String>,
    /// Places where the zone list gives no band and the national rule applied.
    pub fallbacks: Vec<String>,
    pub notes: Vec<String>,
    pub obligations: Vec<ObligationNote>,
}

/// Returns a message when the totals contradict themselves.
pub fn check_totals(totals: &Individuals) -> Result<(), String> {
    let total = totals.total;
    let mut problems = Vec::new();
    if totals.sensitive > total {
        problems.push(format!(
            "sensitive ({}) exceeds total ({total})",
            totals.sensitive
        ));
    }
    if totals.sensitive_id_number_only > total {
        problems.push(format!(
            "sensitive_id_number_only ({}) exceeds total ({total})",
            totals.sensitive_id_number_only
        ));
    }
    for (group, count) in &totals.by_group {
        if *count > total {
            problems.push(format!(
                "by_group.{group} ({count}) exceeds total ({total})"
            ));
        }
    }
    for (element, count) in &totals.by_element {
        if *count > total {
            problems.push(format!(
                "by_element.{element} ({count}) exceeds total ({total})"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: each count is of distinct people, so none can exceed total",
            problems.join("; ")
        ))
    }
}

/// Formats a count with thousands separators (4812337 → "4,812,337"), as the reports print
/// counts; a dependency would be larger than these lines.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(4_812_337), "4,812,337");
        assert_eq!(thousands(100_000), "100,000");
    }
}
