//! Delimited text: encodings, delimiters, quoting and limits, on the shared cases and on
//! small generated files.

mod read_support;

use std::path::PathBuf;

use exportscan::read::{CellKind, Format, Limits, ReadError};
use read_support::{expected, fixture, read_as, read_ok, sniff, texts};

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("temp dir is writable");
    path
}

#[test]
fn utf8_bom_csv_with_damaged_numbers() {
    let (file, collect) = read_ok(&fixture("case-03", "input.csv"));
    assert_eq!(file.encoding, Some("utf-8"));
    assert!(file.notes.iter().any(|n| n.contains("byte order mark")));
    assert_eq!(file.delimiter, Some(','));
    assert_eq!(collect.tables.len(), 1);
    let table = &collect.tables[0];
    assert!(table.errors().is_empty());
    let rows = table.rows();
    let data_rows = expected("case-03")["data_rows"]
        .as_u64()
        .expect("data_rows");
    assert_eq!(rows.len() as u64, 1 + data_rows);
    assert_eq!(texts(rows[0]), ["姓名", "身份证号", "银行卡号", "手机号"]);
    // Scientific notation stays as the text that the file holds.
    assert!(rows[1].cells[1].text.contains("E+"));
    assert_eq!(rows[1].cells[1].kind, CellKind::Text);
}

#[test]
fn gb18030_without_bom() {
    let path = fixture("case-04", "input.csv");
    assert_eq!(sniff(&path).format, Format::Csv);
    let (file, collect) = read_ok(&path);
    assert_eq!(file.encoding, Some("gb18030"));
    let table = &collect.tables[0];
    assert!(table.errors().is_empty());
    let rows = table.rows();
    assert_eq!(texts(rows[0]), ["姓名", "身份证号", "手机号", "家庭住址"]);
    let names: Vec<&str> = rows[1..].iter().map(|r| r.cells[0].text.as_str()).collect();
    let expected_names: Vec<String> = expected("case-04")["names_exact"]
        .as_array()
        .expect("names_exact")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert_eq!(names, expected_names);
}

#[test]
fn utf16le_txt_is_a_tab_table() {
    let path = fixture("case-06", "导出数据.txt");
    let sniffed = sniff(&path);
    assert_eq!(sniffed.format, Format::Txt);
    assert_eq!(sniffed.mismatch, None);
    let (file, collect) = read_ok(&path);
    assert_eq!(file.encoding, Some("utf-16le"));
    assert_eq!(file.delimiter, Some('\t'));
    let rows = collect.tables[0].rows();
    assert_eq!(rows.len(), 4);
    assert_eq!(texts(rows[0]), ["姓名", "身份证号", "手机号", "地址"]);
    assert!(rows.iter().all(|r| r.cells.len() == 4));
}

#[test]
fn quoted_newline_and_ragged_records() {
    let (_, collect) = read_ok(&fixture("case-07", "input.csv"));
    let table = &collect.tables[0];
    assert!(table.errors().is_empty());
    let rows = table.rows();
    let case = expected("case-07");
    let counts: Vec<usize> = rows[1..].iter().map(|r| r.cells.len()).collect();
    let expected_counts: Vec<usize> = case["record_field_counts"]
        .as_array()
        .expect("record_field_counts")
        .iter()
        .filter_map(|v| v.as_u64().map(|n| n as usize))
        .collect();
    assert_eq!(counts, expected_counts);
    let indices: Vec<u64> = rows.iter().map(|r| r.index).collect();
    assert_eq!(indices, [0, 1, 2, 3, 4, 5]);
    assert_eq!(
        rows[1].cells[3].text,
        case["record_1_address"].as_str().expect("address")
    );
    assert_eq!(
        rows[2].cells[3].text,
        case["record_2_address"].as_str().expect("address")
    );
    assert_eq!(rows[1].cells[4].kind, CellKind::Empty);
}

#[test]
fn empty_and_header_only_files() {
    let empty = fixture("case-12", "空文件.csv");
    let (result, collect) = read_as(&empty, sniff(&empty).format, &Limits::default());
    assert!(matches!(result, Err(ReadError::Empty)));
    assert!(collect.tables.is_empty());

    let (_, collect) = read_ok(&fixture("case-12", "只有表头.csv"));
    let rows = collect.tables[0].rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].cells.len(), 3);

    let (_, collect) = read_ok(&fixture("case-12", "正常.csv"));
    assert_eq!(collect.tables[0].rows().len(), 3);
}

#[test]
fn phone_and_masked_cases_keep_text() {
    let (_, collect) = read_ok(&fixture("case-14", "input.csv"));
    let rows = collect.tables[0].rows();
    let data_rows = expected("case-14")["data_rows"]
        .as_u64()
        .expect("data_rows");
    assert_eq!(rows.len() as u64, 1 + data_rows);
    assert!(rows.iter().all(|r| r.cells.len() == 3));

    let (_, collect) = read_ok(&fixture("case-16", "input.csv"));
    let rows = collect.tables[0].rows();
    let data_rows = expected("case-16")["data_rows"]
        .as_u64()
        .expect("data_rows");
    assert_eq!(rows.len() as u64, 1 + data_rows);
    assert!(rows[1].cells[1].text.contains('*'));
}

#[test]
fn excel_sep_line_is_honoured() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_temp(&dir, "sep.csv", b"sep=;\r\nname;phone\r\nA;1,5\r\n");
    let (file, collect) = read_ok(&path);
    assert_eq!(file.delimiter, Some(';'));
    assert!(file.notes.iter().any(|n| n.contains("sep=;")));
    let rows = collect.tables[0].rows();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].index, 0);
    assert_eq!(texts(rows[0]), ["name", "phone"]);
    assert_eq!(texts(rows[1]), ["A", "1,5"]);
}

