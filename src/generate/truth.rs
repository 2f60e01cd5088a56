//! Ground truth of a generated export: the expected column tags of every table and the
//! expected counts of distinct individuals.
//!
//! The counts come from running union-find over the rendered values after normalising
//! them, exactly as the counting rules describe, not from the master list. Two people who
//! happened to share a key would therefore be counted as one, as a scanner counts them.
//! This union-find is written apart from `identity::PeopleIndex` on purpose: the truth is
//! what the scanner's tests compare against, so it must not share the code under test.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use super::GenerateError;
use super::people::birth_is_minor;
use crate::identity::Individuals;
use crate::validate;

/// The data elements that generated columns hold, with the ids that scan reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Element {
    PersonName,
    Gender,
    BirthDate,
    MobilePhone,
    Email,
    Address,
    ResidentId,
    BankCard,
    MemberNo,
    MedicalRecordNo,
    Diagnosis,
}

impl Element {
    pub const ALL: [Element; 11] = [
        Element::PersonName,
        Element::Gender,
        Element::BirthDate,
        Element::MobilePhone,
        Element::Email,
        Element::Address,
        Element::ResidentId,
        Element::BankCard,
        Element::MemberNo,
        Element::MedicalRecordNo,
        Element::Diagnosis,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Element::PersonName => "person_name",
            Element::Gender => "gender",
            Element::BirthDate => "birth_date",
            Element::MobilePhone => "mobile_phone",
            Element::Email => "email",
            Element::Address => "address",
            Element::ResidentId => "resident_id",
            Element::BankCard => "bank_card",
            Element::MemberNo => "member_id",
            Element::MedicalRecordNo => "medical_record_no",
            Element::Diagnosis => "diagnosis",
        }
    }

    /// Sensitive personal information under PIPL Art. 28 and GB/T 35273 Annex B.
    pub fn is_sensitive(self) -> bool {
        matches!(
            self,
            Element::ResidentId | Element::BankCard | Element::MedicalRecordNo | Element::Diagnosis
        )
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

const SENSITIVE_BITS: u32 = Element::ResidentId.bit()
    | Element::BankCard.bit()
    | Element::MedicalRecordNo.bit()
    | Element::Diagnosis.bit();
/// Set on a node when a row linked to it shows a person younger than 14.
const MINOR_BIT: u32 = 1 << 31;

/// Province-level prefixes that GB/T 2260 assigns (including 71, 81, 82).
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// Expected scan result for one generated export directory.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroundTruth {
    /// Version of this file's layout; raised when fields change meaning.
    pub format_version: u32,
    pub config: super::GenerateConfig,
    /// Distinct individuals as a scan must count them.
    pub individuals: Individuals,
    /// Size of the master list the rows were drawn from.
    pub master_people: u64,
    /// Master-list people who appear in at least one row with a usable linking key.
    pub people_appearing: u64,
    /// Every generated file, in generation order.
    pub files: Vec<FileTruth>,
}

/// Expected facts about one generated file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileTruth {
    /// Path relative to the output directory, with `/` separators.
    pub path: String,
    pub format: crate::read::Format,
    /// Text encoding label (`utf-8`, `gb18030`); `None` for workbooks.
    pub encoding: Option<String>,
    /// Whether a text file starts with a byte order mark.
    pub bom: bool,
    pub delimiter: Option<char>,
    /// `"lf"` or `"crlf"` for delimited text.
    pub line_ending: Option<String>,
    /// Tables of the file; empty for a file that is not a table (a README).
    pub tables: Vec<TableTruth>,
}

/// Expected facts about one table (a delimited file or one sheet).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TableTruth {
    /// Sheet name; `None` for delimited text.
    pub sheet: Option<String>,
    /// Absolute 0-based row of the header.
    pub header_row: u64,
    /// Absolute 0-based column of the first table column (1 when the table starts at B).
    pub first_column: u32,
    /// Data rows, which directly follow the header.
    pub data_rows: u64,
    /// Data rows with personal data but no usable linking key.
    pub unlinked_rows: u64,
    pub columns: Vec<ColumnTruth>,
}

/// Expected tag of one column.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnTruth {
    /// Absolute 0-based column index.
    pub index: u32,
    /// Column letter for sheets (`B`), `None` for delimited text.
    pub letter: Option<String>,
    pub header: String,
    /// Element id, or `None` for a column without personal data.
    pub element: Option<String>,
    /// Values were built to resemble personal data (order numbers that pass the ID check,
    /// 13-digit timestamps, EAN-13 barcodes).
    pub decoy: bool,
}

/// Key spaces: resident IDs, mobiles and cards are numbers; emails, member numbers and
/// medical record numbers are text. Each element links only within its own space.
const ID_SPACE: u8 = 0;
const MOBILE_SPACE: u8 = 1;
const CARD_SPACE: u8 = 2;
const NUMERIC_SPACES: usize = 3;

