//! Real-world input quirks: each fixture folder under fixtures/cases/ holds a small input and
//! its expected.json; these tests check the tags and people counts it states.

mod common;

use common::*;

/// Scans the inputs that the case's expected.json lists (not the expected.json itself).
fn scan_case(name: &str) -> (i32, serde_json::Value) {
    let folder = fixture("cases").join(name);
    let expected: serde_json::Value = serde_json::from_slice(
        &std::fs::read(folder.join("expected.json")).expect("expected.json is readable"),
    )
    .expect("expected.json is JSON");
    let inputs: Vec<String> = expected["inputs"]
        .as_array()
        .expect("expected.json lists its inputs")
        .iter()
        .map(|input| {
            folder
                .join(input.as_str().unwrap_or_default())
                .display()
                .to_string()
        })
        .collect();
    let (first, rest) = inputs.split_first().expect("at least one input");
    let mut extra: Vec<&str> = rest.iter().map(String::as_str).collect();
    extra.push("--date");
    extra.push(AS_OF);
    scan_json(std::path::Path::new(first), &extra)
}

#[test]
fn numeric_ids_in_excel_are_damaged_not_counted() {
    let (code, report) = scan_case("case-01");
    assert_eq!(code, 0);
    let sheet = table(file(&report, "input.xlsx"), Some("花名册"));
    assert_eq!(sheet["header_row"], 0);
    assert_eq!(sheet["rows"], 4);
    assert_columns(
        sheet,
        &[
            ("A", Some("person_name")),
            ("B", Some("resident_id")),
            ("C", Some("bank_card")),
            ("D", Some("mobile_phone")),
        ],
    );
    assert_eq!(column(sheet, "B")["damaged_values"], 3);
    assert_eq!(column(sheet, "C")["damaged_values"], 4);
    let note = column(sheet, "B")["note"].as_str().unwrap_or_default();
    assert!(note.contains("damaged by numeric storage"), "note: {note}");
    assert_eq!(individuals(&report, "total"), 4);
    assert_eq!(individuals(&report, "unlinked_records"), 0);
}

#[test]
fn scientific_notation_csv_is_damaged() {
    let (code, report) = scan_case("case-03");
    assert_eq!(code, 0);
    let csv = table(file(&report, "input.csv"), None);
    assert_eq!(csv["rows"], 4);
    assert_columns(
        csv,
        &[
            ("0", Some("person_name")),
            ("1", Some("resident_id")),
            ("2", Some("bank_card")),
            ("3", Some("mobile_phone")),
        ],
    );
    assert_eq!(column(csv, "1")["damaged_values"], 4);
    assert_eq!(column(csv, "2")["damaged_values"], 4);
    assert_eq!(individuals(&report, "total"), 4);
}

#[test]
fn gb18030_without_bom_is_decoded() {
    let (code, report) = scan_case("case-04");
    assert_eq!(code, 0);
    let input = file(&report, "input.csv");
    assert_eq!(input["encoding"], "gb18030");
    let csv = table(input, None);
    assert_eq!(csv["rows"], 4);
    assert_columns(
        csv,
        &[
            ("0", Some("person_name")),
            ("1", Some("resident_id")),
            ("2", Some("mobile_phone")),
            ("3", Some("address")),
        ],
    );
    assert_eq!(individuals(&report, "total"), 4);
}

#[test]
fn utf16_unicode_text_export_is_a_table() {
    let (code, report) = scan_case("case-06");
    assert_eq!(code, 0);
    let input = file(&report, "导出数据.txt");
    assert_eq!(input["encoding"], "utf-16le");
    assert_eq!(input["delimiter"], "\t");
    let txt = table(input, None);
    assert_eq!(txt["rows"], 3);
    assert_columns(
        txt,
        &[
            ("0", Some("person_name")),
            ("1", Some("resident_id")),
            ("2", Some("mobile_phone")),
            ("3", Some("address")),
        ],
    );
    assert_eq!(individuals(&report, "total"), 3);
}