#[test]
fn semicolon_and_pipe_delimiters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let semicolon = write_temp(
        &dir,
        "semi.csv",
        "姓名;金额;备注\n张三;1,50;a\n李四;2,25;b\n".as_bytes(),
    );
    let (file, collect) = read_ok(&semicolon);
    assert_eq!(file.delimiter, Some(';'));
    assert_eq!(texts(collect.tables[0].rows()[1]), ["张三", "1,50", "a"]);

    let pipe = write_temp(&dir, "pipe.txt", b"a|b|c\n1|\"x|y\"|3\n");
    let (file, collect) = read_ok(&pipe);
    assert_eq!(file.delimiter, Some('|'));
    assert_eq!(texts(collect.tables[0].rows()[1]), ["1", "x|y", "3"]);
}

#[test]
fn utf16be_and_bomless_utf16le() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "姓名\t手机号\n张三\t13900000000\n";
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let path = write_temp(&dir, "be.txt", &be);
    let (file, collect) = read_ok(&path);
    assert_eq!(file.encoding, Some("utf-16be"));
    assert_eq!(texts(collect.tables[0].rows()[1]), ["张三", "13900000000"]);

    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let path = write_temp(&dir, "le.txt", &le);
    let (file, collect) = read_ok(&path);
    assert_eq!(file.encoding, Some("utf-16le"));
    assert!(
        file.notes
            .iter()
            .any(|n| n.contains("without byte order mark"))
    );
    assert_eq!(texts(collect.tables[0].rows()[0]), ["姓名", "手机号"]);
}

#[test]
fn utf8_with_late_invalid_byte_is_partial() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bytes = "姓名,手机号\n".as_bytes().to_vec();
    for i in 0..5000 {
        bytes.extend(format!("用户{i},139{i:08}\n").as_bytes());
    }
    let bad_offset = bytes.len() as u64;
    // "张" in GBK, appended to a UTF-8 file.
    bytes.extend([0xD5, 0xC5]);
    bytes.extend(b",13900000001\nlast,13900000002\n");
    let path = write_temp(&dir, "mixed.csv", &bytes);
    let (file, collect) = read_ok(&path);
    assert_eq!(file.encoding, Some("utf-8"));
    let table = &collect.tables[0];
    let errors = table.errors();
    assert_eq!(errors.len(), 1);
    match errors[0] {
        ReadError::Row { row, message } => {
            assert_eq!(*row, 5001);
            assert!(
                message.contains(&format!("byte offset {bad_offset}")),
                "{message}"
            );
            assert!(message.contains("mixes encodings"), "{message}");
        }
        other => panic!("expected a row error, got {other:?}"),
    }
    let rows = table.rows();
    assert_eq!(rows.len(), 5003);
    assert!(rows[5001].cells[0].text.contains('\u{FFFD}'));
    assert_eq!(texts(rows[5002]), ["last", "13900000002"]);
    assert!(file.notes.iter().any(|n| n.contains("invalid utf-8")));
}

#[test]
fn gbk_after_long_ascii_prefix_is_detected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bytes = b"name,phone\n".to_vec();
    while bytes.len() < 200 * 1024 {
        bytes.extend(b"user,13900000000\n");
    }
    let (gbk, _, _) = encoding_rs::GB18030.encode("张三,13900000001\n");
    bytes.extend(gbk.iter());
    let path = write_temp(&dir, "late_gbk.csv", &bytes);
    let (file, collect) = read_ok(&path);
    assert_eq!(file.encoding, Some("gb18030"));
    let table = &collect.tables[0];
    assert!(table.errors().is_empty());
    let last = table.rows().last().map(|r| r.cells[0].text.clone());
    assert_eq!(last.as_deref(), Some("张三"));
}

#[test]
fn overlong_record_is_a_limit_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bytes = b"a,b\n1,2\n\"unclosed,".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 2 * 1024 * 1024));
    let path = write_temp(&dir, "long.csv", &bytes);
    let limits = Limits {
        max_line_bytes: 64 * 1024,
        ..Limits::default()
    };
    let (result, collect) = read_as(&path, Format::Csv, &limits);
    assert!(result.is_ok());
    let table = &collect.tables[0];
    assert_eq!(table.rows().len(), 2);
    let errors = table.errors();
    assert_eq!(errors.len(), 1);
    match errors[0] {
        ReadError::Limit(message) => assert!(message.contains("byte offset"), "{message}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn binary_named_csv_is_not_read_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let path = write_temp(&dir, "data.csv", &bytes);
    let sniffed = sniff(&path);
    assert_eq!(sniffed.format, Format::Unknown);
    assert_eq!(
        sniffed.mismatch.as_deref(),
        Some("content is binary data, extension says .csv")
    );
    let (result, _) = read_as(&path, sniffed.format, &Limits::default());
    assert!(matches!(result, Err(ReadError::Unsupported(_))));
}

#[test]
fn ole_file_named_csv_is_reported() {
    let sniffed = sniff(&fixture("case-11", "legacy.xls"));
    assert_eq!(sniffed.format, Format::Xls);
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = std::fs::read(fixture("case-11", "legacy.xls")).expect("fixture");
    let path = write_temp(&dir, "legacy.csv", &bytes);
    let sniffed = sniff(&path);
    assert_eq!(sniffed.format, Format::Xls);
    assert_eq!(
        sniffed.mismatch.as_deref(),
        Some("content is a legacy .xls workbook, extension says .csv")
    );
}
