#![no_main]
//! The pattern pack loader on arbitrary TOML text.

use exportscan::pack::ElementPack;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ElementPack::from_sources(&[("fuzz.toml", text)]) {
        Ok(pack) => {
            for element in &pack.elements {
                let _ = element.classify(text);
                let _ = pack.match_header(&element.id);
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
