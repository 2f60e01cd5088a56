//! Hostile and broken inputs, built at run time: each one is listed as not examined with a
//! reason, the other files are still scanned, the exit code reports an incomplete scan, and
//! no value reaches the output. Small limits set on the command line trigger the size checks
//! cheaply.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use exportscan::validate::resident_id_check_char;
use serde_json::Value;
use zip::write::SimpleFileOptions;

/// Limits low enough for the small inputs below to cross them.
const LIMIT_ARGS: [&str; 6] = [
    "--max-sheet-cells",
    "10000",
    "--max-line-bytes",
    "1M",
    "--max-unpacked-bytes",
    "1M",
];

/// Builds a valid synthetic resident ID from a 6-digit area code, a birth date and a
/// 3-digit sequence.
fn resident_id(area: &str, birth: &str, sequence: &str) -> String {
    let first17 = format!("{area}{birth}{sequence}");
    let check = resident_id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// Synthetic IDs planted in the hostile files; none may appear in any output.
fn planted_ids() -> Vec<String> {
    (0..11)
        .map(|i| resident_id("110105", "19850312", &format!("{:03}", 100 + i)))
        .collect()
}

const SPREADSHEET_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// Builds an .xlsx with one sheet named S1 whose XML body (inside `<worksheet>`) is `body`.
fn xlsx_bytes(body: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0"?><workbook xmlns="{SPREADSHEET_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S1" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(r#"<?xml version="1.0"?><worksheet xmlns="{SPREADSHEET_NS}">{body}</worksheet>"#),
        ),
    ];
    for (name, content) in parts {
        zip.start_file(name, options).expect("zip entry starts");
        zip.write_all(content.as_bytes())
            .expect("zip entry is written");
    }
    zip.finish().expect("zip is finished").into_inner()
}

/// Builds an inline-string cell.
fn inline(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// Builds sheet data with a header row and one record per ID (name, resident ID).
fn people_sheet(ids: &[&str]) -> String {
    let mut rows = format!(
        r#"<row r="1">{}{}</row>"#,
        inline("A1", "姓名"),
        inline("B1", "身份证号")
    );
    for (i, id) in ids.iter().enumerate() {
        let r = i + 2;
        rows.push_str(&format!(
            r#"<row r="{r}">{}{}</row>"#,
            inline(&format!("A{r}"), "张三"),
            inline(&format!("B{r}"), id)
        ));
    }
    format!("<sheetData>{rows}</sheetData>")
}

fn ods_bytes(rows: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored)
        .expect("zip entry starts");
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("zip entry is written");
    zip.start_file("META-INF/manifest.xml", SimpleFileOptions::default())
        .expect("zip entry starts");
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#)
        .expect("zip entry is written");
    zip.start_file("content.xml", SimpleFileOptions::default())
        .expect("zip entry starts");
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip.write_all(content.as_bytes())
        .expect("zip entry is written");
    zip.finish().expect("zip is finished").into_inner()
}

/// Returns the legacy .xls fixture with the 4-byte record header `marker` found and
/// `patch` applied at its offset.
fn patched_xls(marker: [u8; 4], patch: impl Fn(&mut [u8])) -> Vec<u8> {
    let mut bytes = std::fs::read(fixture("cases/case-11").join("legacy.xls")).expect("fixture");
    let position = bytes
        .windows(4)
        .position(|w| w == marker)
        .expect("the fixture has the record");
    patch(&mut bytes[position..]);
    bytes
}

