//! Column tagging: finds the header row of a table and weighs header evidence and value
//! evidence into one data element and a confidence per column.

use std::collections::HashMap;

use crate::pack::{Category, Element, ElementPack, ValueClass, ValueStrength};
use crate::read::{Cell, CellKind, Row};

/// Rows examined above the data when looking for the header.
pub const HEADER_WINDOW: usize = 30;

/// Data rows sampled for tagging before the full pass.
pub const SAMPLE_ROWS: usize = 1000;

/// A header hit must score at least this to count as header evidence.
const HEADER_MIN_SCORE: f32 = 0.5;

/// Share of valid values (or masked and damaged ones) needed to confirm a header match.
const HEADER_CONFIRM_SHARE: f32 = 0.2;

/// Words in a header that say the column belongs to another person (an emergency contact, a
/// guardian), so its values never link records.
const OTHER_PERSON_WORDS: &[&str] = &[
    "紧急联系",
    "联系人",
    "监护人",
    "配偶",
    "父亲",
    "母亲",
    "家属",
    "亲属",
    "担保人",
    "推荐人",
    "介绍人",
    "emergency",
    "contact_person",
    "contactperson",
    "guardian",
    "spouse",
    "referrer",
];

/// Cell texts that mean "no value" in exports.
const PLACEHOLDERS: &[&str] = &[
    "-", "--", "/", "\\", "n/a", "na", "null", "none", "nil", "无", "暂无", "空", "#n/a",
];

/// Footer labels that end a report-style table.
const FOOTER_LABELS: &[&str] = &[
    "合计",
    "总计",
    "小计",
    "共计",
    "总数",
    "total",
    "sum",
    "grand total",
];

/// Returns the cell text with surrounding whitespace removed, or `None` for an empty cell or
/// a placeholder such as `-` or `NULL`.
pub fn value_text(cell: &Cell) -> Option<&str> {
    if matches!(cell.kind, CellKind::Empty | CellKind::Error) {
        return None;
    }
    field_value(&cell.text)
}

/// Returns a text field with surrounding whitespace removed, or `None` when it is empty or a
/// placeholder such as `-` or `NULL`.
pub fn field_value(text: &str) -> Option<&str> {
    let text = crate::validate::trim(text);
    if text.is_empty()
        || (text.len() <= 6 && PLACEHOLDERS.iter().any(|p| text.eq_ignore_ascii_case(p)))
    {
        return None;
    }
    Some(text)
}

/// Classifies a cell for `element`. A number cell with more than 15 significant digits lost
/// its trailing digits to spreadsheet numeric storage (IEEE double, as Excel keeps numbers),
/// so it is `Damaged` whatever its digits read.
pub fn classify_cell(element: &Element, cell: &Cell) -> ValueClass {
    if matches!(cell.kind, CellKind::Empty | CellKind::Error) {
        return ValueClass::Empty;
    }
    classify_field(element, &cell.text, cell.kind)
}

/// Classifies one field of the given storage kind for `element`; see `classify_cell`.
pub fn classify_field(element: &Element, text: &str, kind: CellKind) -> ValueClass {
    let Some(text) = field_value(text) else {
        return ValueClass::Empty;
    };
    if element.strength > ValueStrength::None
        && kind == CellKind::Number
        && significant_digits(text) > 15
    {
        return ValueClass::Damaged;
    }
    element.classify(text)
}

/// Classifies one field like `classify_field`, and for a valid value also returns its
/// canonical form (see `Element::inspect`).
pub fn inspect_field<'a>(
    element: &Element,
    text: &'a str,
    kind: CellKind,
) -> (ValueClass, Option<std::borrow::Cow<'a, str>>) {
    let Some(text) = field_value(text) else {
        return (ValueClass::Empty, None);
    };
    if element.strength > ValueStrength::None
        && kind == CellKind::Number
        && significant_digits(text) > 15
    {
        return (ValueClass::Damaged, None);
    }
    element.inspect(text)
}

fn significant_digits(number: &str) -> usize {
    let digits = number
        .trim_start_matches(['-', '+'])
        .trim_start_matches(['0', '.']);
    digits.bytes().filter(u8::is_ascii_digit).count()
}

/// Returns whether a row has no non-empty cell.
pub fn is_blank(row: &Row) -> bool {
    row.cells.iter().all(|c| value_text(c).is_none())
}

