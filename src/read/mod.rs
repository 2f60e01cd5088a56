//! Readers for every input family (delimited text, spreadsheets, schema files), all yielding
//! tables of cells to a `TableVisitor`.

mod cells;
pub mod chunks;
mod decode;
mod json_schema;
mod ole;
mod package;
mod sheet;
mod sheet_stream;
mod sniff;
mod sql;
mod sql_lexer;
mod text;

use std::path::Path;

/// File format identified from content and extension.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Tsv,
    Txt,
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Sql,
    JsonSchema,
    Unknown,
}

/// How a spreadsheet cell was stored, which tells whether its digits can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    Empty,
    Text,
    /// A numeric cell; `Cell::text` holds its full decimal rendering without exponent.
    Number,
    Bool,
    /// A date or date-time cell, rendered as ISO 8601 in `Cell::text`.
    Date,
    Error,
}

/// One cell as read: its storage kind and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub kind: CellKind,
    pub text: String,
}

/// Sheet visibility as stored in the workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Visible,
    Hidden,
    VeryHidden,
}

/// A column declared by a schema file (SQL DDL or JSON Schema).
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaColumn {
    /// Column name, or the dotted property path for nested JSON Schema properties.
    pub name: String,
    pub comment: Option<String>,
    pub data_type: Option<String>,
}

/// Table metadata that a reader knows before the rows.
#[derive(Debug, Clone, Default)]
pub struct TableMeta {
    /// Sheet or schema table name; `None` for delimited text.
    pub name: Option<String>,
    pub visibility: Option<Visibility>,
    /// Absolute 0-based column of `Row::cells[0]` (1 for a sheet whose used range starts at B).
    pub first_column: u32,
    /// Declared columns for schema files, which carry no rows.
    pub schema_columns: Option<Vec<SchemaColumn>>,
}

/// One row: its absolute 0-based index (sheet row, or record number in delimited text) and
/// its cells from `TableMeta::first_column` on.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub index: u64,
    pub cells: Vec<Cell>,
}

/// Receives each table of a file with an iterator over its rows.
pub trait TableVisitor {
    fn table(&mut self, meta: &TableMeta, rows: &mut dyn Iterator<Item = Result<Row, ReadError>>);
}

/// What a reader found out about a whole file.
#[derive(Debug, Clone, Default)]
pub struct FileRead {
    /// Encoding label for text files (`utf-8`, `gb18030`, `utf-16le`, ...).
    pub encoding: Option<&'static str>,
    pub delimiter: Option<char>,
    /// Notes for the report, such as an honoured `sep=` line.
    pub notes: Vec<String>,
    /// Parts of the file that hold data but were not read, such as the rows of INSERT
    /// statements; they make the file partial.
    pub unread: Vec<String>,
}

/// Reader limits; `Default` gives the shipped defaults.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_cells_per_sheet: u64,
    pub max_line_bytes: usize,
    /// Largest total uncompressed size of the entries of one zip package (.xlsx, .xlsm,
    /// .xlsb, .ods), as its central directory declares them.
    pub max_unpacked_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_cells_per_sheet: 50_000_000,
            max_line_bytes: 64 * 1024 * 1024,
            max_unpacked_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("password-protected (encrypted) workbook: remove the password and export again")]
    Encrypted,
    #[error("{0}")]
    Corrupt(String),
    #[error("empty file")]
    Empty,
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Limit(String),
    /// A row-level problem; the reader goes on with the next row. `row` is 0-based and
    /// printed 1-based, as spreadsheet programs and text editors number rows.
    #[error("row {}: {message}", .row.saturating_add(1))]
    Row { row: u64, message: String },
    /// The sheet's cells are not in row order. The rows of this table visited so far are
    /// withdrawn: the visitor drops the table, and the same table follows again with its
    /// rows sorted.
    #[error("cells are not in row order; the sheet is read again in sorted order")]
    OutOfOrder,
}