/// Returns the legacy .xls fixture with a FORMULA record (type 0x0006) appended to its last
/// sheet whose token array claims 65,535 bytes but holds none. calamine 0.38 slices the
/// array by that length in `parse_formula` while it opens the workbook, and panics.
fn panicking_xls() -> Vec<u8> {
    let fixture = fixture("cases/case-11").join("legacy.xls");
    let mut compound = cfb::open(&fixture).expect("the fixture is a compound file");
    let mut stream = Vec::new();
    compound
        .open_stream("/Workbook")
        .expect("the fixture has a Workbook stream")
        .read_to_end(&mut stream)
        .expect("the Workbook stream reads");
    // The last EOF record (0x000A) closes the last sheet, so the offsets of earlier
    // substreams stay valid when the new record goes just before it. Zero padding may
    // follow it.
    let mut position = 0;
    let mut last_eof = None;
    while let Some(header) = stream.get(position..position + 4) {
        let record_type = u16::from_le_bytes([header[0], header[1]]);
        let length = usize::from(u16::from_le_bytes([header[2], header[3]]));
        if record_type == 0 && length == 0 {
            break;
        }
        if record_type == 0x000A {
            last_eof = Some(position);
        }
        position += 4 + length;
    }
    let at = last_eof.expect("the Workbook stream has an EOF record");
    let mut formula = vec![0x06, 0x00, 22, 0x00];
    formula.extend_from_slice(&[0u8; 20]);
    formula.extend_from_slice(&0xFFFFu16.to_le_bytes());
    stream.splice(at..at, formula);

    let mut bytes = std::io::Cursor::new(Vec::new());
    // Version 3 (512-byte sectors), as Excel writes: calamine rejects a version 4 file
    // whose root entry has no mini stream.
    let mut output = cfb::CompoundFile::create_with_version(cfb::Version::V3, &mut bytes)
        .expect("compound file is created");
    output
        .create_stream("/Workbook")
        .expect("stream is created")
        .write_all(&stream)
        .expect("stream is written");
    output.flush().expect("compound file is written");
    drop(output);
    bytes.into_inner()
}

/// One hostile input: its file name, the status it must get, and a phrase of its reason.
struct Case {
    name: &'static str,
    status: &'static str,
    phrase: &'static str,
}

const fn case(name: &'static str, status: &'static str, phrase: &'static str) -> Case {
    Case {
        name,
        status,
        phrase,
    }
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("temp dir is writable");
    path
}

