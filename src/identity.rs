//! Distinct individuals: linking records of one person through shared keys across files,
//! and counting people, sensitive people and minors.

use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// `total` plus the rows whose second value of a linking element (an emergency
    /// contact's phone) may belong to a further person.
    #[serde(default)]
    pub upper_bound: u64,
    /// Valid resident IDs whose records were kept apart from a record with another resident
    /// ID although they shared a key: the resident IDs linked by shared keys, minus one per
    /// group of linked ones. Counted over all links, so the order of records and files never
    /// changes it.
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

/// Element presence of one record or person: bit `i` is element `i` of the element pack.
pub type ElementSet = u128;

/// Maximum number of elements an `ElementSet` can represent.
pub const MAX_ELEMENTS: usize = 128;

/// A linking key: a keyed 64-bit hash of (element namespace, normalised value). Raw values
/// never enter the index.
pub type KeyHash = u64;

/// Hashes normalised linking keys with a per-scan random key, so that the index contains no
/// value that could be reversed by hashing every possible ID number with a known function.
/// aHash with random keys is not a cryptographic MAC, but its keys live only in this
/// process's memory.
#[derive(Clone, Default)]
pub struct KeyHasher {
    state: ahash::RandomState,
}

impl KeyHasher {
    pub fn new() -> KeyHasher {
        KeyHasher::default()
    }

    /// Hashes `value` within `namespace` (the element index), so that equal strings of two
    /// elements (a member number and a medical record number) never link.
    pub fn hash(&self, namespace: usize, value: &str) -> KeyHash {
        self.state.hash_one((namespace as u32, value))
    }
}

/// Facts one record adds to its person.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RecordFacts {
    pub elements: ElementSet,
    /// Younger than 14 on the as-of date, from a birth date or the date in an ID number.
    pub minor: bool,
}

/// One record's linking keys. `anchor` is the key of a valid resident ID, which marks the
/// record's person: two different anchors are never merged.
#[derive(Debug, Clone, Default)]
pub struct RecordKeys {
    pub anchor: Option<KeyHash>,
    pub others: Vec<KeyHash>,
}

impl RecordKeys {
    pub fn clear(&mut self) {
        self.anchor = None;
        self.others.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.anchor.is_none() && self.others.is_empty()
    }
}

const NO_ANCHOR: u32 = u32::MAX;

type KeyMap = HashMap<KeyHash, u32, nohash_hasher::BuildNoHashHasher<KeyHash>>;

/// Union-find over linking keys with the facts of each person at the root.
///
/// Element sets are interned, so a node stores a 2-byte set id instead of 16 bytes; an
/// export has few distinct combinations of elements.
#[derive(Default)]
pub struct PeopleIndex {
    nodes: KeyMap,
    parent: Vec<u32>,
    /// Node index of the resident-ID key in the node's component, or `NO_ANCHOR`.
    anchor: Vec<u32>,
    set_id: Vec<u32>,
    minor: Vec<bool>,
    sets: Vec<ElementSet>,
    set_ids: HashMap<ElementSet, u32>,
    unlinked_tally: HashMap<RecordFacts, u64>,
    /// A second union-find over the same nodes that follows every link, refused ones
    /// included; its components count the conflicts.
    graph_parent: Vec<u32>,
}

// `RecordFacts` is a map key for the unlinked tally.
impl Eq for RecordFacts {}
impl std::hash::Hash for RecordFacts {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.elements.hash(state);
        self.minor.hash(state);
    }
}

impl PeopleIndex {
    pub fn new() -> PeopleIndex {
        PeopleIndex::default()
    }

    /// Adds one record: links its keys into one person (unless two resident IDs conflict)
    /// and adds its facts to that person. A record without keys is one unlinked person.
    pub fn add_record(&mut self, keys: &RecordKeys, facts: RecordFacts) {
        if keys.is_empty() {
            *self.unlinked_tally.entry(facts).or_insert(0) += 1;
            return;
        }
        let first = match keys.anchor {
            Some(anchor) => {
                let node = self.node(anchor);
                self.anchor[node as usize] = node;
                node
            }
            None => self.node(keys.others[0]),
        };
        for &key in &keys.others {
            let node = self.node(key);
            self.union(first, node);
            self.graph_union(first, node);
        }
        let root = self.find(first);
        self.add_facts(root, facts);
    }

