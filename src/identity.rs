//! Distinct individuals: linking records of one person through shared keys across files,
//! and counting people, sensitive people and minors.

use std::collections::BTreeMap;

/// Totals of distinct individuals: the `individuals` object of the JSON report and the input
/// of the rules engine.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Individuals {
    /// Distinct people: linked people plus one per record without a usable key.
    pub total: u64,
    /// People with any sensitive element (or younger than 14).
    pub sensitive: u64,
    /// Records with personal data but no usable linking key, each counted as one person.
    pub unlinked_records: u64,
    pub minors_under_14: u64,
    /// Merges refused because two records carried different valid resident IDs.
    pub conflicts: u64,
    /// Distinct people per element id.
    pub by_element: BTreeMap<String, u64>,
    /// Distinct people per named element group of the loaded rule packs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_group: BTreeMap<String, u64>,
    /// People whose only sensitive element is an identity document number, counted apart
    /// because the 2024 TC260 guide no longer treats those numbers as sensitive.
    #[serde(default)]
    pub sensitive_id_number_only: u64,
    /// Set in a totals file for `decide` when the transfer contains important data.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub important_data: bool,
}
