#![no_main]
//! Header detection and column tagging on rows cut from arbitrary text: lines are rows,
//! commas and tabs separate cells.

use std::sync::LazyLock;

use exportscan::detect;
use exportscan::pack::ElementPack;
use exportscan::read::{Cell, CellKind, Row};
use libfuzzer_sys::fuzz_target;

static PACK: LazyLock<ElementPack> =
    LazyLock::new(|| ElementPack::builtin().expect("the built-in pack loads"));

fn cell(text: &str, numeric: bool) -> Cell {
    let kind = if text.is_empty() {
        CellKind::Empty
    } else if numeric && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        CellKind::Number
    } else {
        CellKind::Text
    };
    Cell {
        kind,
        text: text.to_string(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, text)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let numeric = selector % 2 == 1;
    let rows: Vec<Row> = text
        .lines()
        .take(200)
        .enumerate()
        .map(|(index, line)| Row {
            index: index as u64,
            cells: line
                .split([',', '\t'])
                .take(64)
                .map(|field| cell(field, numeric))
                .collect(),
        })
        .collect();
    let header = detect::find_header(&PACK, &rows);
    let start = header.map_or(0, |h| h + 1);
    let header_cells: Vec<String> = header
        .and_then(|h| rows.get(h))
        .map(|row| row.cells.iter().map(|c| c.text.clone()).collect())
        .unwrap_or_default();
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    for position in 0..width {
        let title = header_cells.get(position).map_or("", String::as_str);
        let sample: Vec<&Cell> = rows
            .iter()
            .skip(start)
            .filter_map(|r| r.cells.get(position))
            .collect();
        if let Some(tag) = detect::tag_column(&PACK, title, &sample) {
            let element = &PACK.elements[tag.element];
            for cell in &sample {
                let _ = detect::classify_cell(element, cell);
                let _ = element.link_key(&cell.text);
                let _ = element.birth_date(&cell.text);
            }
        }
    }
});