#[test]
fn quoted_newlines_and_ragged_rows_are_read() {
    let (code, report) = scan_case("case-07");
    assert_eq!(code, 0);
    let csv = table(file(&report, "input.csv"), None);
    assert_eq!(csv["rows"], 5);
    assert_columns(
        csv,
        &[
            ("0", None),
            ("1", Some("person_name")),
            ("2", Some("mobile_phone")),
            ("3", Some("address")),
            ("4", None),
        ],
    );
    assert_eq!(column(csv, "2")["valid"], 5);
    assert_eq!(individuals(&report, "total"), 5);
}

#[test]
fn report_sheet_header_below_title_rows() {
    let (code, report) = scan_case("case-09");
    assert_eq!(code, 0);
    let sheet = table(file(&report, "input.xlsx"), Some("员工"));
    assert_eq!(sheet["header_row"], 3);
    assert_eq!(sheet["rows"], 4);
    assert_columns(
        sheet,
        &[
            ("B", None),
            ("C", Some("person_name")),
            ("D", Some("gender")),
            ("E", Some("resident_id")),
            ("F", Some("mobile_phone")),
        ],
    );
    assert_eq!(column(sheet, "C")["index"], 2);
    assert_eq!(individuals(&report, "total"), 4);
}

#[test]
fn hidden_and_very_hidden_sheets_are_scanned() {
    let (code, report) = scan_case("case-11");
    assert_eq!(code, 0);
    let xlsx = file(&report, "input.xlsx");
    let expected = [("原始数据", "hidden", 3), ("备份", "very_hidden", 2)];
    for (name, visibility, rows) in expected {
        let sheet = table(xlsx, Some(name));
        assert_eq!(sheet["visibility"], visibility, "sheet {name}");
        assert_eq!(sheet["rows"], rows, "sheet {name}");
        assert_columns(
            sheet,
            &[
                ("A", Some("person_name")),
                ("B", Some("resident_id")),
                ("C", Some("mobile_phone")),
            ],
        );
    }
    let empty = table(xlsx, Some("Sheet4"));
    assert_eq!(empty["rows"], 0);
    let xls = file(&report, "legacy.xls");
    assert_eq!(table(xls, Some("数据"))["visibility"], "hidden");
    assert_eq!(table(xls, Some("数据"))["rows"], 2);
    assert_eq!(table(xls, Some("旧备份"))["visibility"], "very_hidden");
    assert_eq!(table(xls, Some("旧备份"))["rows"], 1);
    assert_eq!(individuals(&report, "total"), 5);
}

#[test]
fn unreadable_files_are_listed_and_scan_continues() {
    let (code, report) = scan_case("case-12");
    assert_eq!(code, 4);
    let encrypted = file(&report, "工资表_加密.xlsx");
    assert_eq!(encrypted["status"], "failed");
    let reason = encrypted["problem"].as_str().unwrap_or_default();
    assert!(reason.contains("password"), "reason: {reason}");
    let truncated = file(&report, "客户名单.xlsx");
    assert_eq!(truncated["status"], "failed");
    let empty = file(&report, "空文件.csv");
    assert_eq!(empty["status"], "failed");
    let header_only = table(file(&report, "只有表头.csv"), None);
    assert_eq!(header_only["rows"], 0);
    assert_columns(
        header_only,
        &[
            ("0", Some("person_name")),
            ("1", Some("resident_id")),
            ("2", Some("mobile_phone")),
        ],
    );
    let good = table(file(&report, "正常.csv"), None);
    assert_eq!(good["rows"], 2);
    assert_eq!(individuals(&report, "total"), 2);
    assert_eq!(report["complete"], false);
    assert_eq!(report["not_examined"].as_array().map(Vec::len), Some(3));
}

#[test]
fn mobile_formats_are_normalised_for_linking() {
    let (code, report) = scan_case("case-14");
    assert_eq!(code, 0);
    let csv = table(file(&report, "input.csv"), None);
    assert_eq!(csv["rows"], 9);
    assert_columns(
        csv,
        &[
            ("0", Some("person_name")),
            ("1", Some("mobile_phone")),
            ("2", Some("landline_phone")),
        ],
    );
    assert_eq!(column(csv, "1")["valid"], 9);
    assert_eq!(individuals(&report, "total"), 8);
    assert_eq!(individuals(&report, "unlinked_records"), 0);
}