/// Writes the hostile inputs that any user can create into `dir` and returns their cases.
fn write_hostile_files(dir: &Path) -> Vec<Case> {
    let ids = planted_ids();
    let mut cases = Vec::new();

    // One cell in A1 and one in XFD1048576: the sheet spans 17 billion cells.
    let far = format!(
        r#"<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{}</row><row r="1048576">{}</row></sheetData>"#,
        inline("A1", &ids[0]),
        inline("XFD1048576", &ids[0])
    );
    write(dir, "huge_dimension.xlsx", xlsx_bytes(&far));
    cases.push(case(
        "huge_dimension.xlsx",
        "partial",
        "exceeds the limit of 10000 cells",
    ));

    // DIMENSIONS (type 0x0200, 14 bytes) declaring about 4 billion rows.
    let huge_xls = patched_xls([0x00, 0x02, 0x0E, 0x00], |record| {
        record[8..12].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes())
    });
    write(dir, "huge_dimension.xls", huge_xls);
    cases.push(case("huge_dimension.xls", "failed", "declares"));

    // 4 MiB of whitespace that deflates to a few kilobytes.
    let bomb = format!("<sheetData>{}</sheetData>", " ".repeat(4 << 20));
    write(dir, "bomb.xlsx", xlsx_bytes(&bomb));
    cases.push(case(
        "bomb.xlsx",
        "failed",
        "more than the limit of 1048576 bytes",
    ));

    // One string cell written out across 16,384 columns in 100 rows: 1.6 million cells.
    let repeated = r#"<table:table-row table:number-rows-repeated="100"><table:table-cell table:number-columns-repeated="16384" office:value-type="string" office:string-value="x"/></table:table-row>"#;
    write(dir, "repeats.ods", ods_bytes(repeated));
    cases.push(case("repeats.ods", "failed", "repeated rows and columns"));

    let whole = xlsx_bytes(&people_sheet(&[&ids[1]]));
    write(dir, "truncated.xlsx", &whole[..whole.len() / 2]);
    cases.push(case("truncated.xlsx", "failed", "truncated or damaged zip"));

    let encrypted = dir.join("encrypted.xlsx");
    let mut compound = cfb::create(&encrypted).expect("compound file is created");
    for (stream, bytes) in [
        ("/EncryptionInfo", vec![4u8, 0, 4, 0, 0x40, 0, 0, 0]),
        ("/EncryptedPackage", vec![0x5Au8; 4096]),
    ] {
        let mut writer = compound.create_stream(stream).expect("stream is created");
        writer.write_all(&bytes).expect("stream is written");
    }
    compound.flush().expect("compound file is written");
    drop(compound);
    cases.push(case("encrypted.xlsx", "failed", "password-protected"));

    // The CODEPAGE record (0x0042, 2 bytes) of the globals turned into FILEPASS (0x002F).
    let locked_xls = patched_xls([0x42, 0x00, 0x02, 0x00], |record| {
        record[..2].copy_from_slice(&0x002Fu16.to_le_bytes())
    });
    write(dir, "encrypted.xls", locked_xls);
    cases.push(case("encrypted.xls", "failed", "password-protected"));

    write(dir, "panics.xls", panicking_xls());
    cases.push(case("panics.xls", "failed", "library panicked"));

    // Damaged workbooks whose library errors would quote the ID they found.
    let header = format!(
        r#"<row r="1">{}{}</row>"#,
        inline("A1", "姓名"),
        inline("B1", "身份证号")
    );
    let entity = format!(
        r#"<sheetData>{header}<row r="2">{}<c r="B2" t="inlineStr"><is><t>&a{};</t></is></c></row></sheetData>"#,
        inline("A2", "张三"),
        ids[8]
    );
    write(dir, "xml_entity.xlsx", xlsx_bytes(&entity));
    cases.push(case("xml_entity.xlsx", "partial", "malformed XML"));
    let cell_type = format!(
        r#"<sheetData>{header}<row r="2">{}<c r="B2" t="{}"><v>1</v></c></row></sheetData>"#,
        inline("A2", "张三"),
        ids[9]
    );
    write(dir, "cell_type.xlsx", xlsx_bytes(&cell_type));
    cases.push(case(
        "cell_type.xlsx",
        "partial",
        "unknown cell type attribute",
    ));
    let text_in_row = format!(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell></table:table-row><table:table-row>{}<table:table-cell office:value-type="string"><text:p>张三</text:p></table:table-cell></table:table-row>"#,
        ids[10]
    );
    write(dir, "text_in_row.ods", ods_bytes(&text_in_row));
    cases.push(case("text_in_row.ods", "failed", "found other content"));

    let mut binary: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
    binary.extend_from_slice(format!("姓名,身份证号\n张三,{}\n", ids[2]).as_bytes());
    write(dir, "binary.csv", binary);
    cases.push(case("binary.csv", "failed", "binary data"));

    write(dir, "empty.csv", b"");
    cases.push(case("empty.csv", "failed", "empty file"));

    // 3 MiB without a line break after a valid first record.
    let mut long = format!("姓名,身份证号\n张三,{}\n", ids[3]).into_bytes();
    long.extend(std::iter::repeat_n(b'a', 3 << 20));
    write(dir, "long_line.csv", long);
    cases.push(case(
        "long_line.csv",
        "partial",
        "longer than the limit of 1048576 bytes",
    ));

    // 80 KB of valid UTF-8 Chinese text, then a GBK-encoded record with an ID.
    let mut mixed = String::from("姓名,身份证号\n");
    while mixed.len() < 80 * 1024 {
        mixed.push_str(&format!("张三丰,{}\n", ids[4]));
    }
    let mut mixed = mixed.into_bytes();
    mixed.extend_from_slice(b"\xd5\xc5\xc8\xfd,");
    mixed.extend_from_slice(format!("{}\n", ids[5]).as_bytes());
    write(dir, "mixed_encoding.csv", mixed);
    cases.push(case("mixed_encoding.csv", "partial", "invalid UTF-8"));

    let mut wide = "a,".repeat(20_000);
    wide.push_str(&format!("{}\n", ids[6]));
    write(dir, "wide.csv", wide);
    cases.push(case("wide.csv", "partial", "cells after column 16384"));

    // Properties nested 40 objects deep, past the flattener's 32 levels.
    let mut schema = String::from(r#"{"type": "string"}"#);
    for level in 0..40 {
        schema = format!(r#"{{"type": "object", "properties": {{"p{level}": {schema}}}}}"#);
    }
    let schema = format!(
        r#"{{"$schema": "http://json-schema.org/draft-07/schema#", {}"#,
        &schema[1..]
    );
    write(dir, "deep.schema.json", schema);
    cases.push(case(
        "deep.schema.json",
        "partial",
        "nest deeper than 32 levels",
    ));

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir, dir.join("loop")).expect("symlink is created");
        cases.push(case("loop", "failed", "symbolic link loop"));
        std::os::unix::fs::symlink(dir.join("missing.csv"), dir.join("broken.csv"))
            .expect("symlink is created");
        cases.push(case("broken.csv", "failed", "broken symbolic link"));
        if Path::new("/dev/zero").exists() {
            std::os::unix::fs::symlink("/dev/zero", dir.join("zero.csv"))
                .expect("symlink is created");
            cases.push(case("zero.csv", "skipped", "a device"));
        }
        if make_fifo(&dir.join("pipe.csv")) {
            cases.push(case("pipe.csv", "skipped", "named pipe (FIFO)"));
        } else {
            eprintln!("skipping the FIFO case: mkfifo is not available");
        }
    }
    cases
}