/// Reads `path` as `format`, passing every table to `visitor`.
///
/// Problems that stop the whole file before any table is visited (unreadable, empty,
/// encrypted, corrupt, unsupported format) are returned as `Err`. Problems inside a table
/// (a row, a sheet, a limit reached part-way) arrive as `Err` items of that table's row
/// iterator and the reader goes on where it can, so a file with any `Err` item is only
/// partly read. If `visitor` leaves an `Err` item of a schema table unread, the first such
/// item is returned as `Err` after all tables were visited. Nothing in here panics on file
/// content; a panic inside a dependency becomes `ReadError::Corrupt`.
pub fn read_file(
    path: &Path,
    format: Format,
    limits: &Limits,
    visitor: &mut dyn TableVisitor,
) -> Result<FileRead, ReadError> {
    let mut cap = ColumnCap {
        inner: visitor,
        unconsumed_error: None,
    };
    let result = read_with_format(path, format, limits, &mut cap);
    match (result, cap.unconsumed_error) {
        (Ok(_), Some(error)) => Err(error),
        (result, _) => result,
    }
}

fn read_with_format(
    path: &Path,
    format: Format,
    limits: &Limits,
    visitor: &mut dyn TableVisitor,
) -> Result<FileRead, ReadError> {
    match format {
        Format::Csv | Format::Tsv | Format::Txt => {
            text::read_delimited(path, format, limits, visitor)
        }
        Format::Xlsx | Format::Xlsm | Format::Xlsb | Format::Xls | Format::Ods => {
            sheet::read_workbook(path, format, limits, visitor)
        }
        Format::Sql => sql::read_sql(path, limits, visitor),
        Format::JsonSchema => json_schema::read_json_schema(path, limits, visitor),
        Format::Unknown => Err(ReadError::Unsupported(
            "unknown file format: export it as CSV or XLSX and scan again".to_string(),
        )),
    }
}

/// Opens an input file for reading and rejects anything that is not a regular file.
///
/// Discovery passes only regular files, but a path can be replaced by a named pipe before it
/// is opened, and a plain open of a pipe waits for a writer forever. With O_NONBLOCK the open
/// returns at once, and the opened handle is checked instead of the path. O_NONBLOCK stays
/// set because it has no effect on reads of a regular file (Linux open(2)). O_NOCTTY keeps a
/// terminal device from becoming the controlling terminal before it is rejected.
pub fn open_input(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    let file_type = file.metadata()?.file_type();
    if file_type.is_file() {
        return Ok(file);
    }
    let name = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy();
    let kind = crate::discover::special_file_kind(file_type);
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{name} is {kind}, not a regular file, so it was not read: copy the data into a \
             regular file to scan it"
        ),
    ))
}

/// Cells per row that reach the visitor: the width of an Excel sheet (A to XFD). A line of
/// millions of delimiters would otherwise make every later stage work per column; the
/// cells past this column are dropped and reported as a row problem.
pub const MAX_COLUMNS: usize = 16_384;

/// Passes each table to `inner` with rows cut to `MAX_COLUMNS` cells, and keeps the first
/// error item of a schema table that `inner` left unread, so that `read_file` can still
/// report it.
struct ColumnCap<'v> {
    inner: &'v mut dyn TableVisitor,
    unconsumed_error: Option<ReadError>,
}

impl TableVisitor for ColumnCap<'_> {
    fn table(&mut self, meta: &TableMeta, rows: &mut dyn Iterator<Item = Result<Row, ReadError>>) {
        let mut capped = CappedRows {
            rows,
            pending: None,
        };
        self.inner.table(meta, &mut capped);
        // A schema table's items are only its errors, and a visitor that reads just the
        // declared columns leaves them behind. Other tables are not drained, because a
        // visitor that stops early (to plan a parallel read) must not read the whole file.
        if meta.schema_columns.is_none() {
            return;
        }
        for item in capped {
            if let Err(error) = item
                && self.unconsumed_error.is_none()
            {
                self.unconsumed_error = Some(error);
            }
        }
    }
}

struct CappedRows<'r> {
    rows: &'r mut dyn Iterator<Item = Result<Row, ReadError>>,
    /// The problem of the row just returned, reported as the next item.
    pending: Option<ReadError>,
}

