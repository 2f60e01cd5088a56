//! Distinct individuals: linking records of one person through shared keys across files,
//! and counting people, sensitive people and minors.

use std::collections::{BTreeMap, HashMap};

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

/// Records whose keys are hashed but not yet linked, in the order they were read: what a
/// thread that parses part of a file hands to the thread that links.
#[derive(Debug, Default)]
pub struct RecordBatch {
    keys: Vec<KeyHash>,
    records: Vec<BatchRecord>,
}

#[derive(Debug, Clone, Copy)]
struct BatchRecord {
    facts: RecordFacts,
    /// Keys of this record in `RecordBatch::keys`, the anchor first when there is one.
    key_count: u32,
    has_anchor: bool,
}

impl RecordBatch {
    pub fn new() -> RecordBatch {
        RecordBatch::default()
    }

    pub fn push(&mut self, keys: &RecordKeys, facts: RecordFacts) {
        self.keys.extend(keys.anchor);
        self.keys.extend_from_slice(&keys.others);
        self.records.push(BatchRecord {
            facts,
            key_count: (keys.others.len() + usize::from(keys.anchor.is_some())) as u32,
            has_anchor: keys.anchor.is_some(),
        });
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Appends the records of a later batch.
    pub fn append(&mut self, mut later: RecordBatch) {
        self.keys.append(&mut later.keys);
        self.records.append(&mut later.records);
    }
}

/// Number of independent key tables. Each grows on its own, so growing one copies a
/// sixty-fourth of the keys instead of holding two whole tables at once.
const SHARDS: usize = 64;

/// A key and its node in 12 bytes with 4-byte alignment, where a `(u64, u32)` pair takes 16.
type Slot = [u32; 3];

fn slot_key(slot: &Slot) -> KeyHash {
    u64::from(slot[0]) | (u64::from(slot[1]) << 32)
}

/// Returns the table hash of a key. Keys are already keyed hashes, so their bits are used
/// as they are, rotated so that the top bits, which choose the shard, do not also choose
/// the control tag within it.
fn table_hash(key: KeyHash) -> u64 {
    key.rotate_left(32)
}

/// Maps linking keys to node numbers. hashbrown's `HashTable` is used instead of a
/// `HashMap<u64, u32>` to store 12-byte slots, since at ten million people the table is most
/// of the index's memory.
struct KeyTable {
    shards: Vec<hashbrown::HashTable<Slot>>,
}

impl Default for KeyTable {
    fn default() -> KeyTable {
        KeyTable {
            shards: (0..SHARDS).map(|_| hashbrown::HashTable::new()).collect(),
        }
    }
}

impl KeyTable {
    fn shard(key: KeyHash) -> usize {
        (key >> (64 - SHARDS.trailing_zeros())) as usize
    }

    /// Returns the node of `key`, or inserts `new_node` for it and returns `None`.
    fn get_or_insert(&mut self, key: KeyHash, new_node: u32) -> Option<u32> {
        let shard = &mut self.shards[Self::shard(key)];
        let found = shard.find(table_hash(key), |slot| slot_key(slot) == key);
        if let Some(slot) = found {
            return Some(slot[2]);
        }
        let slot = [key as u32, (key >> 32) as u32, new_node];
        shard.insert_unique(table_hash(key), slot, |slot| table_hash(slot_key(slot)));
        None
    }

    fn get(&self, key: KeyHash) -> Option<u32> {
        self.shards[Self::shard(key)]
            .find(table_hash(key), |slot| slot_key(slot) == key)
            .map(|slot| slot[2])
    }

    /// Removes and returns every (key, node) pair.
    fn drain(&mut self) -> impl Iterator<Item = (KeyHash, u32)> + '_ {
        self.shards
            .iter_mut()
            .flat_map(|shard| shard.drain())
            .map(|slot| (slot_key(&slot), slot[2]))
    }
}

