//! Spreadsheets (xlsx, xlsm, xlsb, xls, ods) through calamine, every sheet including
//! hidden ones.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{
    Data, Ods, OdsError, Range, Reader, SheetType, SheetVisible, Xls, XlsError, Xlsb, XlsbError,
    Xlsx, XlsxError,
};
use zip::ZipArchive;
use zip::result::ZipError;

use super::cells::cell_from_data;
use super::ole::{self, OleContent};
use super::package;
use super::sheet_stream::read_streamed_sheet;
use super::{
    FileRead, Format, Limits, ReadError, Row, TableMeta, TableVisitor, Visibility,
    catch_dependency_panic,
};

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
pub(crate) const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

const TRUNCATED_ZIP: &str = "truncated or damaged zip archive (no central directory); the file is incomplete: export it again";

/// Workbook kinds as read from the container, which can contradict the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WorkbookKind {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

/// Reads every sheet of a workbook; the container decides the reader, not `format`.
pub(crate) fn read_workbook(
    path: &Path,
    format: Format,
    limits: &Limits,
    visitor: &mut dyn TableVisitor,
) -> Result<FileRead, ReadError> {
    let mut notes = Vec::new();
    let kind = workbook_kind(path, limits)?;
    let expected = match format {
        Format::Xlsb => WorkbookKind::Xlsb,
        Format::Xls => WorkbookKind::Xls,
        Format::Ods => WorkbookKind::Ods,
        _ => WorkbookKind::Xlsx,
    };
    if kind != expected {
        notes.push(format!(
            "content is {}, read as such",
            kind_description(kind)
        ));
    }
    log::debug!("{}: read as {kind:?}", path.display());
    match kind {
        WorkbookKind::Xlsx => read_xlsx(path, limits, visitor)?,
        WorkbookKind::Xlsb => read_xlsb(path, limits, visitor)?,
        WorkbookKind::Xls => {
            ole::check_xls(path, limits)?;
            read_xls(path, limits, visitor)?
        }
        WorkbookKind::Ods => read_ods(path, limits, visitor)?,
    }
    Ok(FileRead {
        encoding: None,
        delimiter: None,
        notes,
        unread: Vec::new(),
    })
}

fn kind_description(kind: WorkbookKind) -> &'static str {
    match kind {
        WorkbookKind::Xlsx => "an .xlsx workbook",
        WorkbookKind::Xlsb => "an .xlsb workbook",
        WorkbookKind::Ods => "an OpenDocument spreadsheet",
        WorkbookKind::Xls => "a legacy .xls workbook",
    }
}

/// Identifies the workbook container and runs the checks that must come before
/// calamine opens it.
fn workbook_kind(path: &Path, limits: &Limits) -> Result<WorkbookKind, ReadError> {
    let mut file = super::open_input(path)?;
    let mut magic = Vec::with_capacity(OLE_MAGIC.len());
    file.by_ref()
        .take(OLE_MAGIC.len() as u64)
        .read_to_end(&mut magic)?;
    if magic.is_empty() {
        return Err(ReadError::Empty);
    }
    if magic.starts_with(OLE_MAGIC) {
        return match ole::inspect(path)? {
            OleContent::EncryptedPackage => Err(ReadError::Encrypted),
            OleContent::Workbook => Ok(WorkbookKind::Xls),
            OleContent::Other => Err(ReadError::Unsupported(
                "an OLE compound file without a workbook stream (a Word or Outlook file?), not a spreadsheet".to_string(),
            )),
        };
    }
    if !magic.starts_with(ZIP_MAGIC) && !magic.starts_with(EMPTY_ZIP_MAGIC) {
        return Err(ReadError::Corrupt(
            "not a spreadsheet: the content is neither a zip package (.xlsx, .ods) nor an OLE file (.xls)".to_string(),
        ));
    }
    let file = super::open_input(path)?;
    let mut archive = ZipArchive::new(BufReader::new(file)).map_err(zip_open_error)?;
    package::check_zip_sizes(&archive, limits)?;
    let kind = zip_workbook_kind(&mut archive)?;
    if kind == WorkbookKind::Xlsx {
        check_shared_strings(&mut archive, limits)?;
    }
    if kind == WorkbookKind::Ods {
        package::check_ods_content(&mut archive, limits)?;
    }
    Ok(kind)
}

