//! Spreadsheets: cell kinds, absolute positions, hidden sheets, damaged and encrypted
//! workbooks, and sheets sized to exhaust memory.

mod read_support;

use std::io::Write;
use std::path::{Path, PathBuf};

use exportscan::read::{CellKind, Format, Limits, ReadError, Visibility};
use read_support::{expected, fixture, read_as, read_ok, sniff, texts};
use zip::write::SimpleFileOptions;

/// One worksheet of a generated workbook.
struct SheetXml<'a> {
    name: &'a str,
    state: Option<&'a str>,
    /// Everything inside `<worksheet>`, such as `<dimension .../><sheetData>...</sheetData>`.
    body: String,
}

/// Writes a minimal xlsx package; `shared_strings` and `styles` are whole XML parts.
fn write_xlsx(
    path: &Path,
    sheets: &[SheetXml<'_>],
    workbook_pr: &str,
    shared_strings: Option<&str>,
    styles: Option<&str>,
) {
    let file = std::fs::File::create(path).expect("temp dir is writable");
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut add = |name: &str, content: &str| {
        zip.start_file(name, options).expect("zip entry starts");
        zip.write_all(content.as_bytes())
            .expect("zip entry is written");
    };
    add(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    let mut sheet_elements = String::new();
    let mut relationships = String::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let n = i + 1;
        let state = sheet
            .state
            .map(|s| format!(r#" state="{s}""#))
            .unwrap_or_default();
        sheet_elements.push_str(&format!(
            r#"<sheet name="{}" sheetId="{n}"{state} r:id="rId{n}"/>"#,
            sheet.name
        ));
        relationships.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        add(
            &format!("xl/worksheets/sheet{n}.xml"),
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{}</worksheet>"#,
                sheet.body
            ),
        );
    }
    add(
        "xl/workbook.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{workbook_pr}<sheets>{sheet_elements}</sheets></workbook>"#
        ),
    );
    add(
        "xl/_rels/workbook.xml.rels",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{relationships}</Relationships>"#
        ),
    );
    if let Some(shared_strings) = shared_strings {
        add("xl/sharedStrings.xml", shared_strings);
    }
    if let Some(styles) = styles {
        add("xl/styles.xml", styles);
    }
    zip.finish().expect("zip is finished");
}

