//! Size checks of zip packages (.xlsx, .xlsm, .xlsb, .ods) that run before calamine opens
//! them, so that a small file cannot make the process allocate without bound.
//!
//! The checks read the sizes that the central directory declares. The zip crate (9.x)
//! stops reading an entry with an error once it yields more than its declared
//! uncompressed size, so a package that understates its sizes fails to read instead of
//! growing past them.

use std::io::{Read, Seek};

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::{Limits, ReadError};

/// Entries at least this large (uncompressed) must pass the compression-ratio check.
/// Smaller entries are let through because they cannot cost much memory whatever their
/// ratio. Apache POI's zip-bomb check skips entries under 100 KB for the same reason, and
/// it still raised false alarms on drawing parts of a few hundred KB compressed 100 times.
const RATIO_CHECK_MIN_BYTES: u64 = 100 * 1024 * 1024;

/// Largest accepted ratio of uncompressed to compressed size for large entries. Sheet XML
/// written by spreadsheet programs compresses about 8 to 20 times; deflate cannot exceed
/// about 1032 times, which zip bombs approach.
const MAX_COMPRESSION_RATIO: u64 = 100;

/// Checks the uncompressed sizes that `archive`'s central directory declares: their sum
/// must stay within `limits.max_unpacked_bytes`, and no large entry may be compressed more
/// than `MAX_COMPRESSION_RATIO` times.
pub(crate) fn check_zip_sizes<R: Read + Seek>(
    archive: &ZipArchive<R>,
    limits: &Limits,
) -> Result<(), ReadError> {
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index_data(index) else {
            continue;
        };
        let size = entry.size();
        total = total.saturating_add(size);
        let compressed = entry.compressed_size().max(1);
        if size >= RATIO_CHECK_MIN_BYTES && size / compressed > MAX_COMPRESSION_RATIO {
            let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
            return Err(ReadError::Limit(format!(
                "zip bomb: the part {name} unpacks to {size} bytes from {compressed}, more than {MAX_COMPRESSION_RATIO} times its compressed size; the file is not read"
            )));
        }
    }
    if total > limits.max_unpacked_bytes {
        return Err(ReadError::Limit(format!(
            "the package unpacks to {total} bytes, more than the limit of {} bytes (--max-unpacked-bytes); the file is not read: raise the limit if the file is genuine",
            limits.max_unpacked_bytes
        )));
    }
    Ok(())
}

/// Rows and columns that calamine 0.38 caps an ODS sheet at.
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;
/// Estimated bytes per cell that calamine keeps for an ODS sheet: a `Data` value (32 bytes)
/// and a formula `String` (24 bytes), text not included.
const ODS_CELL_BYTES: u64 = 56;
/// Copies of each cell's text that exist at once: calamine grows a string by doubling its
/// buffer, and the reader copies the text into its own cell.
const ODS_TEXT_COPIES: u64 = 3;

/// Checks what calamine will build from an OpenDocument spreadsheet before it opens it.
///
/// calamine 0.38 reads every ODS sheet into memory when it opens the file, and it writes
/// out `number-columns-repeated` and `number-rows-repeated` cells and `<text:s text:c>`
/// spaces. A 2 KB `content.xml` can thus ask for gigabytes. This pass follows those rules
/// over `content.xml` and rejects the file when a sheet would hold more than
/// `limits.max_cells_per_sheet` cells or all of them more than `limits.max_unpacked_bytes`
/// bytes (an estimate: `ODS_CELL_BYTES` per cell plus `ODS_TEXT_COPIES` times the text).
pub(crate) fn check_ods_content<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    limits: &Limits,
) -> Result<(), ReadError> {
    let Ok(entry) = archive.by_name("content.xml") else {
        // calamine reports the missing part when it opens the file.
        return Ok(());
    };
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(entry));
    let mut survey = OdsSurvey::default();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(event) => event,
            // calamine reports broken XML when it reads the part.
            Err(_) => break,
        };
        match event {
            Event::Start(e) => survey.start(&e, false),
            Event::Empty(e) => survey.start(&e, true),
            Event::End(e) => survey.end(e.name().as_ref()),
            Event::Text(t) => survey.text(t.len() as u64),
            Event::Eof => break,
            _ => {}
        }
        survey.check(limits)?;
    }
    survey.check(limits)
}