fn zip_workbook_kind<R: Read + std::io::Seek>(
    archive: &mut ZipArchive<R>,
) -> Result<WorkbookKind, ReadError> {
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.to_ascii_lowercase())
        .collect();
    if names.iter().any(|n| n == "mimetype") {
        let mut mimetype = Vec::new();
        if let Ok(entry) = archive.by_name("mimetype") {
            let _ = entry
                .take(ODS_MIMETYPE.len() as u64 + 16)
                .read_to_end(&mut mimetype);
        }
        if mimetype.starts_with(ODS_MIMETYPE) {
            return Ok(WorkbookKind::Ods);
        }
    }
    if names
        .iter()
        .any(|n| n.starts_with("xl/") && n.ends_with(".bin") && n.contains("workbook"))
    {
        return Ok(WorkbookKind::Xlsb);
    }
    if names
        .iter()
        .any(|n| n.starts_with("xl/") || n.ends_with("workbook.xml"))
    {
        return Ok(WorkbookKind::Xlsx);
    }
    let content = if names.iter().any(|n| n.starts_with("word/")) {
        "a Word document (.docx)"
    } else if names.iter().any(|n| n.starts_with("ppt/")) {
        "a PowerPoint presentation (.pptx)"
    } else {
        "a zip archive without a workbook"
    };
    Err(ReadError::Unsupported(format!(
        "the content is {content}, not a spreadsheet"
    )))
}

/// Maps an error from opening the zip container, which fails when the central directory
/// at the end of the file is missing or damaged.
fn zip_open_error(error: ZipError) -> ReadError {
    match error {
        ZipError::Io(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => ReadError::Io(e),
        ZipError::UnsupportedArchive(what) => {
            ReadError::Unsupported(format!("unsupported zip archive: {what}"))
        }
        _ => ReadError::Corrupt(TRUNCATED_ZIP.to_string()),
    }
}

/// Maps an error from reading an entry of an opened zip container.
fn zip_entry_error(error: ZipError) -> ReadError {
    match error {
        ZipError::Io(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => ReadError::Io(e),
        ZipError::UnsupportedArchive(what) => {
            ReadError::Unsupported(format!("unsupported zip archive: {what}"))
        }
        other => ReadError::Corrupt(format!(
            "damaged zip archive ({other}): export the file again"
        )),
    }
}

/// Rejects a shared-string table whose declared size is far above its real size.
///
/// calamine 0.38 reserves `uniqueCount` strings (24 bytes each) before reading
/// `sharedStrings.xml`, so a 3 KB file declaring 10^12 strings would abort the process
/// on the failed allocation. The entries are counted here first; a count the file
/// cannot back is an error, anything plausible passes.
fn check_shared_strings<R: Read + std::io::Seek>(
    archive: &mut ZipArchive<R>,
    limits: &Limits,
) -> Result<(), ReadError> {
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .map(|n| n.to_string())
        .collect();
    for name in names {
        let entry = archive.by_name(&name).map_err(zip_entry_error)?;
        let (declared, counted) = count_shared_strings(BufReader::new(entry))?;
        let tolerated = counted
            .saturating_mul(2)
            .saturating_add(limits.max_cells_per_sheet.min(1_000_000));
        if declared > tolerated {
            return Err(ReadError::Corrupt(format!(
                "{name} declares {declared} shared strings but contains {counted}; the workbook is damaged: open it in Excel and save it again"
            )));
        }
    }
    Ok(())
}

/// Returns the `uniqueCount` attribute of `<sst>` and the number of `<si>` entries.
fn count_shared_strings(reader: impl std::io::BufRead) -> Result<(u64, u64), ReadError> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut buf = Vec::new();
    let mut declared = 0u64;
    let mut counted = 0u64;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                "sst" => {
                    if let Ok(Some(attribute)) = e.try_get_attribute("uniqueCount") {
                        declared = attribute.value.trim().parse().unwrap_or(u64::MAX);
                    }
                }
                "si" => counted += 1,
                _ => {}
            },
            Ok(Event::Eof) => break,
            // calamine reports broken XML when it reads the part.
            Err(_) => break,
            Ok(_) => {}
        }
    }
    Ok((declared, counted))
}

fn visibility(visible: SheetVisible) -> Visibility {
    match visible {
        SheetVisible::Visible => Visibility::Visible,
        SheetVisible::Hidden => Visibility::Hidden,
        SheetVisible::VeryHidden => Visibility::VeryHidden,
    }
}