fn inline(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

fn temp_path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

#[test]
fn numeric_ids_render_in_full() {
    let (_, collect) = read_ok(&fixture("case-01", "input.xlsx"));
    let table = collect.table("花名册");
    assert!(table.errors().is_empty());
    assert_eq!(table.meta.first_column, 0);
    let case = expected("case-01");
    for expected_row in case["rows"].as_array().expect("rows") {
        let index = expected_row["row"].as_u64().expect("row");
        let row = table
            .row(index)
            .unwrap_or_else(|| panic!("row {index} missing"));
        assert_eq!(
            row.cells[1].text,
            expected_row["id_as_stored"].as_str().expect("id"),
            "row {index} column B"
        );
        assert_eq!(
            row.cells[2].text,
            expected_row["card_as_stored"].as_str().expect("card"),
            "row {index} column C"
        );
        assert_eq!(
            row.cells[3].text,
            expected_row["mobile"].as_str().expect("mobile"),
            "row {index} column D"
        );
        assert_eq!(row.cells[2].kind, CellKind::Number);
    }
    // The ID ending in X was typed as text and stays text.
    let last = table.row(4).expect("row 4");
    assert_eq!(last.cells[1].kind, CellKind::Text);
    assert_eq!(table.row(1).expect("row 1").cells[1].kind, CellKind::Number);
}

#[test]
fn report_sheet_keeps_absolute_positions() {
    let (_, collect) = read_ok(&fixture("case-09", "input.xlsx"));
    let table = collect.table("员工");
    assert_eq!(table.meta.first_column, 1);
    let sheet = &expected("case-09")["files"]["input.xlsx"]["sheets"]["员工"];
    let header_row = sheet["header_row_absolute_0based"]
        .as_u64()
        .expect("header row");
    let header = table.row(header_row).expect("header row is present");
    assert_eq!(header.cells.len(), 5);
    assert_eq!(header.cells[0].text, "序号");
    for index in sheet["data_rows_absolute_0based"]
        .as_array()
        .expect("data rows")
    {
        let index = index.as_u64().expect("row index");
        let row = table
            .row(index)
            .unwrap_or_else(|| panic!("data row {index} missing"));
        assert_eq!(row.cells.len(), 5, "data row {index}");
    }
    assert!(table.row(0).is_some());
    assert!(table.row(2).is_none());
    assert!(table.row(9).is_some());
}

#[test]
fn hidden_sheets_in_xlsx_are_read() {
    let (_, collect) = read_ok(&fixture("case-11", "input.xlsx"));
    let names: Vec<&str> = collect
        .tables
        .iter()
        .filter_map(|t| t.meta.name.as_deref())
        .collect();
    assert_eq!(names, ["说明", "原始数据", "备份", "Sheet4"]);
    assert_eq!(
        collect.table("说明").meta.visibility,
        Some(Visibility::Visible)
    );
    assert_eq!(
        collect.table("原始数据").meta.visibility,
        Some(Visibility::Hidden)
    );
    assert_eq!(
        collect.table("备份").meta.visibility,
        Some(Visibility::VeryHidden)
    );
    assert_eq!(collect.table("原始数据").rows().len(), 4);
    assert_eq!(collect.table("备份").rows().len(), 3);
    let empty = collect.table("Sheet4");
    assert!(empty.items.is_empty());
}

#[test]
fn hidden_sheets_in_xls_are_read() {
    let path = fixture("case-11", "legacy.xls");
    assert_eq!(sniff(&path).format, Format::Xls);
    let (_, collect) = read_ok(&path);
    assert_eq!(
        collect.table("说明").meta.visibility,
        Some(Visibility::Visible)
    );
    assert_eq!(
        collect.table("数据").meta.visibility,
        Some(Visibility::Hidden)
    );
    assert_eq!(
        collect.table("旧备份").meta.visibility,
        Some(Visibility::VeryHidden)
    );
    let data = collect.table("数据");
    assert_eq!(data.rows().len(), 3);
    assert_eq!(data.rows()[0].cells.len(), 3);
    assert_eq!(collect.table("旧备份").rows().len(), 2);
}

#[test]
fn encrypted_workbook_is_reported() {
    let path = fixture("case-12", "工资表_加密.xlsx");
    let sniffed = sniff(&path);
    assert_eq!(sniffed.format, Format::Xlsx);
    assert_eq!(sniffed.mismatch, None);
    let (result, collect) = read_as(&path, sniffed.format, &Limits::default());
    assert!(matches!(result, Err(ReadError::Encrypted)), "{result:?}");
    assert!(collect.tables.is_empty());
    // Read as .xls (the OLE container) it is still encrypted.
    let (result, _) = read_as(&path, Format::Xls, &Limits::default());
    assert!(matches!(result, Err(ReadError::Encrypted)), "{result:?}");
}

#[test]
fn truncated_zip_is_corrupt() {
    let path = fixture("case-12", "客户名单.xlsx");
    let (result, _) = read_as(&path, sniff(&path).format, &Limits::default());
    match result {
        Err(ReadError::Corrupt(message)) => {
            assert!(
                message.contains("truncated or damaged zip archive"),
                "{message}"
            );
            assert!(message.contains("export it again"), "{message}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn header_line_break_and_blank() {
    let (_, collect) = read_ok(&fixture("case-19", "input.xlsx"));
    let table = collect.table("Sheet1");
    let header = table.row(0).expect("header");
    assert_eq!(header.cells.len(), 7);
    assert_eq!(header.cells[4].kind, CellKind::Empty);
    assert!(header.cells[5].text.contains('\n'));
    assert_eq!(header.cells[2].text, header.cells[3].text);
    assert_eq!(table.rows().len(), 4);
}

#[test]
fn declared_huge_dimension_is_harmless() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "dimension.xlsx");
    let body = format!(
        r#"<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{}{}</row><row r="2">{}</row></sheetData>"#,
        inline("A1", "姓名"),
        inline("B1", "手机号"),
        inline("A2", "张三")
    );
    write_xlsx(
        &path,
        &[SheetXml {
            name: "S",
            state: None,
            body,
        }],
        "",
        None,
        None,
    );
    assert!(std::fs::metadata(&path).expect("written").len() < 3000);
    let (_, collect) = read_ok(&path);
    let table = collect.table("S");
    assert!(table.errors().is_empty());
    assert_eq!(table.rows().len(), 2);
    assert_eq!(texts(table.rows()[0]), ["姓名", "手机号"]);
}

#[test]
fn far_apart_cells_stream_in_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "corners.xlsx");
    let corners = format!(
        r#"<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{}</row><row r="1048576">{}</row></sheetData>"#,
        inline("A1", "a"),
        inline("XFD1048576", "b")
    );
    let good = format!(
        r#"<sheetData><row r="1">{}</row></sheetData>"#,
        inline("A1", "ok")
    );
    let sheets = [
        SheetXml {
            name: "big",
            state: None,
            body: corners,
        },
        SheetXml {
            name: "small",
            state: None,
            body: good,
        },
    ];
    write_xlsx(&path, &sheets, "", None, None);
    // A dense grid over A1:XFD1048576 would hold 17 billion cells; row by row the
    // sheet costs 1 + 16384.
    let (result, collect) = read_as(&path, Format::Xlsx, &Limits::default());
    assert!(result.is_ok());
    let big = collect.table("big");
    assert!(big.errors().is_empty());
    let rows = big.rows();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].index, 1_048_575);
    assert_eq!(rows[1].cells.len(), 16_384);
    assert_eq!(rows[1].cells[16_383].text, "b");
    let small = collect.table("small");
    assert_eq!(texts(small.rows()[0]), ["ok"]);

    // Under a small limit the padded row counts, and only that sheet is cut short.
    let limits = Limits {
        max_cells_per_sheet: 10_000,
        ..Limits::default()
    };
    let (result, collect) = read_as(&path, Format::Xlsx, &limits);
    assert!(result.is_ok());
    let big = collect.table("big");
    // Row 1 is within the limit; the padded last row is not.
    assert_eq!(big.rows().len(), 1);
    assert_eq!(texts(big.rows()[0]), ["a"]);
    assert!(matches!(big.errors()[..], [ReadError::Limit(_)]));
    assert_eq!(texts(collect.table("small").rows()[0]), ["ok"]);
}

