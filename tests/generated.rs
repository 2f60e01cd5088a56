//! Scans of generated exports compared with the generator's ground truth: the shipped
//! sample export (its truth file lies beside it) and fresh exports of 2,000 and 200,000
//! people.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// Compares every people count of a scan with the truth, and every column's element.
fn assert_matches_truth(report: &Value, truth: &Value) {
    let expected = &truth["individuals"];
    for field in [
        "total",
        "sensitive",
        "unlinked_records",
        "minors_under_14",
        "conflicts",
        "sensitive_id_number_only",
    ] {
        assert_eq!(
            report["individuals"][field], expected[field],
            "individuals.{field}"
        );
    }
    assert_eq!(
        report["individuals"]["by_element"], expected["by_element"],
        "by_element"
    );
    for file_truth in truth["files"].as_array().expect("truth files") {
        let path = file_truth["path"].as_str().expect("truth path");
        let scanned = file(report, path);
        assert_eq!(scanned["status"], "scanned", "{path}");
        assert_eq!(
            scanned["encoding"], file_truth["encoding"],
            "{path} encoding"
        );
        for table_truth in file_truth["tables"].as_array().expect("truth tables") {
            let table = table(scanned, table_truth["sheet"].as_str());
            assert_eq!(
                table["header_row"], table_truth["header_row"],
                "{path} header row"
            );
            assert_eq!(table["rows"], table_truth["data_rows"], "{path} rows");
            for column_truth in table_truth["columns"].as_array().expect("truth columns") {
                let index = column_truth["index"].as_u64().expect("column index");
                let column = table["columns"]
                    .as_array()
                    .and_then(|columns| columns.iter().find(|c| c["index"] == index))
                    .unwrap_or_else(|| panic!("{path}: no column {index}"));
                assert_eq!(
                    column["element"], column_truth["element"],
                    "{path} column {index}"
                );
            }
        }
    }
}

fn generate(layout: &str, people: u64, out: &Path, truth: &Path) {
    generate_rows(layout, people, None, out, truth);
}

fn generate_rows(layout: &str, people: u64, rows: Option<u64>, out: &Path, truth: &Path) {
    let people = people.to_string();
    let rows = rows.map(|r| r.to_string());
    let mut args = vec!["generate", "--layout", layout, "--people", &people];
    if let Some(rows) = &rows {
        args.extend(["--rows", rows.as_str()]);
    }
    let (code, _, stderr) = run(&[
        args.as_slice(),
        &[
            "--seed",
            "7",
            "--as-of",
            AS_OF,
            "--out",
            out.to_str().unwrap(),
            "--truth",
            truth.to_str().unwrap(),
        ],
    ]
    .concat());
    assert_eq!(code, 0, "generate failed: {stderr}");
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("truth file")).expect("truth is JSON")
}

#[test]
fn shipped_sample_export_matches_its_truth() {
    let truth = read_json(&fixture("sample-export.truth.json"));
    let (code, report) = scan_json(&fixture("sample-export"), &["--date", AS_OF]);
    assert_eq!(code, 0);
    assert_matches_truth(&report, &truth);
}

#[test]
fn generated_export_of_2000_people_matches_truth() {
    let dir = tempfile::tempdir().unwrap();
    let (out, truth_path) = (dir.path().join("export"), dir.path().join("truth.json"));
    generate("mixed", 2_000, &out, &truth_path);
    let (code, report) = scan_json(&out, &[]);
    assert_eq!(code, 0);
    assert_matches_truth(&report, &read_json(&truth_path));
}

#[test]
fn generated_export_of_200000_people_matches_truth() {
    let dir = tempfile::tempdir().unwrap();
    let (out, truth_path) = (dir.path().join("export"), dir.path().join("truth.json"));
    // 700,000 rows drawn from 200,000 people cover about 194,000 of them.
    generate_rows("bench-csv", 200_000, Some(700_000), &out, &truth_path);
    let (code, report) = scan_json(&out, &[]);
    assert_eq!(code, 0);
    let truth = read_json(&truth_path);
    assert!(truth["individuals"]["total"].as_u64().unwrap() > 190_000);
    assert_matches_truth(&report, &truth);
}

#[test]
fn parallel_ranges_give_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let (out, truth_path) = (dir.path().join("export"), dir.path().join("truth.json"));
    generate("mixed", 3_000, &out, &truth_path);
    let sequential = scan_json(&out, &["--threads", "2"]).1;
    for threads in ["1", "2", "3"] {
        let split = ["--threads", threads, "--parallel-min-bytes", "4096"];
        let (code, report) = scan_json(&out, &split);
        assert_eq!(code, 0);
        assert_eq!(report, sequential, "{threads} threads in byte ranges");
    }
    assert_matches_truth(&sequential, &read_json(&truth_path));
}
