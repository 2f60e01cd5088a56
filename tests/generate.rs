//! Tests of the synthetic export generator: determinism, ground truth against an
//! independent recount of the written files, check characters and file formats.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use exportscan::generate::{
    GenerateArgs, GenerateConfig, GenerateError, GroundTruth, Layout, generate, run_generate,
};
use exportscan::validate;

fn sample_config(seed: u64) -> GenerateConfig {
    let mut config = GenerateConfig::new(Layout::Sample);
    config.seed = seed;
    config
}

fn small_mixed_config(seed: u64) -> GenerateConfig {
    let mut config = GenerateConfig::new(Layout::Mixed);
    config.seed = seed;
    config.people = 600;
    config.rows = Some(2500);
    config
}

fn generate_into(config: &GenerateConfig, parent: &Path, name: &str) -> (PathBuf, GroundTruth) {
    let out = parent.join(name);
    let truth = generate(config, &out).expect("generation succeeds");
    (out, truth)
}

/// Returns every file under `dir` with its bytes, keyed by relative path.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk output directory");
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(dir).expect("inside dir");
            let bytes = std::fs::read(entry.path()).expect("read generated file");
            files.insert(relative.to_string_lossy().replace('\\', "/"), bytes);
        }
    }
    files
}

#[test]
fn sample_same_seed_same_bytes() {
    let temp = tempfile::tempdir().unwrap();
    let (first, first_truth) = generate_into(&sample_config(1), temp.path(), "a");
    let (second, second_truth) = generate_into(&sample_config(1), temp.path(), "b");
    assert_eq!(read_tree(&first), read_tree(&second));
    assert_eq!(first_truth, second_truth);
}

#[test]
fn sample_different_seed_different_bytes() {
    let temp = tempfile::tempdir().unwrap();
    let (first, _) = generate_into(&sample_config(1), temp.path(), "a");
    let (second, _) = generate_into(&sample_config(2), temp.path(), "b");
    let first_files = read_tree(&first);
    let second_files = read_tree(&second);
    assert_eq!(
        first_files.keys().collect::<Vec<_>>(),
        second_files.keys().collect::<Vec<_>>(),
        "the file names of a layout do not depend on the seed"
    );
    for name in [
        "orders.csv",
        "会员资料.csv",
        "workbook.xlsx",
        "patients.tsv",
    ] {
        assert_ne!(
            first_files[name], second_files[name],
            "{name} does not change with the seed"
        );
    }
}

#[test]
fn mixed_same_seed_same_bytes() {
    let temp = tempfile::tempdir().unwrap();
    let (first, first_truth) = generate_into(&small_mixed_config(7), temp.path(), "a");
    let (second, second_truth) = generate_into(&small_mixed_config(7), temp.path(), "b");
    assert_eq!(read_tree(&first), read_tree(&second));
    assert_eq!(first_truth, second_truth);
}

#[test]
fn truth_lists_every_written_file() {
    let temp = tempfile::tempdir().unwrap();
    for (name, config) in [
        ("sample", sample_config(3)),
        ("mixed", small_mixed_config(3)),
    ] {
        let (out, truth) = generate_into(&config, temp.path(), name);
        let written: Vec<String> = read_tree(&out).into_keys().collect();
        let mut declared: Vec<String> = truth.files.iter().map(|file| file.path.clone()).collect();
        declared.sort();
        assert_eq!(
            written, declared,
            "{name}: files on disk and in the truth differ"
        );
    }
}

#[test]
fn truth_totals_are_consistent() {
    let temp = tempfile::tempdir().unwrap();
    let (_, truth) = generate_into(&sample_config(1), temp.path(), "out");
    let individuals = &truth.individuals;

    assert!(individuals.total >= truth.people_appearing);
    assert!(truth.people_appearing <= truth.master_people);
    assert!(truth.people_appearing > 0);
    assert!(individuals.sensitive <= individuals.total);
    assert!(individuals.minors_under_14 <= individuals.sensitive);
    assert!(individuals.sensitive_id_number_only <= individuals.sensitive);
    assert_eq!(individuals.conflicts, 0);

    for (element, count) in &individuals.by_element {
        assert!(
            *count <= individuals.total,
            "{element}: {count} people exceeds the total"
        );
    }

    let unlinked_rows: u64 = truth
        .files
        .iter()
        .flat_map(|file| &file.tables)
        .map(|table| table.unlinked_rows)
        .sum();
    assert_eq!(individuals.unlinked_records, unlinked_rows);
    assert_eq!(
        individuals.unlinked_records, 10,
        "the masked service log has 10 rows"
    );
    assert!(
        individuals.minors_under_14 >= 2,
        "the sample places two minors with their IDs"
    );
    assert!(individuals.by_element["resident_id"] >= individuals.sensitive_id_number_only);
}