/// Writes readable files with one person each; they must be scanned whatever else fails.
fn write_good_files(dir: &Path) -> [&'static str; 2] {
    let id = resident_id("440305", "19781130", "035");
    write(
        dir,
        "good.csv",
        format!("姓名,身份证号,手机号\n李四,{id},13900000102\n"),
    );
    write(dir, "good.xlsx", xlsx_bytes(&people_sheet(&[&id])));
    ["good.csv", "good.xlsx"]
}

fn make_fifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|status| status.success())
}

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Makes `dir` readable by every user, so the unprivileged scan can enter it.
#[cfg(unix)]
fn open_to_all(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
        .expect("permissions are set");
}

/// How the binary runs so that file permissions bind it: as is for a normal user, through
/// `setpriv` as user nobody for root (whom permissions do not stop), or not at all.
enum Runner {
    Direct,
    Unprivileged,
    Unavailable(String),
}

fn runner() -> Runner {
    #[cfg(unix)]
    {
        if !is_root() {
            return Runner::Direct;
        }
        let probe = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_exportscan"))
            .arg("--version")
            .output();
        match probe {
            Ok(output) if output.status.success() => Runner::Unprivileged,
            Ok(output) => Runner::Unavailable(format!(
                "setpriv cannot run the binary as user nobody: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            )),
            Err(error) => Runner::Unavailable(format!("setpriv is not available: {error}")),
        }
    }
    #[cfg(not(unix))]
    Runner::Unavailable("file permissions are a Unix test".to_string())
}

fn run_with(runner: &Runner, args: &[&str]) -> (i32, String, String) {
    let mut command = match runner {
        Runner::Unprivileged => {
            let mut command = Command::new("setpriv");
            command
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(env!("CARGO_BIN_EXE_exportscan"));
            command
        }
        _ => Command::new(env!("CARGO_BIN_EXE_exportscan")),
    };
    let output = command
        .args(args)
        .output()
        .expect("the exportscan binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Scans `dir` with the small limits and returns the exit code, the JSON report and stderr.
fn scan_hostile(runner: &Runner, dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let path = dir.to_str().expect("test paths are UTF-8");
    let mut args = vec!["scan", path, "--format", "json", "--as-of", AS_OF];
    args.extend_from_slice(&LIMIT_ARGS);
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run_with(runner, &args);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("report is not JSON ({e}); stderr: {stderr}"));
    (code, report, stderr)
}

/// Returns the file's problem and its tables' problems, joined.
fn problems(file: &Value) -> String {
    let mut text = file["problem"].as_str().unwrap_or_default().to_string();
    for table in file["tables"].as_array().into_iter().flatten() {
        for problem in table["problems"].as_array().into_iter().flatten() {
            text.push('\n');
            text.push_str(problem.as_str().unwrap_or_default());
        }
    }
    text
}

fn assert_listed(report: &Value, case: &Case) {
    let file = file(report, case.name);
    assert_eq!(file["status"], case.status, "status of {}", case.name);
    let problems = problems(file);
    assert!(
        problems
            .to_lowercase()
            .contains(&case.phrase.to_lowercase()),
        "{}: expected a problem with {:?}, got {problems:?}",
        case.name,
        case.phrase
    );
    let not_examined = report["not_examined"]
        .as_array()
        .expect("not_examined is an array");
    let listed = not_examined.iter().filter_map(Value::as_str).any(|line| {
        line.starts_with(case.name) && line.to_lowercase().contains(&case.phrase.to_lowercase())
    });
    assert!(
        listed,
        "{} is missing from not_examined: {not_examined:?}",
        case.name
    );
}

fn assert_good_files_scanned(report: &Value, names: &[&str]) {
    for name in names {
        let file = file(report, name);
        assert_eq!(file["status"], "scanned", "status of {name}");
        assert_eq!(table(file, None)["rows"], 1, "rows of {name}");
    }
}

fn assert_no_planted_id(output: &str, what: &str) {
    for id in planted_ids() {
        assert!(!output.contains(&id), "{what} contains a planted ID");
    }
}

/// Scans a folder of the inputs that `build` writes, beside the good files, and checks that
/// each input is listed and the good files are scanned.
fn scan_one(name_hint: &str, build: impl Fn(&Path) -> Vec<Case>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = build(dir.path());
    assert!(!cases.is_empty(), "{name_hint}: no case was built");
    let good = write_good_files(dir.path());
    let (code, report, stderr) = scan_hostile(&Runner::Direct, dir.path(), &[]);
    assert_eq!(code, 4, "{name_hint}: exit code; stderr: {stderr}");
    assert_eq!(report["complete"], false);
    for case in &cases {
        assert_listed(&report, case);
    }
    assert_good_files_scanned(&report, &good);
    assert!(
        individuals(&report, "total") >= 1,
        "the good files hold a person"
    );
}

/// Keeps only the cases whose file names are in `names`, deleting the other files.
fn only(dir: &Path, names: &[&str]) -> Vec<Case> {
    let cases = write_hostile_files(dir);
    let mut kept = Vec::new();
    for case in cases {
        if names.contains(&case.name) {
            kept.push(case);
        } else {
            let path = dir.join(case.name);
            let _ = std::fs::remove_file(&path);
        }
    }
    kept
}

#[test]
fn huge_declared_dimensions() {
    scan_one("dimensions", |dir| {
        only(dir, &["huge_dimension.xlsx", "huge_dimension.xls"])
    });
}

#[test]
fn zip_bomb_and_ods_repeats() {
    scan_one("bombs", |dir| only(dir, &["bomb.xlsx", "repeats.ods"]));
}

#[test]
fn truncated_and_encrypted_workbooks() {
    scan_one("workbooks", |dir| {
        only(dir, &["truncated.xlsx", "encrypted.xlsx", "encrypted.xls"])
    });
}

/// A real panic inside calamine fails that file alone, and its message (which can quote
/// cell text) is withheld.
#[test]
fn dependency_panic_fails_one_file() {
    scan_one("panic", |dir| only(dir, &["panics.xls"]));
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "panics.xls", panicking_xls());
    let (code, stdout, stderr) = run(&["scan", dir.path().to_str().expect("UTF-8 path"), "-vv"]);
    assert_eq!(code, 4);
    assert!(stderr.contains("message withheld"), "{stderr}");
    for output in [&stdout, &stderr] {
        assert!(
            !output.contains("out of range"),
            "a panic message is printed: {output}"
        );
    }
}

#[test]
fn library_errors_quote_no_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    only(
        dir.path(),
        &["xml_entity.xlsx", "cell_type.xlsx", "text_in_row.ods"],
    );
    let path = dir.path().to_str().expect("UTF-8 path");
    for format in ["text", "json"] {
        let (code, stdout, stderr) = run(&["scan", path, "--format", format, "-vv"]);
        assert_eq!(code, 4);
        assert_no_planted_id(&stdout, "the report");
        assert_no_planted_id(&stderr, "the -vv log");
    }
    scan_one("library errors", |dir| {
        only(
            dir,
            &["xml_entity.xlsx", "cell_type.xlsx", "text_in_row.ods"],
        )
    });
}

#[test]
fn binary_empty_and_damaged_text() {
    scan_one("text", |dir| {
        only(
            dir,
            &[
                "binary.csv",
                "empty.csv",
                "long_line.csv",
                "mixed_encoding.csv",
                "wide.csv",
                "deep.schema.json",
            ],
        )
    });
}

#[cfg(unix)]
#[test]
fn links_devices_and_pipes() {
    scan_one("links", |dir| {
        only(dir, &["loop", "broken.csv", "zero.csv", "pipe.csv"])
    });
}

#[cfg(unix)]
#[test]
fn unreadable_file_and_folder() {
    use std::os::unix::fs::PermissionsExt;
    let runner = runner();
    if let Runner::Unavailable(reason) = &runner {
        eprintln!("skipping unreadable_file_and_folder: {reason}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    open_to_all(dir.path());
    let good = write_good_files(dir.path());
    let id = &planted_ids()[7];
    let unreadable = write(
        dir.path(),
        "unreadable.csv",
        format!("姓名,身份证号\n张三,{id}\n"),
    );
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000))
        .expect("permissions are set");
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).expect("folder is created");
    write(&locked, "inside.csv", format!("姓名,身份证号\n张三,{id}\n"));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000))
        .expect("permissions are set");

    let (code, report, stderr) = scan_hostile(&runner, dir.path(), &[]);
    assert_eq!(code, 4, "exit code; stderr: {stderr}");
    assert_listed(
        &report,
        &case("unreadable.csv", "failed", "permission denied"),
    );
    assert_listed(&report, &case("locked", "failed", "permission denied"));
    let problem = file(&report, "unreadable.csv")["problem"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(problem.matches("(os error 13)").count(), 1, "{problem}");
    assert_good_files_scanned(&report, &good);

    // Lets the temporary directory be removed.
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755))
        .expect("permissions are set");
}