fn text_space(element: Element) -> Option<u8> {
    match element {
        Element::Email => Some(0),
        Element::MemberNo => Some(1),
        Element::MedicalRecordNo => Some(2),
        _ => None,
    }
}
const TEXT_SPACES: usize = 3;

/// A normalised linking key; text keys point into `RowBatch::text`.
#[derive(Debug, Clone, Copy)]
enum LinkKey {
    Numeric { space: u8, value: u64 },
    Text { space: u8, start: u32, end: u32 },
}

#[derive(Debug, Clone, Copy)]
struct BatchRow {
    person: u32,
    bits: u32,
    keys_end: u32,
}

/// The linking facts of a run of rendered rows: the elements that each row contains and
/// its normalised keys. Rows are extracted where they are rendered and linked by a
/// `TruthBuilder` on another thread.
#[derive(Debug, Default)]
pub struct RowBatch {
    rows: Vec<BatchRow>,
    keys: Vec<LinkKey>,
    text: String,
}

/// Location of a row (file, sheet, absolute row index), for error messages.
pub struct RowOrigin<'a> {
    pub file: &'a str,
    pub sheet: Option<&'a str>,
    pub row: u64,
}

impl RowBatch {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.keys.clear();
        self.text.clear();
    }

    /// Adds one rendered row: `cells` pairs each column's element with its value, `person`
    /// is the master-list index the row was rendered from. Returns whether the row has
    /// personal data but no usable key. Fails when an unmasked value of a linking element
    /// does not normalise, which only a generator bug can cause.
    pub fn push_row<'v>(
        &mut self,
        cells: impl Iterator<Item = (Option<Element>, &'v str)>,
        person: usize,
        as_of: NaiveDate,
        origin: &RowOrigin,
    ) -> Result<bool, GenerateError> {
        let keys_start = self.keys.len();
        let mut bits = 0u32;
        for (element, value) in cells {
            let Some(element) = element else { continue };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            bits |= element.bit();
            if value.contains('*') {
                // A partial mask shows that the element is present but links nothing.
                continue;
            }
            match element {
                Element::BirthDate => {
                    let birth = parse_birth_date(value).ok_or_else(|| invalid(element, origin))?;
                    if birth_is_minor(birth, as_of) {
                        bits |= MINOR_BIT;
                    }
                }
                Element::ResidentId => {
                    let (value, birth) =
                        resident_id_key(value).ok_or_else(|| invalid(element, origin))?;
                    if birth_is_minor(birth, as_of) {
                        bits |= MINOR_BIT;
                    }
                    self.keys.push(LinkKey::Numeric {
                        space: ID_SPACE,
                        value,
                    });
                }
                Element::MobilePhone => {
                    let value = mobile_key(value).ok_or_else(|| invalid(element, origin))?;
                    self.keys.push(LinkKey::Numeric {
                        space: MOBILE_SPACE,
                        value,
                    });
                }
                Element::BankCard => {
                    let value = bank_card_key(value).ok_or_else(|| invalid(element, origin))?;
                    self.keys.push(LinkKey::Numeric {
                        space: CARD_SPACE,
                        value,
                    });
                }
                Element::Email | Element::MemberNo | Element::MedicalRecordNo => {
                    let start = self.text.len();
                    let space =
                        text_space(element).filter(|_| text_key(element, value, &mut self.text));
                    let space = space.ok_or_else(|| invalid(element, origin))?;
                    self.keys.push(LinkKey::Text {
                        space,
                        start: start as u32,
                        end: self.text.len() as u32,
                    });
                }
                Element::PersonName | Element::Gender | Element::Address | Element::Diagnosis => {}
            }
        }
        if bits == 0 {
            return Ok(false);
        }
        self.rows.push(BatchRow {
            person: person as u32,
            bits,
            keys_end: self.keys.len() as u32,
        });
        Ok(self.keys.len() == keys_start)
    }
}

/// Links rows by their normalised keys with union-find and counts the people.
pub struct TruthBuilder {
    parent: Vec<u32>,
    /// Element bits (and `MINOR_BIT`) of the rows attached to each node.
    node_bits: Vec<u32>,
    /// Nodes that are resident ID keys, for the conflict check.
    id_node: Vec<bool>,
    numeric_keys: [FxHashMap<u64, u32>; NUMERIC_SPACES],
    text_keys: [FxHashMap<Box<str>, u32>; TEXT_SPACES],
    appeared: Vec<bool>,
    unlinked: Individuals,
    row_nodes: Vec<u32>,
}

/// Reserves room for one key per master-list person in a key map on its first insert,
/// which spares the rehashing of a growing map; maps of unused elements stay empty.
fn reserve_on_first_insert<K: std::hash::Hash + Eq>(map: &mut FxHashMap<K, u32>, people: usize) {
    if map.capacity() == 0 {
        map.reserve(people);
    }
}

