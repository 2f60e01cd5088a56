//! Inputs that fuzzing found to crash or abort a reader, kept under
//! `tests/fuzz-regressions/TARGET/`: each must now give a report and exit 0 or 4.

mod common;

use std::path::Path;

use common::run;

/// The fuzz targets' limits (fuzz/src/lib.rs), so each input meets the same checks.
const FUZZ_LIMITS: [&str; 6] = [
    "--max-sheet-cells",
    "1000000",
    "--max-line-bytes",
    "1M",
    "--max-unpacked-bytes",
    "64M",
];

#[test]
fn fuzz_findings_give_a_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut inputs = Vec::new();
    for target in std::fs::read_dir(&root).expect("the regressions folder exists") {
        let target = target.expect("folder entry").path();
        for input in std::fs::read_dir(&target).expect("target folder reads") {
            inputs.push(input.expect("folder entry").path());
        }
    }
    assert!(!inputs.is_empty(), "no inputs under {}", root.display());
    for input in inputs {
        let path = input.to_str().expect("test paths are UTF-8");
        let mut args = vec!["scan", path, "--format", "json"];
        args.extend_from_slice(&FUZZ_LIMITS);
        let (code, stdout, stderr) = run(&args);
        assert!(
            code == 0 || code == 4,
            "{path}: exit {code}; stderr: {stderr}"
        );
        let report: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{path}: report is not JSON ({e})"));
        assert_eq!(report["files"].as_array().map(Vec::len), Some(1), "{path}");
    }
}