#[test]
fn cell_count_limit_applies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "many.xlsx");
    let mut rows = String::new();
    for r in 1..=30 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r}</v></c></row>"#
        ));
    }
    write_xlsx(
        &path,
        &[SheetXml {
            name: "S",
            state: None,
            body: format!("<sheetData>{rows}</sheetData>"),
        }],
        "",
        None,
        None,
    );
    let limits = Limits {
        max_cells_per_sheet: 50,
        ..Limits::default()
    };
    let (_, collect) = read_as(&path, Format::Xlsx, &limits);
    let table = collect.table("S");
    // The 25 rows within the limit are read, and the limit ends the sheet.
    assert_eq!(table.rows().len(), 25);
    assert!(matches!(table.errors()[..], [ReadError::Limit(_)]));
    let (_, collect) = read_as(&path, Format::Xlsx, &Limits::default());
    assert_eq!(collect.table("S").rows().len(), 30);
}

#[test]
fn inflated_shared_string_count_is_corrupt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "sst.xlsx");
    let sst = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="999999999999"><si><t>x</t></si></sst>"#;
    let body =
        r#"<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>"#.to_string();
    write_xlsx(
        &path,
        &[SheetXml {
            name: "S",
            state: None,
            body,
        }],
        "",
        Some(sst),
        None,
    );
    let (result, _) = read_as(&path, Format::Xlsx, &Limits::default());
    match result {
        Err(ReadError::Corrupt(message)) => {
            assert!(message.contains("shared strings"), "{message}")
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

/// Styles with one date format (`numFmtId` 14) at `s="1"`.
const DATE_STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#;

#[test]
fn date_system_1904_is_honoured() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (workbook_pr, serial) in [
        (r#"<workbookPr date1904="1"/>"#, 44481),
        ("<workbookPr/>", 45943),
    ] {
        let path = temp_path(&dir, "dates.xlsx");
        let body = format!(
            r#"<sheetData><row r="1"><c r="A1" s="1"><v>{serial}</v></c><c r="B1" s="1"><v>{serial}.5</v></c><c r="C1" t="b"><v>1</v></c><c r="D1" t="e"><v>#N/A</v></c></row></sheetData>"#
        );
        write_xlsx(
            &path,
            &[SheetXml {
                name: "S",
                state: None,
                body,
            }],
            workbook_pr,
            None,
            Some(DATE_STYLES),
        );
        let (_, collect) = read_ok(&path);
        let row = collect.table("S").rows()[0].clone();
        assert_eq!(row.cells[0].kind, CellKind::Date, "{workbook_pr}");
        assert_eq!(row.cells[0].text, "2025-10-13", "{workbook_pr}");
        assert_eq!(row.cells[1].text, "2025-10-13T12:00:00", "{workbook_pr}");
        assert_eq!(row.cells[2].kind, CellKind::Bool);
        assert_eq!(row.cells[3].kind, CellKind::Error);
        assert_eq!(row.cells[3].text, "#N/A");
    }
}

#[test]
fn damaged_cell_is_skipped_with_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "badcell.xlsx");
    let body = format!(
        r#"<sheetData><row r="1">{}</row><row r="2"><c r="A2" t="b"><v>maybe</v></c>{}</row><row r="3">{}</row></sheetData>"#,
        inline("A1", "h"),
        inline("B2", "kept"),
        inline("A3", "after")
    );
    write_xlsx(
        &path,
        &[SheetXml {
            name: "S",
            state: None,
            body,
        }],
        "",
        None,
        None,
    );
    let (_, collect) = read_ok(&path);
    let table = collect.table("S");
    assert_eq!(table.errors().len(), 1);
    // calamine's error does not say where the cell was, so the row is the last one read.
    assert!(
        matches!(table.errors()[0], ReadError::Row { row: 0, .. }),
        "{:?}",
        table.errors()
    );
    let row = table.row(1).expect("row 2 keeps its good cell");
    assert_eq!(row.cells[1].text, "kept");
    assert_eq!(texts(table.row(2).expect("row 3")), ["after"]);
}

