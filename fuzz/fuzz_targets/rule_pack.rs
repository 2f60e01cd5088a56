#![no_main]
//! The rule pack loader on arbitrary TOML text, alone and beside the embedded packs.

use exportscan::rules::{Pack, PackOrigin, RuleSet, embedded_packs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let origin = PackOrigin::Embedded("fuzz.toml".to_string());
    match Pack::parse(text, origin) {
        Ok(pack) => {
            let _ = pack.element_ids();
            let mut packs = embedded_packs().expect("the embedded packs load");
            packs.push(pack);
            if let Ok(rule_set) = RuleSet::from_packs(packs) {
                let _ = rule_set.zones();
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
