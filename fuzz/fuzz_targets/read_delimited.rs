#![no_main]
//! Encoding detection, decoding, delimiter detection and record parsing of delimited text.

use exportscan::read::Format;
use exportscan_fuzz::read_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((selector, text)) = data.split_first() else {
        return;
    };
    let (extension, format) = match selector % 3 {
        0 => ("csv", Format::Csv),
        1 => ("tsv", Format::Tsv),
        _ => ("txt", Format::Txt),
    };
    read_bytes(text, extension, format);
});