#[test]
fn masked_values_are_personal_data_but_not_keys() {
    let (code, report) = scan_case("case-16");
    assert_eq!(code, 0);
    let csv = table(file(&report, "input.csv"), None);
    assert_eq!(csv["rows"], 5);
    assert_columns(
        csv,
        &[
            ("0", Some("person_name")),
            ("1", Some("mobile_phone")),
            ("2", Some("resident_id")),
            ("3", None),
        ],
    );
    for key in ["0", "1", "2"] {
        assert_eq!(column(csv, key)["masked"], true, "column {key}");
    }
    assert_eq!(individuals(&report, "unlinked_records"), 4);
    assert_eq!(
        individuals(&report, "total") - individuals(&report, "unlinked_records"),
        1
    );
}

#[test]
fn duplicate_and_blank_headers_keep_their_columns() {
    let (code, report) = scan_case("case-19");
    assert_eq!(code, 0);
    let sheet = table(file(&report, "input.xlsx"), Some("Sheet1"));
    assert_columns(
        sheet,
        &[
            ("A", Some("person_name")),
            ("B", Some("mobile_phone")),
            ("C", Some("landline_phone")),
            ("D", Some("mobile_phone")),
            ("E", Some("resident_id")),
            ("F", Some("address")),
            ("G", None),
        ],
    );
    assert_eq!(column(sheet, "B")["linking"], true);
    assert_eq!(column(sheet, "D")["linking"], false);
    assert_eq!(individuals(&report, "total"), 3);
    assert_eq!(individuals(&report, "upper_bound"), 6);
}

#[test]
fn schema_files_are_tagged_from_names_and_comments() {
    let (code, report) = scan_case("case-20");
    assert_eq!(code, 0);
    let mysql = table(file(&report, "schema_mysql.sql"), Some("t_ry_jbxx"));
    assert_columns(
        mysql,
        &[
            ("RYBH", None),
            ("XM", Some("person_name")),
            ("SFZH", Some("resident_id")),
            ("XBM", Some("gender")),
            ("CSRQ", Some("birth_date")),
            ("MZM", Some("ethnicity")),
            ("TXDZ", Some("address")),
            ("CPH", Some("licence_plate")),
            ("CLSBDH", Some("vin")),
            ("ZDMC", Some("diagnosis")),
            ("ZT", None),
        ],
    );
    let native_place = element(column(mysql, "JG"));
    assert!(
        matches!(native_place, Some("native_place") | None),
        "JG: {native_place:?}"
    );
    let phone = element(column(mysql, "LXDH"));
    assert!(
        matches!(phone, Some("mobile_phone" | "landline_phone")),
        "LXDH: {phone:?}"
    );
    assert_eq!(column(mysql, "ZDMC")["category"], "sensitive");

    let oracle = table(file(&report, "schema_oracle.sql"), Some("T_ZA_DJXX"));
    assert_columns(
        oracle,
        &[
            ("id", None),
            ("djrxm", Some("person_name")),
            ("djrsfzh", Some("resident_id")),
            ("djsj", None),
            ("djdwmc", None),
        ],
    );
    let phone = element(column(oracle, "djrlxdh"));
    assert!(
        matches!(phone, Some("mobile_phone" | "landline_phone")),
        "djrlxdh: {phone:?}"
    );

    let json = file(&report, "customer.schema.json");
    let tables = json["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), 1);
    // Customer numbers identify a person within the company's systems, so custNo is a
    // member_id, as the member_id element defines it.
    assert_columns(
        &tables[0],
        &[
            ("custNo", Some("member_id")),
            ("idNo", Some("resident_id")),
            ("mobile", Some("mobile_phone")),
            ("plateNo", Some("licence_plate")),
            ("vin", Some("vin")),
            ("orderNo", None),
            ("contact.name", Some("person_name")),
            ("contact.addr", Some("address")),
        ],
    );
}