/// Returns whether a row is a footer such as `合计：4人` under a report-style table.
pub fn is_footer(row: &Row) -> bool {
    is_footer_fields(row.cells.iter().filter_map(value_text))
}

/// Returns whether the non-empty fields of a row, in order, make a footer: at most three of them,
/// the first starting with a total label.
pub fn is_footer_fields<'a>(mut filled: impl Iterator<Item = &'a str>) -> bool {
    let Some(first) = filled.next() else {
        return false;
    };
    if filled.nth(2).is_some() {
        return false;
    }
    FOOTER_LABELS.iter().any(|label| {
        first
            .get(..label.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(label))
    })
}

/// Returns whether a header names another person's data, such as an emergency contact's phone.
pub fn names_other_person(header: &str) -> bool {
    let lower = header.to_lowercase();
    OTHER_PERSON_WORDS.iter().any(|w| lower.contains(w))
}

/// Elements that may tag a column from its values alone, without a header match: check-digit
/// elements, and shapes that ordinary business data does not take (a date column is not a
/// birth-date column, a 男/女 column without a header is left alone).
fn tags_from_values_alone(element: &Element) -> bool {
    match element.strength {
        ValueStrength::Checksum => true,
        ValueStrength::Pattern => {
            matches!(
                element.id.as_str(),
                "mobile_phone" | "email" | "ip_address" | "licence_plate"
            )
        }
        ValueStrength::None => false,
    }
}

/// Finds the header row among the first rows of a table: returns its position in `rows`, or
/// `None` when the table has no header (the first non-blank row already holds data).
///
/// Title rows above the header (a merged title, "exported on ...") have fewer cells than the
/// table is wide, so the header is the first row that is wide enough (against the most
/// common width of the rows), contains only labels, and either matches a data-element
/// header or is followed by data.
pub fn find_header(pack: &ElementPack, rows: &[Row]) -> Option<usize> {
    let window: Vec<(usize, &Row)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !is_blank(r))
        .take(HEADER_WINDOW)
        .collect();
    let typical = typical_width(window.iter().map(|(_, r)| filled_cells(r)));
    let wide_enough = (typical as f32 * 0.5).ceil().max(2.0) as usize;
    let candidates: Vec<(usize, &Row, usize)> = window
        .iter()
        .filter(|(_, r)| filled_cells(r) >= wide_enough.min(typical) && is_label_row(pack, r))
        .map(|(i, r)| (*i, *r, header_hits(pack, r)))
        .collect();
    if let Some((i, _, _)) = candidates.iter().find(|(_, _, hits)| *hits > 0) {
        return Some(*i);
    }
    // No PI header anywhere: take the first label row if it is also the first row of the
    // wide part of the table, so a title row is never mistaken for the header.
    let first_wide = window
        .iter()
        .find(|(_, r)| filled_cells(r) >= wide_enough.min(typical))?;
    let (first_label, _, _) = candidates.first()?;
    (*first_label == first_wide.0).then_some(*first_label)
}

/// Returns the most common number of filled cells among the rows (the larger one on a
/// tie), so that one stray wide row below the table does not make the real header look
/// too narrow.
fn typical_width(widths: impl Iterator<Item = usize>) -> usize {
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for width in widths {
        *counts.entry(width).or_insert(0) += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(width, count)| (count, width))
        .map_or(0, |(width, _)| width)
}

fn filled_cells(row: &Row) -> usize {
    row.cells.iter().filter(|c| value_text(c).is_some()).count()
}

/// A label row contains text only, and no value that validates as an identifier, so a data row
/// of a headerless file is never printed as a header.
fn is_label_row(pack: &ElementPack, row: &Row) -> bool {
    row.cells
        .iter()
        .filter(|c| value_text(c).is_some())
        .all(|cell| {
            cell.kind == CellKind::Text
                && !looks_numeric(&cell.text)
                && !pack.elements.iter().any(|e| {
                    tags_from_values_alone(e) && e.classify(cell.text.trim()) == ValueClass::Valid
                })
        })
}

/// Returns whether a row contains a value that validates as an identifier on its own
/// (a resident ID, a mobile number), which only a data row contains.
pub fn has_identifier(pack: &ElementPack, row: &Row) -> bool {
    row.cells.iter().filter_map(value_text).any(|text| {
        pack.elements
            .iter()
            .any(|e| tags_from_values_alone(e) && e.classify(text) == ValueClass::Valid)
    })
}

