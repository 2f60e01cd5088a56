#![no_main]
//! The workbook reader on arbitrary .xlsx content (the container decides the reader).

use exportscan::read::Format;
use exportscan_fuzz::read_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    read_bytes(data, "xlsx", Format::Xlsx);
});