#[test]
fn truth_json_round_trips() {
    let temp = tempfile::tempdir().unwrap();
    let (_, truth) = generate_into(&sample_config(1), temp.path(), "out");
    let json = serde_json::to_string_pretty(&truth).unwrap();
    let parsed: GroundTruth = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed, truth);
    assert!(json.contains("\"as_of\": \"2025-07-01\""));
    assert!(json.contains("\"layout\": \"sample\""));
}

#[test]
fn sample_recount_matches_truth() {
    let temp = tempfile::tempdir().unwrap();
    let (out, truth) = generate_into(&sample_config(1), temp.path(), "out");
    let recount = recount(&out, &truth);
    assert_eq!(recount, truth.individuals);
}

#[test]
fn mixed_recount_matches_truth() {
    let temp = tempfile::tempdir().unwrap();
    let (out, truth) = generate_into(&small_mixed_config(11), temp.path(), "out");
    let recount = recount(&out, &truth);
    assert_eq!(recount, truth.individuals);
}

#[test]
fn bench_csv_recount_matches_truth() {
    let temp = tempfile::tempdir().unwrap();
    let mut config = GenerateConfig::new(Layout::BenchCsv);
    config.people = 800;
    config.rows = Some(3000);
    let (out, truth) = generate_into(&config, temp.path(), "out");
    assert_eq!(truth.files.len(), 1);
    assert_eq!(truth.files[0].tables[0].data_rows, 3000);
    assert_eq!(recount(&out, &truth), truth.individuals);
}

#[test]
fn bench_xlsx_splits_sheets_and_recounts() {
    let temp = tempfile::tempdir().unwrap();
    let mut config = GenerateConfig::new(Layout::BenchXlsx);
    config.people = 500;
    config.rows = Some(2000);
    let (out, truth) = generate_into(&config, temp.path(), "out");
    let workbook = &truth.files[0];
    assert_eq!(workbook.path, "bench.xlsx");
    assert_eq!(workbook.tables.len(), 1);
    assert_eq!(workbook.tables[0].data_rows, 2000);
    assert_eq!(recount(&out, &truth), truth.individuals);
}

