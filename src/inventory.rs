//! The inventory a scan produces: plain data that the report writers print.

use serde::Serialize;

use crate::identity::Individuals;
use crate::pack::Category;
use crate::read::{Format, Visibility};
use crate::rules::Decision;

/// Version of the JSON report layout; fields may be added without changing it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub schema_version: u32,
    pub as_of: String,
    pub files: Vec<FileReport>,
    pub individuals: Individuals,
    /// The procedure the rules require; set by the caller from the rules engine.
    pub decision: Option<Decision>,
    /// Whether every file was fully read; when false the counts are a lower bound.
    pub complete: bool,
    /// Lines naming each file, sheet or row range that was not fully examined, with the reason.
    pub not_examined: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Every table was read.
    Scanned,
    /// Some rows or sheets could not be read; the rest was scanned.
    Partial,
    /// Nothing could be read (corrupt, encrypted, empty, unknown format).
    Failed,
    /// Not a format exportscan reads; not examined.
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// Path relative to the scanned directory, with `/` separators.
    pub path: String,
    pub format: Format,
    pub encoding: Option<String>,
    pub status: FileStatus,
    /// Reason the file was not fully read, or `null`.
    pub problem: Option<String>,
    pub size_bytes: u64,
    pub delimiter: Option<String>,
    /// Further findings, such as a content type that contradicts the extension.
    pub notes: Vec<String>,
    pub tables: Vec<TableReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    /// Sheet or schema table name, or `null` for delimited text.
    pub name: Option<String>,
    pub visibility: Option<Visibility>,
    /// Absolute 0-based row of the header, or `null` when the table has none.
    pub header_row: Option<u64>,
    /// Data records (blank rows, title rows and footers excluded).
    pub rows: u64,
    pub columns: Vec<ColumnReport>,
    /// Rows that could not be read, and other problems of this table.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnReport {
    /// Absolute 0-based column index.
    pub index: u32,
    /// Spreadsheet column letters, or `null` for delimited text and schema files.
    pub letter: Option<String>,
    pub header: String,
    pub element: Option<String>,
    pub category: Option<Category>,
    /// Whether the column contains masked values such as 139****1601.
    pub masked: bool,
    pub confidence: f32,
    pub non_empty: u64,
    pub valid: u64,
    pub masked_values: u64,
    pub damaged_values: u64,
    /// Whether the column's valid values linked records of one person.
    pub linking: bool,
    /// Up to three examples, always masked.
    pub examples: Vec<String>,
    pub note: Option<String>,
}

/// Converts a 0-based column index to spreadsheet letters (0 → A, 26 → AA).
pub fn column_letter(index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::column_letter;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(1), "B");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(16383), "XFD");
    }
}