/// Every hostile input in one folder, scanned as a user whom permissions bind, in both
/// report formats with full logging: each is listed, the good files are scanned, the exit
/// code is 4, and no planted ID appears in the report or the log.
#[test]
fn one_folder_of_hostile_inputs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cases = write_hostile_files(dir.path());
    let good = write_good_files(dir.path());
    let runner = runner();
    #[cfg(unix)]
    match &runner {
        Runner::Unavailable(reason) => {
            eprintln!("the folder holds no unreadable file: {reason}");
        }
        _ => {
            use std::os::unix::fs::PermissionsExt;
            open_to_all(dir.path());
            let id = &planted_ids()[7];
            let path = write(
                dir.path(),
                "unreadable.csv",
                format!("姓名,身份证号\n张三,{id}\n"),
            );
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000))
                .expect("permissions are set");
            cases.push(case("unreadable.csv", "failed", "permission denied"));
        }
    }

    let (code, report, stderr) = scan_hostile(&runner, dir.path(), &["-vv"]);
    assert_eq!(code, 4, "exit code; stderr: {stderr}");
    assert_eq!(report["complete"], false);
    for case in &cases {
        assert_listed(&report, case);
    }
    assert_good_files_scanned(&report, &good);
    let listed = report["files"].as_array().expect("files is an array").len();
    assert_eq!(
        listed,
        cases.len() + good.len(),
        "every entry is listed once"
    );
    assert_no_planted_id(&report.to_string(), "the JSON report");
    assert_no_planted_id(&stderr, "the -vv log of the JSON run");

    let path = dir.path().to_str().expect("test paths are UTF-8");
    let mut args = vec!["scan", path, "--as-of", AS_OF, "-vv"];
    args.extend_from_slice(&LIMIT_ARGS);
    let (code, stdout, stderr) = run_with(&runner, &args);
    assert_eq!(code, 4);
    assert!(stdout.contains("not fully examined:"), "{stdout}");
    for case in &cases {
        assert!(
            stdout.contains(case.name),
            "the text report misses {}",
            case.name
        );
    }
    assert_no_planted_id(&stdout, "the text report");
    assert_no_planted_id(&stderr, "the -vv log of the text run");
}