/// Node flags, in the top bits of `Node::meta`. `ANCHOR_KEY`: the node is a resident-ID
/// key. `ANCHORED` (on a root): the component contains a resident-ID key. `MINOR` (on a root):
/// the person is younger than 14.
const ANCHOR_KEY: u32 = 1 << 31;
const ANCHORED: u32 = 1 << 30;
const MINOR: u32 = 1 << 29;
const SET_ID_BITS: u32 = MINOR - 1;

/// One linking key's node: its parent in the union-find, and in `meta` the flags and the
/// interned element set of its person (read at roots). Eight bytes, so that the union-find
/// touches one cache line per node.
#[derive(Clone, Copy)]
struct Node {
    parent: u32,
    meta: u32,
}

/// Union-find over linking keys with the facts of each person at the root.
///
/// A node costs 8 bytes besides its 12-byte key-table slot. Element sets are interned, so a
/// node stores a set id instead of 16 bytes; an export has few distinct combinations of
/// elements.
#[derive(Default)]
pub struct PeopleIndex {
    keys: KeyTable,
    nodes: Vec<Node>,
    sets: Vec<ElementSet>,
    set_ids: rustc_hash::FxHashMap<ElementSet, u32>,
    unlinked_tally: HashMap<RecordFacts, u64>,
    /// Links rejected because both components contained a resident ID, as node pairs. With the
    /// accepted links they make the link graph, whose components count the conflicts.
    rejected: Vec<(u32, u32)>,
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

    /// Number of distinct linking keys.
    pub fn key_count(&self) -> usize {
        self.nodes.len()
    }

    /// Adds one record: links its keys into one person (unless two resident IDs conflict)
    /// and adds its facts to that person. A record without keys is one unlinked person.
    pub fn add_record(&mut self, keys: &RecordKeys, facts: RecordFacts) {
        self.add_keys(keys.anchor, &keys.others, facts);
    }

    /// Adds the records of a batch in their order, as `add_record` would.
    pub fn add_batch(&mut self, batch: &RecordBatch) {
        let mut keys = batch.keys.as_slice();
        for record in &batch.records {
            let (own, rest) = keys.split_at((record.key_count as usize).min(keys.len()));
            keys = rest;
            match (record.has_anchor, own.split_first()) {
                (true, Some((&anchor, others))) => {
                    self.add_keys(Some(anchor), others, record.facts)
                }
                _ => self.add_keys(None, own, record.facts),
            }
        }
    }

    fn add_keys(&mut self, anchor: Option<KeyHash>, others: &[KeyHash], facts: RecordFacts) {
        let first = match (anchor, others.first()) {
            (Some(anchor), _) => {
                let node = self.node(anchor);
                self.nodes[node as usize].meta |= ANCHOR_KEY;
                let root = self.find(node);
                self.nodes[root as usize].meta |= ANCHORED;
                node
            }
            (None, Some(&key)) => self.node(key),
            (None, None) => {
                *self.unlinked_tally.entry(facts).or_insert(0) += 1;
                return;
            }
        };
        for &key in others {
            let node = self.node(key);
            self.union(first, node);
        }
        let root = self.find(first);
        self.add_facts(root, facts);
    }