impl Iterator for CappedRows<'_> {
    type Item = Result<Row, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.pending.take() {
            return Some(Err(error));
        }
        let mut row = match self.rows.next()? {
            Ok(row) => row,
            Err(error) => return Some(Err(error)),
        };
        if row.cells.len() > MAX_COLUMNS {
            let dropped = row.cells.len() - MAX_COLUMNS;
            row.cells.truncate(MAX_COLUMNS);
            self.pending = Some(ReadError::Row {
                row: row.index,
                message: format!(
                    "{dropped} cells after column {MAX_COLUMNS} are not read; a row this wide is usually damaged (stray delimiters, or a cell far to the right)"
                ),
            });
        }
        Some(Ok(row))
    }
}

/// Result of sniffing a file's first bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Sniffed {
    pub format: Format,
    /// Description of the content, in words ("a PDF document", "JSON data (not a JSON Schema)").
    pub description: String,
    /// Set when the content contradicts the extension, for the report.
    pub mismatch: Option<String>,
}

/// Identifies a file's format from its first bytes (magic numbers, BOM, text sniffing) and
/// its extension.
pub fn sniff_format(head: &[u8], extension: Option<&str>) -> Sniffed {
    sniff::sniff(head, extension)
}

/// Runs `f`, turning a panic inside it into `ReadError::Corrupt`.
///
/// Only dependency calls that parse file content go through here (calamine). A malformed
/// workbook can reach an indexing or arithmetic panic inside calamine 0.38, and one bad
/// file must not end a scan of thousands. `AssertUnwindSafe` is sound because the caller
/// drops the workbook or cell reader after an `Err` from here and never looks at its
/// state again. An allocation failure aborts the process and cannot be caught, which is
/// why `sheet` checks sizes before calamine allocates.
pub(crate) fn catch_dependency_panic<T>(
    operation: &str,
    f: impl FnOnce() -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        // The panic message is left out because a string-slicing panic quotes the text
        // it sliced, which can be a cell value.
        Err(_) => Err(ReadError::Corrupt(format!(
            "reader failed: the spreadsheet library panicked while {operation}; the file is probably damaged: open it in Excel and export it again"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_panic_becomes_corrupt() {
        let result: Result<(), ReadError> =
            catch_dependency_panic("testing", || panic!("index out of bounds"));
        match result {
            Err(ReadError::Corrupt(message)) => {
                assert!(message.starts_with("reader failed:"), "{message}");
                assert!(!message.contains("index out of bounds"), "{message}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn wide_rows_are_cut_with_a_problem() {
        let wide = Row {
            index: 7,
            cells: vec![
                Cell {
                    kind: CellKind::Text,
                    text: "x".to_string(),
                };
                MAX_COLUMNS + 5
            ],
        };
        let narrow = Row {
            index: 8,
            cells: Vec::new(),
        };
        let mut source = vec![Ok(wide), Ok(narrow)].into_iter();
        let items: Vec<Result<Row, ReadError>> = CappedRows {
            rows: &mut source,
            pending: None,
        }
        .collect();
        assert_eq!(items.len(), 3);
        assert_eq!(
            items[0].as_ref().map(|r| r.cells.len()).ok(),
            Some(MAX_COLUMNS)
        );
        match &items[1] {
            Err(ReadError::Row { row, message }) => {
                assert_eq!(*row, 7);
                assert!(
                    message.starts_with("5 cells after column 16384"),
                    "{message}"
                );
            }
            other => panic!("expected a row problem, got {other:?}"),
        }
        assert_eq!(items[2].as_ref().map(|r| r.index).ok(), Some(8));
    }

    #[test]
    fn unknown_format_is_unsupported() {
        struct Ignore;
        impl TableVisitor for Ignore {
            fn table(
                &mut self,
                _: &TableMeta,
                _: &mut dyn Iterator<Item = Result<Row, ReadError>>,
            ) {
            }
        }
        let result = read_file(
            Path::new("missing.bin"),
            Format::Unknown,
            &Limits::default(),
            &mut Ignore,
        );
        assert!(matches!(result, Err(ReadError::Unsupported(_))));
    }
}