/// Sheets worth visiting: chart sheets and VBA modules hold no cells.
fn cell_sheets(sheets: &[calamine::Sheet]) -> Vec<(String, Visibility)> {
    sheets
        .iter()
        .filter(|s| !matches!(s.typ, SheetType::ChartSheet | SheetType::Vba))
        .map(|s| (s.name.clone(), visibility(s.visible)))
        .collect()
}

fn sheet_meta(name: &str, visible: Visibility) -> TableMeta {
    TableMeta {
        name: Some(name.to_string()),
        visibility: Some(visible),
        ..TableMeta::default()
    }
}

/// Visits a table whose only item is `error`, for a sheet that cannot be read.
pub(crate) fn visit_failed_sheet(
    meta: &TableMeta,
    error: ReadError,
    visitor: &mut dyn TableVisitor,
) {
    let mut rows = std::iter::once(Err(error));
    visitor.table(meta, &mut rows);
}

fn open_workbook<W, E>(path: &Path, describe: impl Fn(E) -> ReadError) -> Result<W, ReadError>
where
    W: Reader<BufReader<File>, Error = E>,
{
    let file = BufReader::new(super::open_input(path)?);
    catch_dependency_panic("opening the workbook", || W::new(file).map_err(describe))
}

fn xlsx_open_error(error: XlsxError) -> ReadError {
    match error {
        XlsxError::Password => ReadError::Encrypted,
        XlsxError::Zip(e) => zip_entry_error(e),
        XlsxError::Io(e) => ReadError::Io(e),
        other => ReadError::Corrupt(format!(
            "damaged workbook ({}): open it in Excel and save it again",
            describe_xlsx_error(&other)
        )),
    }
}

/// Describes a calamine xlsx error without the cell text that some variants carry.
pub(crate) fn describe_xlsx_error(error: &XlsxError) -> String {
    match error {
        XlsxError::Unrecognized { typ, .. } => format!("unrecognized {typ}"),
        XlsxError::CellError(_) => "unsupported cell error value".to_string(),
        XlsxError::CellTAttribute(_) => "unknown cell type attribute".to_string(),
        XlsxError::Xml(e) => describe_xml_error(e),
        XlsxError::XmlAttr(_) => "malformed XML attribute".to_string(),
        XlsxError::Encoding(_) => "invalid text encoding".to_string(),
        other => other.to_string(),
    }
}

/// Describes a calamine xlsb error without the cell text that some variants carry.
pub(crate) fn describe_xlsb_error(error: &XlsbError) -> String {
    match error {
        XlsbError::Unrecognized { typ, .. } => format!("unrecognized {typ}"),
        XlsbError::Xml(e) => describe_xml_error(e),
        XlsbError::XmlAttr(_) => "malformed XML attribute".to_string(),
        XlsbError::Encoding(_) => "invalid text encoding".to_string(),
        other => other.to_string(),
    }
}

/// Describes a calamine ODS error without the XML content that some variants quote (a
/// mismatch quotes the text it found, which can be a cell value).
fn describe_ods_error(error: &OdsError) -> String {
    match error {
        OdsError::Mismatch { expected, .. } => format!("expected {expected}, found other content"),
        OdsError::Xml(e) => describe_xml_error(e),
        OdsError::XmlAttr(_) | OdsError::AttrError(_) => "malformed XML attribute".to_string(),
        OdsError::InvalidMime(_) => "invalid mimetype".to_string(),
        OdsError::EncodingError(_) => "invalid text encoding".to_string(),
        other => other.to_string(),
    }
}

/// Describes an XML error of quick-xml. Only syntax errors keep their text, because the
/// others quote names and entities from the document, which can be cell values.
fn describe_xml_error(error: &quick_xml::Error) -> String {
    match error {
        quick_xml::Error::Syntax(syntax) => format!("malformed XML: {syntax}"),
        _ => "malformed XML".to_string(),
    }
}

fn read_xlsx(
    path: &Path,
    limits: &Limits,
    visitor: &mut dyn TableVisitor,
) -> Result<(), ReadError> {
    let mut workbook: Xlsx<BufReader<File>> = open_workbook(path, xlsx_open_error)?;
    for (name, visible) in cell_sheets(workbook.sheets_metadata()) {
        let mut meta = sheet_meta(&name, visible);
        read_streamed_sheet(&mut workbook, &mut meta, limits, visitor);
    }
    Ok(())
}