/// Running counts of the ODS pre-scan.
#[derive(Default)]
struct OdsSurvey {
    table: Option<String>,
    /// Cells calamine stores while it reads the rows, before row repeats are written out.
    stored_cells: u64,
    /// Rows from the first to the last non-empty one, repeats written out.
    dense_rows: u64,
    /// Widest non-empty row, in columns.
    width: u64,
    /// Empty rows since the last non-empty one; they count only if data follows.
    pending_empty_rows: u64,
    seen_data_row: bool,
    rows: u64,
    /// Text bytes of all sheets so far, repeats written out.
    text_bytes: u64,
    /// Bytes of the finished sheets.
    finished_bytes: u64,
    row: Option<OdsRow>,
    /// Repeats of the string cell whose content is being read.
    text_cell_repeats: Option<u64>,
}

#[derive(Default)]
struct OdsRow {
    repeats: u64,
    /// Columns so far, empty ones included.
    columns: u64,
    /// Columns up to the last non-empty cell.
    used_columns: u64,
    text_bytes: u64,
}

fn attribute_u64(element: &BytesStart<'_>, name: &str) -> Option<u64> {
    let attribute = element.try_get_attribute(name).ok()??;
    attribute.value.trim().parse().ok()
}

impl OdsSurvey {
    fn start(&mut self, element: &BytesStart<'_>, empty: bool) {
        match element.name().as_ref() {
            "table:table" => {
                self.finish_table();
                self.table = element
                    .try_get_attribute("table:name")
                    .ok()
                    .flatten()
                    .map(|a| a.value.into_owned());
            }
            "table:table-row" if !empty => {
                let remaining = ODS_MAX_ROWS.saturating_sub(self.rows);
                let repeats = attribute_u64(element, "table:number-rows-repeated")
                    .unwrap_or(1)
                    .min(remaining);
                self.rows += repeats;
                self.row = Some(OdsRow {
                    repeats,
                    ..OdsRow::default()
                });
            }
            "table:table-cell" | "table:covered-table-cell" => self.cell(element, empty),
            "text:s" => {
                let spaces = attribute_u64(element, "text:c").unwrap_or(1);
                self.text(spaces);
            }
            "text:tab" | "text:line-break" | "text:p" => self.text(1),
            _ => {}
        }
    }

    fn cell(&mut self, element: &BytesStart<'_>, empty: bool) {
        let Some(row) = self.row.as_mut() else {
            return;
        };
        let repeats = attribute_u64(element, "table:number-columns-repeated")
            .unwrap_or(1)
            .min(ODS_MAX_COLUMNS.saturating_sub(row.columns));
        let mut attribute_bytes = 0u64;
        let mut has_value = false;
        let mut is_string = false;
        for attribute in element.attributes().flatten() {
            let length = attribute.value.len() as u64;
            match attribute.key.as_ref() {
                "office:value"
                | "office:string-value"
                | "office:date-value"
                | "office:time-value"
                | "office:boolean-value" => {
                    has_value = true;
                    attribute_bytes += length;
                }
                "table:formula" => {
                    has_value |= length > 0;
                    attribute_bytes += length;
                }
                "office:value-type" => is_string = attribute.value.as_ref() == "string",
                _ => {}
            }
        }
        row.columns += repeats;
        if has_value || is_string {
            row.used_columns = row.columns;
            row.text_bytes = row
                .text_bytes
                .saturating_add(attribute_bytes.saturating_mul(repeats));
        }
        self.text_cell_repeats = (is_string && !empty).then_some(repeats);
    }