/// Returns the (letter or index, header, element) of every column the report lists.
fn listed_columns(table: &Value) -> Vec<(String, String, Option<String>)> {
    table["columns"]
        .as_array()
        .expect("columns is an array")
        .iter()
        .map(|c| {
            let key = match c["letter"].as_str() {
                Some(letter) => letter.to_string(),
                None => c["index"].to_string(),
            };
            let header = c["header"].as_str().unwrap_or_default().to_string();
            (key, header, element(c).map(str::to_string))
        })
        .collect()
}

fn listed(key: &str, header: &str, element: Option<&str>) -> (String, String, Option<String>) {
    (
        key.to_string(),
        header.to_string(),
        element.map(str::to_string),
    )
}

/// One stray cell at column XFD makes its row 16,384 cells wide, and a wide CSV has 16,001
/// columns: the report lists only the columns with a header or a value, under their own
/// letters and indices.
#[test]
fn empty_columns_are_left_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ids = planted_ids();
    let sheet = format!(
        r#"<sheetData><row r="1">{}{}</row><row r="2">{}{}</row><row r="3">{}{}{}</row></sheetData>"#,
        inline("A1", "姓名"),
        inline("B1", "身份证号"),
        inline("A2", "张三"),
        inline("B2", &ids[0]),
        inline("A3", "李四"),
        inline("B3", &ids[1]),
        inline("XFD3", "备注"),
    );
    write(dir.path(), "stray.xlsx", xlsx_bytes(&sheet));

    let gap = ",".repeat(7_999);
    let mut wide = format!("姓名{gap},身份证号{gap},\n");
    wide.push_str(&format!("张三{gap},{}{gap},\n", ids[2]));
    wide.push_str(&format!("李四{gap},{}{gap},x\n", ids[3]));
    write(dir.path(), "wide.csv", wide);

    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0);
    let sheet = table(file(&report, "stray.xlsx"), Some("S1"));
    let columns = listed_columns(sheet);
    assert_eq!(columns.len(), 3, "columns listed for the sheet");
    assert_eq!(
        columns,
        [
            listed("A", "姓名", Some("person_name")),
            listed("B", "身份证号", Some("resident_id")),
            listed("XFD", "", None),
        ]
    );
    assert_eq!(column(sheet, "XFD")["index"], 16_383);
    assert_eq!(column(sheet, "XFD")["non_empty"], 1);

    let csv = table(file(&report, "wide.csv"), None);
    let columns = listed_columns(csv);
    assert_eq!(columns.len(), 3, "columns listed for the CSV");
    assert_eq!(
        columns,
        [
            listed("0", "姓名", Some("person_name")),
            listed("8000", "身份证号", Some("resident_id")),
            listed("16000", "", None),
        ]
    );
    assert_eq!(csv["rows"], 2);
    assert_eq!(individuals(&report, "total"), 4);
}