fn read_xlsb(
    path: &Path,
    limits: &Limits,
    visitor: &mut dyn TableVisitor,
) -> Result<(), ReadError> {
    let open_error = |error: XlsbError| match error {
        XlsbError::Password => ReadError::Encrypted,
        XlsbError::Zip(e) => zip_entry_error(e),
        XlsbError::Io(e) => ReadError::Io(e),
        other => ReadError::Corrupt(format!(
            "damaged workbook ({}): open it in Excel and save it again",
            describe_xlsb_error(&other)
        )),
    };
    let mut workbook: Xlsb<BufReader<File>> = open_workbook(path, open_error)?;
    for (name, visible) in cell_sheets(workbook.sheets_metadata()) {
        let mut meta = sheet_meta(&name, visible);
        read_streamed_sheet(&mut workbook, &mut meta, limits, visitor);
    }
    Ok(())
}

fn read_xls(path: &Path, limits: &Limits, visitor: &mut dyn TableVisitor) -> Result<(), ReadError> {
    let open_error = |error: XlsError| match error {
        XlsError::Password => ReadError::Encrypted,
        XlsError::Io(e) => ReadError::Io(e),
        other => ReadError::Corrupt(format!(
            "damaged .xls workbook ({other}): open it in Excel and save it again"
        )),
    };
    let mut workbook: Xls<BufReader<File>> = open_workbook(path, open_error)?;
    for (name, visible) in cell_sheets(workbook.sheets_metadata()) {
        let meta = sheet_meta(&name, visible);
        let range = catch_dependency_panic("reading a sheet", || {
            workbook
                .worksheet_range(&name)
                .map_err(|e| ReadError::Corrupt(format!("sheet cannot be read: {e}")))
        });
        visit_range(meta, range, limits, visitor);
    }
    Ok(())
}

/// Reads an OpenDocument spreadsheet.
///
/// calamine 0.38 parses every ODS sheet into memory when it opens the file, so
/// `package::check_ods_content` has sized the sheets against the limits before this runs.
fn read_ods(path: &Path, limits: &Limits, visitor: &mut dyn TableVisitor) -> Result<(), ReadError> {
    let open_error = |error: OdsError| match error {
        OdsError::Password => ReadError::Encrypted,
        OdsError::Zip(e) => zip_entry_error(e),
        OdsError::Io(e) => ReadError::Io(e),
        other => ReadError::Corrupt(format!(
            "damaged OpenDocument spreadsheet ({}): open it and save it again",
            describe_ods_error(&other)
        )),
    };
    let mut workbook: Ods<BufReader<File>> = open_workbook(path, open_error)?;
    for (name, visible) in cell_sheets(workbook.sheets_metadata()) {
        let meta = sheet_meta(&name, visible);
        let range = catch_dependency_panic("reading a sheet", || {
            workbook.worksheet_range(&name).map_err(|e| {
                ReadError::Corrupt(format!("sheet cannot be read: {}", describe_ods_error(&e)))
            })
        });
        visit_range(meta, range, limits, visitor);
    }
    Ok(())
}

/// Visits a sheet that calamine has already read into a dense range.
fn visit_range(
    mut meta: TableMeta,
    range: Result<Range<Data>, ReadError>,
    limits: &Limits,
    visitor: &mut dyn TableVisitor,
) {
    let range = match range {
        Ok(range) => range,
        Err(error) => return visit_failed_sheet(&meta, error, visitor),
    };
    let (height, width) = range.get_size();
    let cells = height as u64 * width as u64;
    if cells > limits.max_cells_per_sheet {
        let error = ReadError::Limit(format!(
            "sheet spans {height} rows by {width} columns ({cells} cells), more than the limit of {} cells; the sheet is not read",
            limits.max_cells_per_sheet
        ));
        return visit_failed_sheet(&meta, error, visitor);
    }
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    meta.first_column = first_column;
    let mut rows = range.rows().enumerate().filter_map(|(offset, values)| {
        let used = values.iter().rposition(|v| !matches!(v, Data::Empty))?;
        let cells = values[..=used].iter().map(cell_from_data).collect();
        Some(Ok(Row {
            index: u64::from(first_row) + offset as u64,
            cells,
        }))
    });
    visitor.table(&meta, &mut rows);
}