#[test]
fn rendered_ids_and_cards_validate() {
    let temp = tempfile::tempdir().unwrap();
    let (out, truth) = generate_into(&sample_config(1), temp.path(), "out");
    let mut checked_ids = 0;
    let mut checked_cards = 0;
    for (_, _, rows) in read_tables(&out, &truth) {
        for row in rows {
            for (element, value) in row {
                if value.contains('*') || value.is_empty() {
                    continue;
                }
                match element.as_str() {
                    "resident_id" => {
                        let id = to_18_digit_id(&value)
                            .unwrap_or_else(|| panic!("ID of length {} fails", value.len()));
                        assert_eq!(id.len(), 18);
                        checked_ids += 1;
                    }
                    "bank_card" => {
                        assert!((16..=19).contains(&value.len()));
                        let (payload, check) = value.split_at(value.len() - 1);
                        let expected = validate::luhn_check_digit(payload).expect("digits");
                        assert_eq!(
                            check.as_bytes()[0],
                            b'0' + expected,
                            "card fails the Luhn check"
                        );
                        checked_cards += 1;
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(checked_ids > 20, "only {checked_ids} IDs checked");
    assert!(checked_cards > 5, "only {checked_cards} cards checked");
}

#[test]
fn sample_has_its_edge_cases() {
    let temp = tempfile::tempdir().unwrap();
    let (out, truth) = generate_into(&sample_config(1), temp.path(), "out");
    let tables = read_tables(&out, &truth);
    let column_values = |file: &str, element: &str| -> Vec<String> {
        tables
            .iter()
            .filter(|(path, _, _)| path == file)
            .flat_map(|(_, _, rows)| rows.iter())
            .flat_map(|row| {
                row.iter()
                    .filter(|(id, _)| id == element)
                    .map(|(_, value)| value.clone())
            })
            .collect()
    };
    let member_ids = column_values("会员资料.csv", "resident_id");
    assert!(
        member_ids.iter().any(|id| id.len() == 15),
        "no legacy 15-digit ID"
    );
    assert!(
        member_ids.iter().any(|id| id.ends_with('x')),
        "no lower-case x"
    );
    let member_names = column_values("会员资料.csv", "person_name").concat();
    assert!(member_names.contains('䶮'), "no name with 䶮 (outside GBK)");
    assert!(member_names.contains('𠮷'), "no name with 𠮷 (outside GBK)");
    let emails = column_values("会员资料.csv", "email");
    assert!(
        emails
            .iter()
            .any(|email| email.chars().any(|c| c.is_ascii_uppercase()))
    );
    let mobiles = column_values("orders.csv", "mobile_phone");
    assert!(mobiles.iter().any(|mobile| mobile.contains('-')));
    assert!(
        mobiles
            .iter()
            .any(|mobile| mobile.starts_with("+86") || mobile.starts_with("86"))
    );
    let masked = column_values("客服记录_脱敏.csv", "mobile_phone");
    assert!(!masked.is_empty());
    assert!(masked.iter().all(|mobile| mobile.contains("****")));

    let orders = read_tables(&out, &truth)
        .into_iter()
        .find(|(path, _, _)| path == "orders.csv")
        .map(|(_, columns, _)| columns)
        .expect("orders.csv in truth");
    assert_eq!(orders.iter().filter(|column| column.is_none()).count(), 4);
    let order_numbers = raw_column(&out.join("orders.csv"), 0);
    assert!(order_numbers.iter().all(|number| number.len() == 18));
    assert!(
        order_numbers
            .iter()
            .any(|number| to_18_digit_id(number).is_some()),
        "no order number passes the ID check"
    );
    let timestamps = raw_column(&out.join("orders.csv"), 1);
    assert!(timestamps.iter().all(|stamp| stamp.len() == 13));
    let barcodes = raw_column(&out.join("orders.csv"), 2);
    assert!(barcodes.iter().all(|code| ean13_is_valid(code)));
}

#[test]
fn gb18030_member_file_is_not_utf8() {
    let temp = tempfile::tempdir().unwrap();
    let (out, truth) = generate_into(&sample_config(1), temp.path(), "out");
    let bytes = std::fs::read(out.join("会员资料.csv")).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err());
    assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(&bytes);
    assert!(!had_errors);
    assert!(text.starts_with("姓名,身份证号,手机号,出生日期,性别,电子邮箱,家庭住址\r\n"));
    let lines = text.split("\r\n").filter(|line| !line.is_empty()).count() as u64;
    let file = truth
        .files
        .iter()
        .find(|file| file.path == "会员资料.csv")
        .unwrap();
    assert_eq!(file.encoding.as_deref(), Some("gb18030"));
    assert_eq!(file.line_ending.as_deref(), Some("crlf"));
    assert_eq!(lines, file.tables[0].data_rows + 1);
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "a bare LF in a CRLF file"
    );
}

#[test]
fn masked_file_has_bom_and_crlf() {
    let temp = tempfile::tempdir().unwrap();
    let (out, truth) = generate_into(&sample_config(1), temp.path(), "out");
    let bytes = std::fs::read(out.join("客服记录_脱敏.csv")).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let file = truth
        .files
        .iter()
        .find(|file| file.path == "客服记录_脱敏.csv")
        .unwrap();
    assert!(file.bom);
    assert_eq!(file.tables[0].unlinked_rows, file.tables[0].data_rows);
}

#[test]
fn workbook_has_declared_sheets() {
    let temp = tempfile::tempdir().unwrap();
    let (out, truth) = generate_into(&sample_config(1), temp.path(), "out");
    let file = truth
        .files
        .iter()
        .find(|file| file.path == "workbook.xlsx")
        .unwrap();
    let mut workbook: Xlsx<_> =
        open_workbook(out.join("workbook.xlsx")).expect("calamine opens the workbook");
    let declared: Vec<String> = file
        .tables
        .iter()
        .map(|table| table.sheet.clone().unwrap())
        .collect();
    assert_eq!(workbook.sheet_names(), declared);
    assert_eq!(declared, ["客户", "报表"]);

    for table in &file.tables {
        let name = table.sheet.as_deref().unwrap();
        let range = workbook.worksheet_range(name).unwrap();
        for column in &table.columns {
            let cell = range.get_value((table.header_row as u32, column.index));
            assert_eq!(
                cell,
                Some(&Data::String(column.header.clone())),
                "{name}: header {}",
                column.header
            );
        }
        let last_row = range.end().map(|(row, _)| u64::from(row)).unwrap();
        assert_eq!(
            last_row,
            table.header_row + table.data_rows,
            "{name}: data rows"
        );
    }
    let report = &file.tables[1];
    assert_eq!(report.header_row, 3);
    assert_eq!(report.first_column, 1);
    assert_eq!(report.columns[0].letter.as_deref(), Some("B"));
    assert_eq!(report.columns[4].letter.as_deref(), Some("F"));
    assert_eq!(report.columns[4].element.as_deref(), Some("diagnosis"));
    let report_range = workbook.worksheet_range("报表").unwrap();
    assert_eq!(
        report_range.start(),
        Some((0, 1)),
        "the report starts at B1"
    );
    assert_eq!(
        report_range.get_value((2, 1)),
        Some(&Data::Empty),
        "row 3 is blank"
    );

    let customers = workbook.worksheet_range("客户").unwrap();
    let card_column = file.tables[0]
        .columns
        .iter()
        .find(|column| column.element.as_deref() == Some("bank_card"))
        .unwrap();
    for row in 1..=file.tables[0].data_rows as u32 {
        let cell = customers.get_value((row, card_column.index));
        assert!(
            matches!(cell, Some(Data::String(_))),
            "card in row {row} is not a text cell"
        );
    }
}

#[test]
fn shipped_sample_matches_generator() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let temp = tempfile::tempdir().unwrap();
    let (out, truth) = generate_into(&sample_config(1), temp.path(), "out");
    let shipped = read_tree(&fixtures.join("sample-export"));
    let generated = read_tree(&out);
    assert_eq!(
        shipped.keys().collect::<Vec<_>>(),
        generated.keys().collect::<Vec<_>>(),
        "regenerate fixtures/sample-export with the generator (layout sample, seed 1)"
    );
    for (name, bytes) in &generated {
        assert!(
            shipped[name] == *bytes,
            "fixtures/sample-export/{name} differs from the generator output"
        );
    }
    let shipped_truth: GroundTruth = serde_json::from_str(
        &std::fs::read_to_string(fixtures.join("sample-export.truth.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(shipped_truth, truth);
}

#[test]
fn generate_rejects_non_empty_directory() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("existing.csv"), "a,b\n").unwrap();
    let error = generate(&sample_config(1), temp.path()).unwrap_err();
    assert!(matches!(error, GenerateError::Config(_)));
    assert!(error.to_string().contains("not empty"));
}

#[test]
fn sample_rejects_row_count() {
    let temp = tempfile::tempdir().unwrap();
    let mut config = sample_config(1);
    config.rows = Some(100);
    let error = generate(&config, &temp.path().join("out")).unwrap_err();
    assert!(error.to_string().contains("--rows"));
    assert!(
        !temp.path().join("out").exists(),
        "nothing is written for a rejected configuration"
    );
}

#[test]
fn people_count_out_of_range_rejected() {
    let temp = tempfile::tempdir().unwrap();
    let mut config = sample_config(1);
    config.people = 3;
    let error = generate(&config, &temp.path().join("out")).unwrap_err();
    assert!(error.to_string().contains("people count 3"));
}

#[test]
fn as_of_out_of_range_rejected() {
    let temp = tempfile::tempdir().unwrap();
    let mut config = sample_config(1);
    config.as_of = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap();
    let error = generate(&config, &temp.path().join("out")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("as-of date 1950-01-01 is out of range")
    );
}

#[test]
fn run_generate_rejects_truth_inside_output() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("export");
    let args = GenerateArgs {
        people: None,
        seed: 1,
        out: out.clone(),
        truth: Some(out.join("truth.json")),
        layout: Layout::Sample,
        rows: None,
        as_of: None,
    };
    let error = run_generate(&args).unwrap_err();
    assert!(error.to_string().contains("inside the output directory"));
    assert!(!out.exists());
}

#[test]
fn run_generate_writes_truth_file() {
    let temp = tempfile::tempdir().unwrap();
    let args = GenerateArgs {
        people: Some(30),
        seed: 5,
        out: temp.path().join("export"),
        truth: Some(temp.path().join("truth.json")),
        layout: Layout::Sample,
        rows: None,
        as_of: Some(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()),
    };
    run_generate(&args).unwrap();
    let json = std::fs::read_to_string(temp.path().join("truth.json")).unwrap();
    let truth: GroundTruth = serde_json::from_str(&json).unwrap();
    assert_eq!(truth.config.people, 30);
    assert_eq!(truth.config.seed, 5);
    assert_eq!(
        truth.config.as_of,
        NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
    );
    assert_eq!(truth.master_people, 30);
}

// ---------------------------------------------------------------------------------------
// Reading the written files back and counting people independently of the generator.

/// One table as read from disk: its file, the element of each column, and the rows as
/// (element, value) pairs for the columns that have an element.
type ReadTable = (String, Vec<Option<String>>, Vec<Vec<(String, String)>>);

fn read_tables(out: &Path, truth: &GroundTruth) -> Vec<ReadTable> {
    let mut tables = Vec::new();
    for file in &truth.files {
        let path = out.join(&file.path);
        for table in &file.tables {
            let elements: Vec<Option<String>> = table
                .columns
                .iter()
                .map(|column| column.element.clone())
                .collect();
            let raw_rows = match &table.sheet {
                Some(sheet) => read_sheet_rows(
                    &path,
                    sheet,
                    table.header_row,
                    table.first_column,
                    elements.len(),
                ),
                None => read_delimited_rows(
                    &path,
                    file.encoding.as_deref(),
                    file.delimiter.unwrap_or(','),
                ),
            };
            assert_eq!(
                raw_rows.len() as u64,
                table.data_rows,
                "{}: data rows",
                file.path
            );
            let rows = raw_rows
                .into_iter()
                .map(|cells| {
                    elements
                        .iter()
                        .zip(cells)
                        .filter_map(|(element, value)| {
                            element.clone().map(|element| (element, value))
                        })
                        .collect()
                })
                .collect();
            tables.push((file.path.clone(), elements, rows));
        }
    }
    tables
}

fn read_delimited_rows(path: &Path, encoding: Option<&str>, delimiter: char) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = match encoding {
        Some("gb18030") => encoding_rs::GB18030
            .decode_without_bom_handling(&bytes)
            .0
            .into_owned(),
        _ => String::from_utf8(bytes)
            .expect("UTF-8 file")
            .trim_start_matches('\u{feff}')
            .to_owned(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn read_sheet_rows(
    path: &Path,
    sheet: &str,
    header_row: u64,
    first_column: u32,
    width: usize,
) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = open_workbook(path).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap();
    let last_row = range.end().map_or(0, |(row, _)| row);
    ((header_row as u32 + 1)..=last_row)
        .map(|row| {
            (0..width as u32)
                .map(
                    |offset| match range.get_value((row, first_column + offset)) {
                        Some(Data::String(text)) => text.clone(),
                        Some(Data::Float(number)) => format!("{number}"),
                        Some(Data::Int(number)) => number.to_string(),
                        Some(Data::Empty) | None => String::new(),
                        Some(other) => other.to_string(),
                    },
                )
                .collect()
        })
        .collect()
}

/// Values of one column of a UTF-8 CSV file with a header.
fn raw_column(path: &Path, index: usize) -> Vec<String> {
    read_delimited_rows(path, Some("utf-8"), ',')
        .into_iter()
        .map(|row| row.get(index).cloned().unwrap_or_default())
        .collect()
}

fn ean13_is_valid(code: &str) -> bool {
    let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 13 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
        .sum();
    sum % 10 == 0
}

/// Converts a valid resident ID (18 characters, or 15 legacy digits) to its 18-character
/// form with upper-case X, checking the check character through `validate`.
fn to_18_digit_id(value: &str) -> Option<String> {
    let first17 = match value.len() {
        18 => value[..17].to_owned(),
        15 => format!("{}19{}", &value[..6], &value[6..]),
        _ => return None,
    };
    let check = validate::resident_id_check_char(&first17)?;
    if value.len() == 18 && !value[17..].eq_ignore_ascii_case(&check.to_string()) {
        return None;
    }
    let province: u32 = first17[..2].parse().ok()?;
    let valid_province = matches!(province, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82);
    let birth = NaiveDate::parse_from_str(&first17[6..14], "%Y%m%d").ok()?;
    (valid_province && birth.to_string().len() == 10).then(|| format!("{first17}{check}"))
}

fn normalise_mobile(value: &str) -> Option<String> {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let bare = match digits.len() {
        11 => digits.as_str(),
        13 if digits.starts_with("86") => &digits[2..],
        15 if digits.starts_with("0086") => &digits[4..],
        _ => return None,
    };
    bare.starts_with('1').then(|| bare.to_owned())
}

fn birth_date_of(value: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(value, format).ok())
}

fn under_14(birth: NaiveDate, as_of: NaiveDate) -> bool {
    as_of.years_since(birth).is_none_or(|age| age < 14)
}

fn find(parent: &mut [usize], mut node: usize) -> usize {
    while parent[node] != node {
        parent[node] = parent[parent[node]];
        node = parent[node];
    }
    node
}

/// A row's linking facts: its first key node (if any), its elements and whether it shows
/// a person younger than 14.
type LinkedRow = (Option<usize>, Vec<String>, bool);

/// Returns the normalised key of a linking element's value, and whether the value shows
/// a person younger than 14.
fn row_key(element: &str, value: &str, as_of: NaiveDate) -> (Option<String>, bool) {
    match element {
        "resident_id" => {
            let id = to_18_digit_id(value).expect("valid ID");
            let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").unwrap();
            (Some(id), under_14(birth, as_of))
        }
        "birth_date" => (
            None,
            under_14(birth_date_of(value).expect("birth date"), as_of),
        ),
        "mobile_phone" => (Some(normalise_mobile(value).expect("valid mobile")), false),
        "email" => (Some(value.to_lowercase()), false),
        "bank_card" => (Some(value.replace(' ', "")), false),
        "member_id" | "medical_record_no" => (Some(value.to_uppercase()), false),
        _ => (None, false),
    }
}

/// Reads every table and links the rows that share a normalised key (within one element).
fn link_rows(out: &Path, truth: &GroundTruth) -> (Vec<usize>, Vec<LinkedRow>) {
    let mut key_nodes: HashMap<(String, String), usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut rows = Vec::new();
    for (_, _, table_rows) in read_tables(out, truth) {
        for row in table_rows {
            let mut nodes = Vec::new();
            let mut elements = Vec::new();
            let mut minor = false;
            for (element, value) in row {
                let value = value.trim();
                if value.is_empty() {
                    continue;
                }
                elements.push(element.clone());
                if value.contains('*') {
                    continue;
                }
                let (key, shows_minor) = row_key(&element, value, truth.config.as_of);
                minor |= shows_minor;
                if let Some(key) = key {
                    let next = parent.len();
                    let node = *key_nodes.entry((element.clone(), key)).or_insert(next);
                    if node == next {
                        parent.push(next);
                    }
                    nodes.push(node);
                }
            }
            if elements.is_empty() {
                continue;
            }

            for pair in nodes.windows(2) {
                let (a, b) = (find(&mut parent, pair[0]), find(&mut parent, pair[1]));
                parent[a.max(b)] = a.min(b);
            }
            rows.push((nodes.first().copied(), elements, minor));
        }
    }
    (parent, rows)
}

/// Counts people in the written files by the counting rules, with its own union-find.
fn recount(out: &Path, truth: &GroundTruth) -> exportscan::identity::Individuals {
    const SENSITIVE: [&str; 4] = ["resident_id", "bank_card", "medical_record_no", "diagnosis"];
    let (mut parent, rows) = link_rows(out, truth);

    let mut people: HashMap<usize, (Vec<String>, bool)> = HashMap::new();
    let mut unlinked = Vec::new();
    for (node, elements, minor) in rows {
        match node {
            Some(node) => {
                let root = find(&mut parent, node);
                let person = people.entry(root).or_default();
                person.0.extend(elements);
                person.1 |= minor;
            }
            None => unlinked.push((elements, minor)),
        }
    }

    let mut individuals = exportscan::identity::Individuals {
        unlinked_records: unlinked.len() as u64,
        ..Default::default()
    };
    for (mut elements, minor) in people.into_values().chain(unlinked) {
        elements.sort();
        elements.dedup();
        let sensitive: Vec<&String> = elements
            .iter()
            .filter(|e| SENSITIVE.contains(&e.as_str()))
            .collect();
        individuals.total += 1;
        if !sensitive.is_empty() || minor {
            individuals.sensitive += 1;
        }
        if minor {
            individuals.minors_under_14 += 1;
        }
        if sensitive.len() == 1 && sensitive[0] == "resident_id" && !minor {
            individuals.sensitive_id_number_only += 1;
        }
        for element in elements {
            *individuals.by_element.entry(element).or_insert(0) += 1;
        }
    }
    individuals
}