impl TruthBuilder {
    pub fn new(master_people: usize) -> TruthBuilder {
        TruthBuilder {
            parent: Vec::new(),
            node_bits: Vec::new(),
            id_node: Vec::new(),
            numeric_keys: Default::default(),
            text_keys: Default::default(),
            appeared: vec![false; master_people],
            unlinked: Individuals::default(),
            row_nodes: Vec::new(),
        }
    }

    /// Links every row of `batch` into the people found so far.
    pub fn add_batch(&mut self, batch: &RowBatch) {
        let mut keys_start = 0usize;
        for row in &batch.rows {
            let keys_end = row.keys_end as usize;
            let keys = batch.keys.get(keys_start..keys_end).unwrap_or(&[]);
            keys_start = keys_end;
            if keys.is_empty() {
                count_person(&mut self.unlinked, row.bits);
                self.unlinked.unlinked_records += 1;
                continue;
            }
            self.row_nodes.clear();
            for key in keys {
                let node = match *key {
                    LinkKey::Numeric { space, value } => self.numeric_node(space, value),
                    LinkKey::Text { space, start, end } => {
                        let text = batch.text.get(start as usize..end as usize).unwrap_or("");
                        self.text_node(space, text)
                    }
                };
                self.row_nodes.push(node);
            }
            let first = self.row_nodes[0];
            for index in 1..self.row_nodes.len() {
                let other = self.row_nodes[index];
                self.union(first, other);
            }
            self.node_bits[first as usize] |= row.bits;
            if let Some(seen) = self.appeared.get_mut(row.person as usize) {
                *seen = true;
            }
        }
    }

    fn numeric_node(&mut self, space: u8, key: u64) -> u32 {
        reserve_on_first_insert(
            &mut self.numeric_keys[usize::from(space)],
            self.appeared.len(),
        );
        let next = self.parent.len() as u32;
        let node = *self.numeric_keys[usize::from(space)]
            .entry(key)
            .or_insert(next);
        if node == next {
            self.push_node(space == ID_SPACE);
        }
        node
    }

    fn text_node(&mut self, space: u8, key: &str) -> u32 {
        if let Some(&node) = self.text_keys[usize::from(space)].get(key) {
            return node;
        }
        reserve_on_first_insert(&mut self.text_keys[usize::from(space)], self.appeared.len());
        let node = self.parent.len() as u32;
        self.text_keys[usize::from(space)].insert(key.into(), node);
        self.push_node(false);
        node
    }

    fn push_node(&mut self, resident_id: bool) {
        self.parent.push(self.parent.len() as u32);
        self.node_bits.push(0);
        self.id_node.push(resident_id);
    }

    fn find(&mut self, mut node: u32) -> u32 {
        while self.parent[node as usize] != node {
            let grandparent = self.parent[self.parent[node as usize] as usize];
            self.parent[node as usize] = grandparent;
            node = grandparent;
        }
        node
    }

    fn union(&mut self, a: u32, b: u32) {
        let (root_a, root_b) = (self.find(a), self.find(b));
        if root_a != root_b {
            // Attach the later node to the earlier one so the result does not depend on
            // the order of arguments.
            let (low, high) = if root_a < root_b {
                (root_a, root_b)
            } else {
                (root_b, root_a)
            };
            self.parent[high as usize] = low;
        }
    }

    /// Counts the linked people and returns the totals with the number of master-list
    /// people who appeared. Fails if a linked person carries two different resident IDs,
    /// because a scanner would split such a person and the generator never creates one.
    pub fn finish(mut self) -> Result<(Individuals, u64), GenerateError> {
        let nodes = self.parent.len();
        let mut root_bits = vec![0u32; nodes];
        let mut root_ids = vec![0u8; nodes];
        for node in 0..nodes as u32 {
            let root = self.find(node) as usize;
            root_bits[root] |= self.node_bits[node as usize];
            if self.id_node[node as usize] {
                root_ids[root] = root_ids[root].saturating_add(1);
            }
        }
        let mut individuals = self.unlinked;
        for node in 0..nodes {
            if self.parent[node] as usize != node {
                continue;
            }
            if root_ids[node] > 1 {
                return Err(GenerateError::Internal(
                    "two different resident IDs were linked into one person".to_owned(),
                ));
            }
            count_person(&mut individuals, root_bits[node]);
        }
        let appeared = self.appeared.iter().filter(|&&seen| seen).count() as u64;
        Ok((individuals, appeared))
    }
}