    /// Merges another index into this one, component by component, as if its records had
    /// been added here. The smaller index is merged into the larger one.
    pub fn merge(&mut self, mut other: PeopleIndex) {
        if other.parent.len() > self.parent.len() {
            std::mem::swap(self, &mut other);
        }
        // The index keeps no node-to-key table (it would cost 8 bytes a key), so the
        // components are rebuilt from the key map: (root, node, key), grouped by root.
        let nodes = std::mem::take(&mut other.nodes);
        let mut members: Vec<(u32, u32, KeyHash)> = nodes
            .into_iter()
            .map(|(key, node)| (other.find(node), node, key))
            .collect();
        members.sort_unstable();
        let mut key_of = vec![0; other.parent.len()];
        for &(_, node, key) in &members {
            key_of[node as usize] = key;
        }
        let mut record = RecordKeys::default();
        for component in members.chunk_by(|a, b| a.0 == b.0) {
            let root = component[0].0;
            record.clear();
            let anchor_node = other.anchor[root as usize];
            for &(_, node, key) in component {
                if node == anchor_node {
                    record.anchor = Some(key);
                } else {
                    record.others.push(key);
                }
            }
            let facts = RecordFacts {
                elements: other.sets[other.set_id[root as usize] as usize],
                minor: other.minor[root as usize],
            };
            self.add_record(&record, facts);
        }
        for (facts, count) in other.unlinked_tally.drain() {
            *self.unlinked_tally.entry(facts).or_insert(0) += count;
        }
        // Links that `other` refused are kept in its graph and must join this one.
        for node in 0..other.graph_parent.len() as u32 {
            let graph_root = other.graph_find(node);
            if graph_root != node {
                let a = self.node(key_of[node as usize]);
                let b = self.node(key_of[graph_root as usize]);
                self.graph_union(a, b);
            }
        }
    }

    /// Counts distinct people. `sensitive` is the set of elements that make a person
    /// sensitive, `id_numbers` the identity-document elements counted apart, and `groups`
    /// named element sets counted into `by_group`.
    pub fn totals(
        &mut self,
        element_ids: &[String],
        sensitive: ElementSet,
        id_numbers: ElementSet,
        groups: &[(String, ElementSet)],
    ) -> Individuals {
        let mut people: Vec<(RecordFacts, u64)> = Vec::new();
        for node in 0..self.parent.len() as u32 {
            if self.parent[node as usize] == node {
                let facts = RecordFacts {
                    elements: self.sets[self.set_id[node as usize] as usize],
                    minor: self.minor[node as usize],
                };
                people.push((facts, 1));
            }
        }
        let linked = people.len() as u64;
        let unlinked_records: u64 = self.unlinked_tally.values().sum();
        people.extend(
            self.unlinked_tally
                .iter()
                .map(|(facts, count)| (*facts, *count)),
        );

        let mut totals = Individuals {
            total: linked + unlinked_records,
            unlinked_records,
            conflicts: self.count_conflicts(),
            ..Individuals::default()
        };
        for (name, _) in groups {
            totals.by_group.insert(name.clone(), 0);
        }
        let all_sensitive = sensitive | id_numbers;
        for (facts, count) in people {
            if facts.elements & sensitive != 0 || facts.minor {
                totals.sensitive += count;
            }
            if facts.minor {
                totals.minors_under_14 += count;
            }
            let sensitive_elements = facts.elements & all_sensitive;
            if !facts.minor && sensitive_elements != 0 && sensitive_elements & !id_numbers == 0 {
                totals.sensitive_id_number_only += count;
            }
            for (bit, id) in element_ids.iter().enumerate().take(MAX_ELEMENTS) {
                if facts.elements & (1u128 << bit) != 0 {
                    *totals.by_element.entry(id.clone()).or_insert(0) += count;
                }
            }
            for (name, mask) in groups {
                if facts.elements & mask != 0 {
                    *totals.by_group.entry(name.clone()).or_insert(0) += count;
                }
            }
        }
        totals
    }

