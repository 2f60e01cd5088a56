#![no_main]
//! Format sniffing on arbitrary heads with each extension.

use exportscan::read::sniff_format;
use libfuzzer_sys::fuzz_target;

const EXTENSIONS: [Option<&str>; 12] = [
    None,
    Some("csv"),
    Some("tsv"),
    Some("txt"),
    Some("xlsx"),
    Some("xlsm"),
    Some("xlsb"),
    Some("xls"),
    Some("ods"),
    Some("sql"),
    Some("json"),
    Some("zip"),
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, head)) = data.split_first() else {
        return;
    };
    let extension = EXTENSIONS[usize::from(*selector) % EXTENSIONS.len()];
    let sniffed = sniff_format(head, extension);
    if let Some(mismatch) = sniffed.mismatch {
        assert!(!mismatch.is_empty());
    }
});