#[test]
fn broken_sheet_xml_keeps_other_sheets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "broken.xlsx");
    let broken = format!(
        r#"<sheetData><row r="1">{}</row><row r="2"><c r="A2" t="inlineStr"><is><t>cut"#,
        inline("A1", "first")
    );
    let good = format!(
        r#"<sheetData><row r="1">{}</row></sheetData>"#,
        inline("A1", "ok")
    );
    let sheets = [
        SheetXml {
            name: "broken",
            state: None,
            body: broken,
        },
        SheetXml {
            name: "good",
            state: None,
            body: good,
        },
    ];
    write_xlsx(&path, &sheets, "", None, None);
    let (result, collect) = read_as(&path, Format::Xlsx, &Limits::default());
    assert!(result.is_ok());
    let broken = collect.table("broken");
    assert_eq!(texts(broken.rows()[0]), ["first"]);
    assert!(matches!(broken.errors()[..], [ReadError::Corrupt(_)]));
    assert_eq!(texts(collect.table("good").rows()[0]), ["ok"]);
}

#[test]
fn out_of_order_cells_are_sorted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "order.xlsx");
    let body = format!(
        r#"<sheetData><row r="3">{}</row><row r="1">{}{}</row></sheetData>"#,
        inline("B3", "late"),
        inline("C1", "c"),
        inline("B1", "b")
    );
    write_xlsx(
        &path,
        &[SheetXml {
            name: "S",
            state: None,
            body,
        }],
        "",
        None,
        None,
    );
    let (_, collect) = read_ok(&path);
    let table = collect.table("S");
    assert_eq!(table.meta.first_column, 1);
    let indices: Vec<u64> = table.rows().iter().map(|r| r.index).collect();
    assert_eq!(indices, [0, 2]);
    assert_eq!(texts(table.rows()[0]), ["b", "c"]);
}

#[test]
fn xls_with_huge_dimensions_is_rejected() {
    let mut bytes = std::fs::read(fixture("case-11", "legacy.xls")).expect("fixture");
    // DIMENSIONS record (type 0x0200, 14 bytes): set its row count past any memory.
    let marker = [0x00, 0x02, 0x0E, 0x00];
    let position = bytes
        .windows(4)
        .position(|w| w == marker)
        .expect("the fixture has a DIMENSIONS record");
    bytes[position + 8..position + 12].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "huge.xls");
    std::fs::write(&path, &bytes).expect("temp dir is writable");
    let (result, collect) = read_as(&path, Format::Xls, &Limits::default());
    match result {
        Err(ReadError::Limit(message)) => assert!(message.contains("declares"), "{message}"),
        other => panic!("expected Limit, got {other:?}"),
    }
    assert!(collect.tables.is_empty());
}

#[test]
fn xls_filepass_record_means_encrypted() {
    let mut bytes = std::fs::read(fixture("case-11", "legacy.xls")).expect("fixture");
    // Turn the CODEPAGE record (0x0042, 2 bytes, value 1200) of the workbook globals into
    // a FILEPASS record (0x002F) with a non-zero encryption type.
    let marker = [0x42, 0x00, 0x02, 0x00];
    let position = bytes
        .windows(4)
        .position(|w| w == marker)
        .expect("the fixture has a CODEPAGE record");
    bytes[position..position + 2].copy_from_slice(&0x002Fu16.to_le_bytes());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "locked.xls");
    std::fs::write(&path, &bytes).expect("temp dir is writable");
    let (result, _) = read_as(&path, Format::Xls, &Limits::default());
    assert!(matches!(result, Err(ReadError::Encrypted)), "{result:?}");
}