    fn node(&mut self, key: KeyHash) -> u32 {
        if let Some(&node) = self.nodes.get(&key) {
            return node;
        }
        let node = self.parent.len() as u32;
        self.nodes.insert(key, node);
        self.parent.push(node);
        self.graph_parent.push(node);
        self.anchor.push(NO_ANCHOR);
        let empty = self.intern(0);
        self.set_id.push(empty);
        self.minor.push(false);
        node
    }

    fn graph_find(&mut self, mut node: u32) -> u32 {
        while self.graph_parent[node as usize] != node {
            let grandparent = self.graph_parent[self.graph_parent[node as usize] as usize];
            self.graph_parent[node as usize] = grandparent;
            node = grandparent;
        }
        node
    }

    fn graph_union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.graph_find(a), self.graph_find(b));
        if ra != rb {
            let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.graph_parent[child as usize] = root;
        }
    }

    /// Counts the resident IDs that links would have merged into another one: the anchor
    /// nodes minus the link-graph components that contain one.
    fn count_conflicts(&mut self) -> u64 {
        let mut anchors = 0u64;
        let mut anchored_components = HashSet::new();
        for node in 0..self.parent.len() as u32 {
            if self.anchor[node as usize] == node {
                anchors += 1;
                anchored_components.insert(self.graph_find(node));
            }
        }
        anchors - anchored_components.len() as u64
    }

    fn find(&mut self, mut node: u32) -> u32 {
        // Path halving keeps trees shallow without recursion.
        while self.parent[node as usize] != node {
            let grandparent = self.parent[self.parent[node as usize] as usize];
            self.parent[node as usize] = grandparent;
            node = grandparent;
        }
        node
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (anchor_a, anchor_b) = (self.anchor[ra as usize], self.anchor[rb as usize]);
        if anchor_a != NO_ANCHOR && anchor_b != NO_ANCHOR {
            return;
        }
        // The lower node index becomes the root, which keeps results independent of hashing.
        let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[child as usize] = root;
        self.anchor[root as usize] = if anchor_a != NO_ANCHOR {
            anchor_a
        } else {
            anchor_b
        };
        let facts = RecordFacts {
            elements: self.sets[self.set_id[child as usize] as usize],
            minor: self.minor[child as usize],
        };
        self.add_facts(root, facts);
    }

    fn add_facts(&mut self, root: u32, facts: RecordFacts) {
        let current = self.sets[self.set_id[root as usize] as usize];
        let merged = current | facts.elements;
        if merged != current {
            self.set_id[root as usize] = self.intern(merged);
        }
        self.minor[root as usize] |= facts.minor;
    }

    fn intern(&mut self, set: ElementSet) -> u32 {
        if let Some(&id) = self.set_ids.get(&set) {
            return id;
        }
        let id = self.sets.len() as u32;
        self.sets.push(set);
        self.set_ids.insert(set, id);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: ElementSet = 1 << 0;
    const ID: ElementSet = 1 << 1;
    const PHONE: ElementSet = 1 << 2;

    fn ids() -> Vec<String> {
        vec![
            "person_name".into(),
            "resident_id".into(),
            "mobile_phone".into(),
        ]
    }

    fn record(anchor: Option<u64>, others: &[u64]) -> RecordKeys {
        RecordKeys {
            anchor,
            others: others.to_vec(),
        }
    }

    fn facts(elements: ElementSet) -> RecordFacts {
        RecordFacts {
            elements,
            minor: false,
        }
    }

    #[test]
    fn shared_phone_links_two_records() {
        let mut index = PeopleIndex::new();
        index.add_record(&record(Some(1), &[10]), facts(NAME | ID | PHONE));
        index.add_record(&record(None, &[10]), facts(NAME | PHONE));
        let totals = index.totals(&ids(), ID, 0, &[]);
        assert_eq!(totals.total, 1);
        assert_eq!(totals.sensitive, 1);
    }

    #[test]
    fn links_are_transitive() {
        let mut index = PeopleIndex::new();
        index.add_record(&record(None, &[10, 20]), facts(PHONE));
        index.add_record(&record(None, &[30]), facts(PHONE));
        index.add_record(&record(None, &[20, 30]), facts(PHONE));
        assert_eq!(index.totals(&ids(), ID, 0, &[]).total, 1);
    }

    #[test]
    fn different_ids_sharing_a_phone_stay_apart() {
        let mut index = PeopleIndex::new();
        index.add_record(&record(Some(1), &[10]), facts(ID | PHONE));
        index.add_record(&record(Some(2), &[10]), facts(ID | PHONE));
        let totals = index.totals(&ids(), ID, 0, &[]);
        assert_eq!(totals.total, 2);
        assert_eq!(totals.conflicts, 1);
    }

    #[test]
    fn conflicts_do_not_depend_on_order() {
        // Resident IDs 1, 2 and 3 share phone 10 or 20; whichever comes first keeps them.
        let records = [
            record(Some(1), &[20]),
            record(Some(2), &[10]),
            record(Some(2), &[20]),
            record(Some(1), &[10]),
            record(Some(3), &[10]),
        ];
        for order in [[0, 1, 2, 3, 4], [4, 1, 3, 0, 2], [2, 4, 0, 3, 1]] {
            let mut index = PeopleIndex::new();
            for i in order {
                index.add_record(&records[i], facts(ID | PHONE));
            }
            let totals = index.totals(&ids(), ID, 0, &[]);
            assert_eq!(totals.total, 3, "order {order:?}");
            assert_eq!(totals.conflicts, 2, "order {order:?}");
        }
    }

    #[test]
    fn records_without_keys_count_one_each() {
        let mut index = PeopleIndex::new();
        index.add_record(&record(None, &[]), facts(NAME));
        index.add_record(&record(None, &[]), facts(NAME));
        index.add_record(&record(None, &[10]), facts(PHONE));
        let totals = index.totals(&ids(), ID, 0, &[]);
        assert_eq!(totals.total, 3);
        assert_eq!(totals.unlinked_records, 2);
        assert_eq!(totals.by_element["person_name"], 2);
        assert_eq!(totals.by_element["mobile_phone"], 1);
    }

    #[test]
    fn minors_are_sensitive() {
        let mut index = PeopleIndex::new();
        index.add_record(
            &record(None, &[10]),
            RecordFacts {
                elements: PHONE,
                minor: true,
            },
        );
        let totals = index.totals(&ids(), ID, 0, &[]);
        assert_eq!(totals.minors_under_14, 1);
        assert_eq!(totals.sensitive, 1);
    }

    #[test]
    fn id_number_only_people_counted_apart() {
        let mut index = PeopleIndex::new();
        index.add_record(&record(Some(1), &[]), facts(ID | NAME));
        index.add_record(&record(None, &[10]), facts(PHONE));
        let totals = index.totals(&ids(), 0, ID, &[]);
        assert_eq!(totals.sensitive, 0);
        assert_eq!(totals.sensitive_id_number_only, 1);
    }

    #[test]
    fn groups_count_people_with_any_member() {
        let mut index = PeopleIndex::new();
        index.add_record(&record(Some(1), &[]), facts(ID));
        index.add_record(&record(None, &[10]), facts(PHONE));
        index.add_record(&record(None, &[20]), facts(NAME));
        let groups = vec![("ids_or_phones".to_string(), ID | PHONE)];
        let totals = index.totals(&ids(), ID, 0, &groups);
        assert_eq!(totals.by_group["ids_or_phones"], 2);
    }

    #[test]
    fn merge_equals_adding_records_to_one_index() {
        let records = [
            (record(Some(1), &[10]), facts(ID | PHONE)),
            (record(None, &[10, 20]), facts(PHONE | NAME)),
            (record(Some(2), &[20]), facts(ID)),
            (record(None, &[30]), facts(PHONE)),
            (record(None, &[]), facts(NAME)),
        ];
        let mut single = PeopleIndex::new();
        for (keys, f) in &records {
            single.add_record(keys, *f);
        }
        let mut left = PeopleIndex::new();
        let mut right = PeopleIndex::new();
        for (i, (keys, f)) in records.iter().enumerate() {
            if i % 2 == 0 {
                left.add_record(keys, *f);
            } else {
                right.add_record(keys, *f);
            }
        }
        left.merge(right);
        let expected = single.totals(&ids(), ID, 0, &[]);
        let merged = left.totals(&ids(), ID, 0, &[]);
        assert_eq!(merged.total, expected.total);
        assert_eq!(merged.sensitive, expected.sensitive);
        assert_eq!(merged.conflicts, expected.conflicts);
        assert_eq!(merged.by_element, expected.by_element);
    }
}