fn looks_numeric(text: &str) -> bool {
    let text = crate::validate::trim(text);
    !text.is_empty() && text.parse::<f64>().is_ok()
}

fn header_hits(pack: &ElementPack, row: &Row) -> usize {
    row.cells
        .iter()
        .filter_map(value_text)
        .filter(|text| {
            pack.match_header(text)
                .iter()
                .any(|m| m.score >= HEADER_MIN_SCORE)
        })
        .count()
}

/// Value counts of one column for one element.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ValueCounts {
    pub non_empty: u64,
    pub valid: u64,
    pub masked: u64,
    pub damaged: u64,
}

impl ValueCounts {
    pub fn add(&mut self, class: ValueClass) {
        match class {
            ValueClass::Empty => return,
            ValueClass::Valid => self.valid += 1,
            ValueClass::Masked => self.masked += 1,
            ValueClass::Damaged => self.damaged += 1,
            ValueClass::Invalid => {}
        }
        self.non_empty += 1;
    }

    fn share(&self, count: u64) -> f32 {
        if self.non_empty == 0 {
            0.0
        } else {
            count as f32 / self.non_empty as f32
        }
    }
}

/// The element chosen for a column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnTag {
    /// Index into `ElementPack::elements`.
    pub element: usize,
    pub confidence: f32,
    /// Whether a header pattern supported the tag (as opposed to values alone).
    pub from_header: bool,
}

/// Tags one column from its header and a sample of its cells, or returns `None` when the
/// column holds no listed data element.
///
/// Header evidence alone tags elements without a value check (names, addresses) and columns
/// without values (schema files, header-only exports). For elements with a value check, a
/// header match needs at least a fifth of the values to be valid, masked or damaged, and a
/// column without a header match needs most of its values to validate: half for check-digit
/// elements, four in five for shapes.
pub fn tag_column(pack: &ElementPack, header: &str, sample: &[&Cell]) -> Option<ColumnTag> {
    let header_scores = header_scores(pack, header);
    let mut best: Option<ColumnTag> = None;
    for (index, element) in pack.elements.iter().enumerate() {
        let header_score = header_scores[index];
        let has_header = header_score >= HEADER_MIN_SCORE;
        if !has_header && !tags_from_values_alone(element) {
            continue;
        }
        let mut counts = ValueCounts::default();
        for cell in sample {
            counts.add(classify_cell(element, cell));
        }
        let Some(confidence) = score(element, header_score, &counts) else {
            continue;
        };
        if best.as_ref().is_none_or(|b| confidence > b.confidence) {
            best = Some(ColumnTag {
                element: index,
                confidence,
                from_header: has_header,
            });
        }
    }
    best
}

fn header_scores(pack: &ElementPack, header: &str) -> Vec<f32> {
    let mut scores = vec![0.0f32; pack.elements.len()];
    if header.trim().is_empty() {
        return scores;
    }
    for hit in pack.match_header(header) {
        if let Some(score) = scores.get_mut(hit.element) {
            *score = score.max(hit.score);
        }
    }
    scores
}

fn score(element: &Element, header_score: f32, counts: &ValueCounts) -> Option<f32> {
    let has_header = header_score >= HEADER_MIN_SCORE;
    if counts.non_empty == 0 {
        return has_header.then_some(0.8 * header_score);
    }
    if element.strength == ValueStrength::None {
        return has_header.then_some(0.5 + 0.4 * header_score);
    }
    if has_header {
        let evidence = counts.share(counts.valid + counts.masked + counts.damaged);
        return (evidence >= HEADER_CONFIRM_SHARE).then_some(0.4 * header_score + 0.6 * evidence);
    }
    let valid_share = counts.share(counts.valid);
    let needed = if element.strength == ValueStrength::Checksum {
        0.5
    } else {
        0.8
    };
    let enough_values = counts.valid >= counts.non_empty.min(3);
    (valid_share >= needed && enough_values).then_some(0.9 * valid_share)
}

/// Returns whether values of this element are personal information (organisations are not).
pub fn is_personal(element: &Element) -> bool {
    element.category != Category::Organisation
}
