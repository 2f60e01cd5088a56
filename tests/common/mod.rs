//! Helpers shared by the integration tests: run the real binary and read its JSON report.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

pub const AS_OF: &str = "2026-06-30";

/// Runs `exportscan` with `args` and returns the exit code, stdout and stderr.
pub fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_exportscan"))
        .args(args)
        .output()
        .expect("the exportscan binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Scans `path` with `--format json` and returns the exit code and the parsed report.
pub fn scan_json(path: &Path, extra: &[&str]) -> (i32, Value) {
    let path = path.to_str().expect("test paths are UTF-8");
    let mut args = vec!["scan", path, "--format", "json", "--as-of", AS_OF];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("report is not JSON ({e}); stderr: {stderr}"));
    (code, report)
}

/// Returns the fixture folder `fixtures/<name>`.
pub fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Returns the file report whose path is `path`.
pub fn file<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["files"]
        .as_array()
        .and_then(|files| files.iter().find(|f| f["path"] == path))
        .unwrap_or_else(|| panic!("no file {path} in the report"))
}

/// Returns the table of a file report named `name` (a sheet), or its only table for `None`.
pub fn table<'a>(file: &'a Value, name: Option<&str>) -> &'a Value {
    let tables = file["tables"].as_array().expect("tables is an array");
    match name {
        Some(name) => tables
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no table {name}")),
        None => {
            assert_eq!(tables.len(), 1, "expected one table in {}", file["path"]);
            &tables[0]
        }
    }
}

/// Returns the column of a table whose letter (sheets) or 0-based index (text) is `key`.
pub fn column<'a>(table: &'a Value, key: &str) -> &'a Value {
    let columns = table["columns"].as_array().expect("columns is an array");
    columns
        .iter()
        .find(|c| {
            c["letter"] == key
                || c["index"].as_u64().is_some_and(|i| i.to_string() == key)
                || c["header"] == key
        })
        .unwrap_or_else(|| panic!("no column {key}"))
}

/// Returns the element id tagged on a column, or `None`.
pub fn element(column: &Value) -> Option<&str> {
    column["element"].as_str()
}

/// Asserts the element of each listed column; `None` means untagged.
pub fn assert_columns(table: &Value, expected: &[(&str, Option<&str>)]) {
    for (key, want) in expected {
        let got = element(column(table, key));
        assert_eq!(got, *want, "column {key}");
    }
}

pub fn individuals(report: &Value, field: &str) -> u64 {
    report["individuals"][field]
        .as_u64()
        .unwrap_or_else(|| panic!("individuals.{field}"))
}