/// Adds one person with these element bits to the totals.
fn count_person(individuals: &mut Individuals, bits: u32) {
    individuals.total += 1;
    let minor = bits & MINOR_BIT != 0;
    let sensitive_bits = bits & SENSITIVE_BITS;
    if sensitive_bits != 0 || minor {
        individuals.sensitive += 1;
    }
    if minor {
        individuals.minors_under_14 += 1;
    }
    if sensitive_bits == Element::ResidentId.bit() && !minor {
        individuals.sensitive_id_number_only += 1;
    }
    for element in Element::ALL {
        if bits & element.bit() != 0 {
            *individuals
                .by_element
                .entry(element.id().to_owned())
                .or_insert(0) += 1;
        }
    }
}

fn invalid(element: Element, origin: &RowOrigin) -> GenerateError {
    let sheet = origin
        .sheet
        .map(|name| format!(", sheet {name}"))
        .unwrap_or_default();
    GenerateError::Internal(format!(
        "{}{sheet}, row {}: generated {} value does not normalise to a linking key",
        origin.file,
        origin.row,
        element.id()
    ))
}

/// Normalises a resident ID (18 characters, or the legacy 15 digits) to its first 17
/// digits as a number, with the birth date it carries. The check character is a function
/// of those 17 digits, so they identify the ID.
pub fn resident_id_key(value: &str) -> Option<(u64, NaiveDate)> {
    let bytes = value.as_bytes();
    let mut first17 = [0u8; 17];
    match bytes.len() {
        18 => first17.copy_from_slice(&bytes[..17]),
        15 => {
            first17[..6].copy_from_slice(&bytes[..6]);
            first17[6..8].copy_from_slice(b"19");
            first17[8..].copy_from_slice(&bytes[6..]);
        }
        _ => return None,
    }
    let first17 = std::str::from_utf8(&first17).ok()?;
    let check = validate::resident_id_check_char(first17)?;
    if bytes.len() == 18 && !char::from(bytes[17]).eq_ignore_ascii_case(&check) {
        return None;
    }
    if !PROVINCES.contains(&&first17[..2]) {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| first17.get(range)?.parse::<u32>().ok();
    let birth = NaiveDate::from_ymd_opt(digits(6..10)? as i32, digits(10..12)?, digits(12..14)?)?;
    Some((first17.parse().ok()?, birth))
}

/// Normalises a mainland mobile number: drops spaces, dashes and a +86, 0086 or 86 prefix.
pub fn mobile_key(value: &str) -> Option<u64> {
    let mut digits = [0u8; 16];
    let mut length = 0;
    for (position, byte) in value.bytes().enumerate() {
        match byte {
            b'0'..=b'9' if length < digits.len() => {
                digits[length] = byte;
                length += 1;
            }
            b' ' | b'-' => {}
            b'+' if position == 0 => {}
            _ => return None,
        }
    }
    let digits = match length {
        11 => &digits[..11],
        13 if digits.starts_with(b"86") => &digits[2..13],
        15 if digits.starts_with(b"0086") => &digits[4..15],
        _ => return None,
    };
    if digits[0] != b'1' || !(b'3'..=b'9').contains(&digits[1]) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Normalises a bank card number (spaces dropped) and checks its Luhn digit.
pub fn bank_card_key(value: &str) -> Option<u64> {
    let mut digits = [0u8; 19];
    let mut length = 0;
    for byte in value.bytes().filter(|byte| *byte != b' ') {
        if !byte.is_ascii_digit() || length == digits.len() {
            return None;
        }
        digits[length] = byte;
        length += 1;
    }
    if length < 16 {
        return None;
    }
    let digits = std::str::from_utf8(&digits[..length]).ok()?;
    let (payload, check) = digits.split_at(length - 1);
    let expected = validate::luhn_check_digit(payload)?;
    if check.as_bytes().first() != Some(&(b'0' + expected)) {
        return None;
    }
    digits.parse().ok()
}

/// Appends the normalised text key of an email (lower case), member number or medical
/// record number (upper case) to `out`. Returns false for an unusable email.
fn text_key(element: Element, value: &str, out: &mut String) -> bool {
    match element {
        Element::Email => {
            let mut parts = value.split('@');
            let local = parts.next().unwrap_or("");
            let domain = parts.next().unwrap_or("");
            if local.is_empty() || !domain.contains('.') || parts.next().is_some() {
                return false;
            }
            out.extend(
                value
                    .chars()
                    .map(|character| character.to_ascii_lowercase()),
            );
            true
        }
        _ => {
            out.extend(
                value
                    .chars()
                    .map(|character| character.to_ascii_uppercase()),
            );
            true
        }
    }
}

/// Parses the birth-date formats that the generator writes: 1987-03-12, 1987/3/12 and
/// 1987年3月12日.
pub fn parse_birth_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%Y/%m/%d"))
        .or_else(|_| NaiveDate::parse_from_str(value, "%Y年%m月%d日"))
        .ok()
}