/// Runs each command line and checks that it fails with exit code 2, names `target` and
/// prints the OS error `os_error` once.
fn assert_os_error_once(runner: &Runner, commands: &[Vec<String>], target: &str, os_error: &str) {
    for command in commands {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        let (code, _, stderr) = run_with(runner, &args);
        assert_eq!(code, 2, "{command:?}: {stderr}");
        assert!(stderr.contains(target), "{command:?}: {stderr}");
        assert_eq!(
            stderr.matches(os_error).count(),
            1,
            "{command:?} prints the OS error other than once: {stderr}"
        );
    }
}

/// Command lines that read `path` as a profile, a rule pack folder, a pattern pack folder
/// and a totals file.
fn commands_reading(path: &str, scan_dir: &str) -> Vec<Vec<String>> {
    let lines: [&[&str]; 6] = [
        &["scan", scan_dir, "--profile", path],
        &["scan", scan_dir, "--rules", path],
        &["scan", scan_dir, "--patterns", path],
        &["rules", "list", "--rules", path],
        &["patterns", "check", path],
        &["decide", "--totals", path, "--date", AS_OF],
    ];
    lines
        .iter()
        .map(|line| line.iter().map(|arg| arg.to_string()).collect())
        .collect()
}

#[test]
fn missing_paths_print_os_error_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scan_dir = dir.path().to_str().expect("UTF-8 path");
    let missing = dir.path().join("vanished");
    let missing = missing.to_str().expect("UTF-8 path");
    let mut commands = commands_reading(missing, scan_dir);
    write(dir.path(), "plain.txt", "not a folder");
    let below_file = dir.path().join("plain.txt").join("export");
    let below_file = below_file.to_str().expect("UTF-8 path");
    commands.push(
        ["generate", "--out", below_file, "--people", "10"]
            .iter()
            .map(|arg| arg.to_string())
            .collect(),
    );
    assert_os_error_once(
        &Runner::Direct,
        &commands[..commands.len() - 1],
        "vanished",
        "(os error 2)",
    );
    assert_os_error_once(
        &Runner::Direct,
        &commands[commands.len() - 1..],
        "plain.txt",
        "(os error 20)",
    );
}