#[test]
fn ods_hidden_sheet_and_offset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "book.ods");
    let file = std::fs::File::create(&path).expect("temp dir is writable");
    let mut zip = zip::ZipWriter::new(file);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut add = |name: &str, content: &str| {
        zip.start_file(name, stored).expect("zip entry starts");
        zip.write_all(content.as_bytes())
            .expect("zip entry is written");
    };
    add("mimetype", "application/vnd.oasis.opendocument.spreadsheet");
    add(
        "META-INF/manifest.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    );
    add(
        "content.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.2"><office:automatic-styles><style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style></office:automatic-styles><office:body><office:spreadsheet><table:table table:name="Shown"><table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="13900000000"><text:p>13900000000</text:p></table:table-cell></table:table-row></table:table><table:table table:name="Hidden" table:style-name="ta2"><table:table-row><table:table-cell/></table:table-row><table:table-row><table:table-cell/><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#,
    );
    zip.finish().expect("zip is finished");

    let sniffed = sniff(&path);
    assert_eq!(sniffed.format, Format::Ods);
    let (_, collect) = read_ok(&path);
    let shown = collect.table("Shown");
    assert_eq!(shown.meta.visibility, Some(Visibility::Visible));
    assert_eq!(texts(shown.rows()[0]), ["姓名", "13900000000"]);
    assert_eq!(shown.rows()[0].cells[1].kind, CellKind::Number);
    let hidden = collect.table("Hidden");
    assert_eq!(hidden.meta.visibility, Some(Visibility::Hidden));
    assert_eq!(hidden.meta.first_column, 1);
    assert_eq!(hidden.rows().len(), 1);
    assert_eq!(hidden.rows()[0].index, 1);
    assert_eq!(texts(hidden.rows()[0]), ["x"]);
}

#[test]
fn csv_named_xlsx_is_read_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "export.xlsx");
    std::fs::write(&path, "姓名,手机号\n张三,13900000000\n").expect("temp dir is writable");
    let sniffed = sniff(&path);
    assert_eq!(sniffed.format, Format::Csv);
    assert!(sniffed.mismatch.is_some());
    // Read with the extension's format, the workbook reader rejects it plainly.
    let (result, _) = read_as(&path, Format::Xlsx, &Limits::default());
    assert!(matches!(result, Err(ReadError::Corrupt(_))));
}

#[test]
fn cell_left_of_first_column_rereads_sheet() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "left.xlsx");
    let body = format!(
        r#"<sheetData><row r="1">{}{}</row><row r="2">{}{}</row></sheetData>"#,
        inline("C1", "c1"),
        inline("D1", "d1"),
        inline("A2", "a2"),
        inline("C2", "c2")
    );
    write_xlsx(
        &path,
        &[SheetXml {
            name: "S",
            state: None,
            body,
        }],
        "",
        None,
        None,
    );
    let (_, collect) = read_ok(&path);
    assert_eq!(collect.tables.len(), 1);
    let table = collect.table("S");
    assert_eq!(table.meta.first_column, 0);
    assert!(table.errors().is_empty());
    assert_eq!(texts(table.rows()[0]), ["", "", "c1", "d1"]);
    assert_eq!(texts(table.rows()[1]), ["a2", "", "c2"]);
}

#[test]
fn out_of_order_sheet_counts_people_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_path(&dir, "people.xlsx");
    // Rows 3 and 2 come after row 4, so the single pass withdraws rows 1 and 4.
    let body = format!(
        r#"<sheetData><row r="1">{}{}</row><row r="4">{}{}</row><row r="3">{}{}</row><row r="2">{}{}</row></sheetData>"#,
        inline("A1", "姓名"),
        inline("B1", "手机号"),
        inline("A4", "王五"),
        inline("B4", "13900000103"),
        inline("A3", "李四"),
        inline("B3", "13900000102"),
        inline("A2", "张三"),
        inline("B2", "13900000101"),
    );
    write_xlsx(
        &path,
        &[SheetXml {
            name: "S",
            state: None,
            body,
        }],
        "",
        None,
        None,
    );

    let pack = exportscan::pack::ElementPack::builtin().expect("the built-in pack loads");
    let options = exportscan::scan::ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date"),
        limits: Limits::default(),
        include_hidden: false,
        sensitive: Vec::new(),
        id_numbers: Vec::new(),
        groups: Vec::new(),
        parallel_min_bytes: exportscan::scan::PARALLEL_MIN_BYTES,
    };
    let inventory = exportscan::scan::scan(&pack, &options).expect("scan runs");

    assert_eq!(inventory.files.len(), 1);
    assert_eq!(inventory.files[0].tables.len(), 1);
    assert_eq!(inventory.files[0].tables[0].rows, 3);
    assert_eq!(inventory.individuals.total, 3);
}
