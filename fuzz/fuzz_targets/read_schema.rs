#![no_main]
//! The SQL DDL and JSON Schema readers.

use exportscan::read::Format;
use exportscan_fuzz::read_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((selector, text)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        read_bytes(text, "sql", Format::Sql);
    } else {
        read_bytes(text, "json", Format::JsonSchema);
    }
});