    fn text(&mut self, bytes: u64) {
        if let (Some(repeats), Some(row)) = (self.text_cell_repeats, self.row.as_mut()) {
            row.text_bytes = row.text_bytes.saturating_add(bytes.saturating_mul(repeats));
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "table:table-cell" | "table:covered-table-cell" => self.text_cell_repeats = None,
            "table:table-row" => self.finish_row(),
            "table:table" => self.finish_table(),
            _ => {}
        }
    }

    fn finish_row(&mut self) {
        let Some(row) = self.row.take() else {
            return;
        };
        if row.used_columns == 0 {
            self.pending_empty_rows = self.pending_empty_rows.saturating_add(row.repeats);
            return;
        }
        self.stored_cells = self.stored_cells.saturating_add(row.used_columns);
        if self.seen_data_row {
            self.dense_rows = self.dense_rows.saturating_add(self.pending_empty_rows);
        }
        self.seen_data_row = true;
        self.pending_empty_rows = 0;
        self.dense_rows = self.dense_rows.saturating_add(row.repeats);
        self.width = self.width.max(row.used_columns);
        self.text_bytes = self
            .text_bytes
            .saturating_add(row.text_bytes.saturating_mul(row.repeats.max(1)));
    }

    fn dense_cells(&self) -> u64 {
        self.dense_rows.saturating_mul(self.width)
    }

    /// Bytes of all sheets so far: stored cells, the dense grid and its text. Text counts
    /// `ODS_TEXT_COPIES` times.
    fn bytes(&self) -> u64 {
        let cells = self.stored_cells.saturating_add(self.dense_cells());
        self.finished_bytes
            .saturating_add(cells.saturating_mul(ODS_CELL_BYTES))
            .saturating_add(self.text_bytes.saturating_mul(ODS_TEXT_COPIES))
    }

    fn finish_table(&mut self) {
        self.finished_bytes = self.bytes();
        *self = OdsSurvey {
            finished_bytes: self.finished_bytes,
            ..OdsSurvey::default()
        };
    }

