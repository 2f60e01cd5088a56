//! Helpers shared by the reader integration tests: a visitor that keeps every table and
//! paths to the fixtures.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

use exportscan::read::{
    FileRead, Format, Limits, ReadError, Row, TableMeta, TableVisitor, read_file, sniff_format,
};

/// One visited table with all of its row items.
pub struct Table {
    pub meta: TableMeta,
    pub items: Vec<Result<Row, ReadError>>,
}

impl Table {
    pub fn rows(&self) -> Vec<&Row> {
        self.items
            .iter()
            .filter_map(|item| item.as_ref().ok())
            .collect()
    }

    pub fn errors(&self) -> Vec<&ReadError> {
        self.items
            .iter()
            .filter_map(|item| item.as_ref().err())
            .collect()
    }

    pub fn row(&self, index: u64) -> Option<&Row> {
        self.rows().into_iter().find(|r| r.index == index)
    }
}

/// Keeps every table passed to it.
#[derive(Default)]
pub struct Collect {
    pub tables: Vec<Table>,
}

impl TableVisitor for Collect {
    fn table(&mut self, meta: &TableMeta, rows: &mut dyn Iterator<Item = Result<Row, ReadError>>) {
        let items: Vec<_> = rows.collect();
        // Withdrawn rows are followed by the same table again, sorted.
        if items
            .iter()
            .any(|item| matches!(item, Err(ReadError::OutOfOrder)))
        {
            return;
        }
        self.tables.push(Table {
            meta: meta.clone(),
            items,
        });
    }
}

impl Collect {
    pub fn table(&self, name: &str) -> &Table {
        self.tables
            .iter()
            .find(|t| t.meta.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no table named {name}"))
    }
}

pub fn fixture(case: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cases")
        .join(case)
        .join(name)
}

pub fn expected(case: &str) -> serde_json::Value {
    let text =
        std::fs::read_to_string(fixture(case, "expected.json")).expect("fixture has expected.json");
    serde_json::from_str(&text).expect("expected.json is valid JSON")
}

/// Sniffs the file as the scanner does (first 8 KiB and the extension).
pub fn sniff(path: &Path) -> exportscan::read::Sniffed {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(8 * 1024).read_to_end(&mut head))
        .expect("fixture is readable");
    sniff_format(&head, path.extension().and_then(|e| e.to_str()))
}

pub fn read_as(
    path: &Path,
    format: Format,
    limits: &Limits,
) -> (Result<FileRead, ReadError>, Collect) {
    let mut collect = Collect::default();
    let result = read_file(path, format, limits, &mut collect);
    (result, collect)
}

/// Sniffs and reads with default limits; panics if the read fails as a whole.
pub fn read_ok(path: &Path) -> (FileRead, Collect) {
    let format = sniff(path).format;
    let (result, collect) = read_as(path, format, &Limits::default());
    let file = result.unwrap_or_else(|e| panic!("{} failed: {e}", path.display()));
    (file, collect)
}

pub fn texts(row: &Row) -> Vec<&str> {
    row.cells.iter().map(|c| c.text.as_str()).collect()
}