#[cfg(unix)]
#[test]
fn unreadable_paths_print_os_error_once() {
    use std::os::unix::fs::PermissionsExt;
    let runner = runner();
    if let Runner::Unavailable(reason) = &runner {
        eprintln!("skipping unreadable_paths_print_os_error_once: {reason}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    open_to_all(dir.path());
    let scan_dir = dir.path().to_str().expect("UTF-8 path");
    let locked = write(dir.path(), "locked.toml", "total = 1\n");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000))
        .expect("permissions are set");
    let packs = dir.path().join("packs");
    std::fs::create_dir(&packs).expect("folder is created");
    open_to_all(&packs);
    let locked_pack = write(&packs, "locked.toml", "id = \"x\"\n");
    std::fs::set_permissions(&locked_pack, std::fs::Permissions::from_mode(0o000))
        .expect("permissions are set");

    let file = locked.to_str().expect("UTF-8 path");
    let folder = packs.to_str().expect("UTF-8 path");
    let mut commands: Vec<Vec<String>> = commands_reading(file, scan_dir)
        .into_iter()
        .filter(|line| line[0] == "decide" || line.contains(&"--profile".to_string()))
        .collect();
    commands.extend(
        commands_reading(folder, scan_dir)
            .into_iter()
            .filter(|line| line[0] != "decide" && !line.contains(&"--profile".to_string())),
    );
    assert_os_error_once(&runner, &commands, "locked.toml", "(os error 13)");
}