    /// Merges another index into this one, component by component, as if its records had
    /// been added here. The smaller index is merged into the larger one.
    pub fn merge(&mut self, mut other: PeopleIndex) {
        if other.nodes.len() > self.nodes.len() {
            std::mem::swap(self, &mut other);
        }
        // The index keeps no node-to-key table (it would cost 8 bytes a key), so the
        // components are rebuilt from the key table: (root, node, key), grouped by root.
        let mut keys = std::mem::take(&mut other.keys);
        let mut members: Vec<(u32, u32, KeyHash)> = Vec::with_capacity(other.nodes.len());
        for (key, node) in keys.drain() {
            members.push((other.find(node), node, key));
        }
        drop(keys);
        members.sort_unstable();
        let mut record = RecordKeys::default();
        for component in members.chunk_by(|a, b| a.0 == b.0) {
            let root = component[0].0;
            record.clear();
            for &(_, node, key) in component {
                if other.nodes[node as usize].meta & ANCHOR_KEY != 0 {
                    record.anchor = Some(key);
                } else {
                    record.others.push(key);
                }
            }
            let facts = RecordFacts {
                elements: other.set_of(root),
                minor: other.nodes[root as usize].meta & MINOR != 0,
            };
            self.add_record(&record, facts);
        }
        for (facts, count) in other.unlinked_tally.drain() {
            *self.unlinked_tally.entry(facts).or_insert(0) += count;
        }
        // Links that `other` rejected join this index's link graph.
        if !other.rejected.is_empty() {
            let mut key_of = vec![0; other.nodes.len()];
            for &(_, node, key) in &members {
                key_of[node as usize] = key;
            }
            for &(a, b) in &other.rejected {
                let (a, b) = (key_of[a as usize], key_of[b as usize]);
                if let (Some(a), Some(b)) = (self.keys.get(a), self.keys.get(b)) {
                    self.rejected.push((a, b));
                }
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
        for node in 0..self.nodes.len() as u32 {
            if self.nodes[node as usize].parent == node {
                let facts = RecordFacts {
                    elements: self.set_of(node),
                    minor: self.nodes[node as usize].meta & MINOR != 0,
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
        let next = self.nodes.len() as u32;
        if let Some(node) = self.keys.get_or_insert(key, next) {
            return node;
        }
        let empty = self.intern(0);
        self.nodes.push(Node {
            parent: next,
            meta: empty,
        });
        next
    }

    /// Counts the resident IDs that links would have merged into another one: the resident-ID
    /// keys minus the components of the link graph that hold one. Every component of the
    /// index contains at most one, and a rejected link joins two that both contain one, so each
    /// rejected link that joins two graph components not yet joined is one conflict.
    fn count_conflicts(&mut self) -> u64 {
        // A small union-find over the roots that rejected links touch, kept as child-to-parent
        // entries (a root has none).
        let mut graph: HashMap<u32, u32> = HashMap::new();
        fn graph_find(graph: &mut HashMap<u32, u32>, node: u32) -> u32 {
            let mut root = node;
            while let Some(&parent) = graph.get(&root) {
                root = parent;
            }
            let mut current = node;
            while let Some(&parent) = graph.get(&current) {
                if parent != root {
                    graph.insert(current, root);
                }
                current = parent;
            }
            root
        }
        let mut conflicts = 0;
        for i in 0..self.rejected.len() {
            let (a, b) = self.rejected[i];
            let (a, b) = (self.find(a), self.find(b));
            let (a, b) = (graph_find(&mut graph, a), graph_find(&mut graph, b));
            if a != b {
                let (root, child) = if a < b { (a, b) } else { (b, a) };
                graph.insert(child, root);
                conflicts += 1;
            }
        }
        conflicts
    }

    fn find(&mut self, mut node: u32) -> u32 {
        // Path halving keeps trees shallow without recursion.
        loop {
            let parent = self.nodes[node as usize].parent;
            if parent == node {
                return node;
            }
            let grandparent = self.nodes[parent as usize].parent;
            self.nodes[node as usize].parent = grandparent;
            node = grandparent;
        }
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (meta_a, meta_b) = (self.nodes[ra as usize].meta, self.nodes[rb as usize].meta);
        if meta_a & meta_b & ANCHORED != 0 {
            if self.rejected.last() != Some(&(ra, rb)) {
                self.rejected.push((ra, rb));
            }
            return;
        }
        // The lower node index becomes the root, which keeps results independent of hashing.
        let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.nodes[child as usize].parent = root;
        self.nodes[root as usize].meta |= (meta_a | meta_b) & ANCHORED;
        let facts = RecordFacts {
            elements: self.set_of(child),
            minor: self.nodes[child as usize].meta & MINOR != 0,
        };
        self.add_facts(root, facts);
    }

    fn add_facts(&mut self, root: u32, facts: RecordFacts) {
        let current = self.set_of(root);
        let merged = current | facts.elements;
        if merged != current {
            let id = self.intern(merged);
            let node = &mut self.nodes[root as usize];
            node.meta = (node.meta & !SET_ID_BITS) | id;
        }
        if facts.minor {
            self.nodes[root as usize].meta |= MINOR;
        }
    }

    fn set_of(&self, node: u32) -> ElementSet {
        self.sets[(self.nodes[node as usize].meta & SET_ID_BITS) as usize]
    }

    fn intern(&mut self, set: ElementSet) -> u32 {
        if let Some(&id) = self.set_ids.get(&set) {
            return id;
        }
        let id = self.sets.len() as u32;
        if id > SET_ID_BITS {
            // 2^29 distinct element sets would take over 20 GB of this table before a node
            // could need more id bits. Should it happen, the person gets every element: an
            // overcount, the side that never understates the procedure a transfer needs.
            return self.intern_all();
        }
        self.sets.push(set);
        self.set_ids.insert(set, id);
        id
    }

    fn intern_all(&mut self) -> u32 {
        match self.set_ids.get(&ElementSet::MAX) {
            Some(&id) => id,
            None => {
                let last = self.sets.len() - 1;
                self.sets[last] = ElementSet::MAX;
                self.set_ids.retain(|_, id| *id as usize != last);
                self.set_ids.insert(ElementSet::MAX, last as u32);
                last as u32
            }
        }
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

    #[test]
    fn batch_links_like_single_records() {
        let records = [
            (record(Some(1), &[10]), facts(ID | PHONE)),
            (record(None, &[]), facts(NAME)),
            (record(None, &[10, 20]), facts(PHONE | NAME)),
            (record(Some(2), &[20]), facts(ID)),
            (record(Some(3), &[]), facts(ID)),
        ];
        let mut single = PeopleIndex::new();
        let mut batch = RecordBatch::new();
        for (keys, f) in &records {
            single.add_record(keys, *f);
            batch.push(keys, *f);
        }
        let mut batched = PeopleIndex::new();
        batched.add_batch(&batch);
        let expected = single.totals(&ids(), ID, 0, &[]);
        assert_eq!(batched.totals(&ids(), ID, 0, &[]), expected);
        assert_eq!(expected.total, 4);
        assert_eq!(expected.conflicts, 1);
    }

    #[test]
    fn merge_keeps_conflicts_found_in_the_merged_index() {
        // The smaller index contains the conflict, and merging it keeps the rejected link.
        let mut small = PeopleIndex::new();
        small.add_record(&record(Some(1), &[10]), facts(ID | PHONE));
        small.add_record(&record(Some(2), &[10]), facts(ID | PHONE));
        let mut large = PeopleIndex::new();
        for key in 100..110 {
            large.add_record(&record(None, &[key]), facts(PHONE));
        }
        large.merge(small);
        let totals = large.totals(&ids(), ID, 0, &[]);
        assert_eq!(totals.total, 12);
        assert_eq!(totals.conflicts, 1);
    }

    #[test]
    fn repeated_refused_links_count_once() {
        let mut index = PeopleIndex::new();
        for _ in 0..3 {
            index.add_record(&record(Some(1), &[10]), facts(ID | PHONE));
            index.add_record(&record(Some(2), &[10]), facts(ID | PHONE));
            index.add_record(&record(Some(3), &[10]), facts(ID | PHONE));
        }
        let totals = index.totals(&ids(), ID, 0, &[]);
        assert_eq!(totals.total, 3);
        assert_eq!(totals.conflicts, 2);
    }
}