    fn check(&self, limits: &Limits) -> Result<(), ReadError> {
        let sheet = self.table.as_deref().unwrap_or("?");
        let cells = self.stored_cells.max(self.dense_cells());
        if cells > limits.max_cells_per_sheet {
            return Err(ReadError::Limit(format!(
                "sheet {sheet} has more than {} cells once its repeated rows and columns are written out; calamine reads every sheet of an .ods at once, so no sheet of this file is read: save it as .xlsx or raise --max-sheet-cells",
                limits.max_cells_per_sheet
            )));
        }
        if self.bytes() > limits.max_unpacked_bytes {
            return Err(ReadError::Limit(format!(
                "the sheets of this .ods would take more than {} bytes in memory once repeated cells and spaces are written out (--max-unpacked-bytes); the file is not read",
                limits.max_unpacked_bytes
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read, Write};
    use zip::write::SimpleFileOptions;

    fn package(entries: &[(&str, &[u8])]) -> ZipArchive<Cursor<Vec<u8>>> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .expect("entry starts");
            writer.write_all(bytes).expect("entry is written");
        }
        let bytes = writer.finish().expect("archive is finished").into_inner();
        ZipArchive::new(Cursor::new(bytes)).expect("archive opens")
    }

    #[test]
    fn total_size_over_limit_is_rejected() {
        let archive = package(&[("a.xml", &[b'a'; 600]), ("b.xml", &[b'b'; 600])]);
        let limits = Limits {
            max_unpacked_bytes: 1000,
            ..Limits::default()
        };
        let error = check_zip_sizes(&archive, &limits).expect_err("1200 bytes > 1000");
        assert!(matches!(error, ReadError::Limit(_)));
        assert!(error.to_string().contains("1200 bytes"), "{error}");
    }

    fn ods_content(rows: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    }

    fn check_ods(rows: &str, limits: &Limits) -> Result<(), ReadError> {
        let content = ods_content(rows);
        let mut archive = package(&[("content.xml", content.as_bytes())]);
        check_ods_content(&mut archive, limits)
    }

    #[test]
    fn ods_trailing_empty_repeats_pass() {
        // LibreOffice ends a sheet with its empty rows and columns written as repeats.
        let rows = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1023"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
        assert!(check_ods(rows, &Limits::default()).is_ok());
    }

    #[test]
    fn ods_repeated_rows_count_as_cells() {
        let rows = r#"<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="100" office:value-type="float" office:value="1"/></table:table-row>"#;
        let limits = Limits {
            max_cells_per_sheet: 99_999,
            ..Limits::default()
        };
        let error = check_ods(rows, &limits).expect_err("100,000 cells > 99,999");
        assert!(
            error
                .to_string()
                .starts_with("sheet S1 has more than 99999 cells"),
            "{error}"
        );
        let limits = Limits {
            max_cells_per_sheet: 100_000,
            ..Limits::default()
        };
        assert!(check_ods(rows, &limits).is_ok());
    }

    #[test]
    fn ods_empty_rows_between_data_count() {
        let data = r#"<table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row>"#;
        let gap = r#"<table:table-row table:number-rows-repeated="500"><table:table-cell/></table:table-row>"#;
        let limits = Limits {
            max_cells_per_sheet: 501,
            ..Limits::default()
        };
        assert!(check_ods(&format!("{data}{gap}{data}"), &limits).is_err());
        assert!(check_ods(&format!("{gap}{data}{gap}"), &limits).is_ok());
    }

    #[test]
    fn ods_expanded_spaces_count_as_bytes() {
        let rows = r#"<table:table-row><table:table-cell office:value-type="string"><text:p><text:s text:c="400000"/></text:p></table:table-cell></table:table-row>"#;
        let limits = Limits {
            max_unpacked_bytes: 1_000_000,
            ..Limits::default()
        };
        assert!(check_ods(rows, &limits).is_err());
        let limits = Limits {
            max_unpacked_bytes: 2_000_000,
            ..Limits::default()
        };
        assert!(check_ods(rows, &limits).is_ok());
    }

    /// Returns a one-entry archive whose central directory declares `declared` bytes for
    /// an entry that contains `actual` bytes.
    fn misdeclared(actual: usize, declared: u32) -> ZipArchive<Cursor<Vec<u8>>> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer
            .start_file("xl/worksheets/sheet1.xml", SimpleFileOptions::default())
            .expect("entry starts");
        writer
            .write_all(&vec![b' '; actual])
            .expect("entry is written");
        let mut bytes = writer.finish().expect("archive is finished").into_inner();
        // The uncompressed size sits 24 bytes into the central directory header.
        let header = bytes
            .windows(4)
            .position(|w| w == b"PK\x01\x02")
            .expect("the archive has a central directory");
        bytes[header + 24..header + 28].copy_from_slice(&declared.to_le_bytes());
        ZipArchive::new(Cursor::new(bytes)).expect("archive opens")
    }

    #[test]
    fn highly_compressed_large_part_is_a_bomb() {
        let archive = misdeclared(1000, 200 << 20);
        let error = check_zip_sizes(&archive, &Limits::default()).expect_err("ratio > 100");
        assert!(
            error
                .to_string()
                .starts_with("zip bomb: the part xl/worksheets/sheet1.xml"),
            "{error}"
        );
    }

    #[test]
    fn understated_size_stops_the_read() {
        // The zip crate must not yield more than the declared size, or the checks above
        // would not bound what calamine reads.
        let mut archive = misdeclared(100_000, 10);
        let mut entry = archive.by_index(0).expect("entry opens");
        let mut content = Vec::new();
        let result = entry.read_to_end(&mut content);
        assert!(result.is_err(), "read {} bytes", content.len());
        // zip 9.9 reads one byte past the declared size to detect the overrun.
        assert!(content.len() <= 11, "read {} bytes", content.len());
    }

    #[test]
    fn size_at_limit_passes() {
        let archive = package(&[("a.xml", &[b'a'; 1000])]);
        let limits = Limits {
            max_unpacked_bytes: 1000,
            ..Limits::default()
        };
        assert!(check_zip_sizes(&archive, &limits).is_ok());
    }
}
