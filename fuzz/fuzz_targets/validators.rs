#![no_main]
//! Every validator and normaliser on arbitrary text, with round-trip checks where a function
//! computes a check character.

use std::sync::LazyLock;

use chrono::NaiveDate;
use exportscan::mask::mask_value;
use exportscan::pack::ElementPack;
use exportscan::validate::*;
use libfuzzer_sys::fuzz_target;

static PACK: LazyLock<ElementPack> =
    LazyLock::new(|| ElementPack::builtin().expect("the built-in pack loads"));

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date");

    let _ = passport_valid(value);
    let _ = travel_permit_valid(value);
    let _ = bank_card_valid(value);
    let _ = imei_valid(value);
    let _ = email_valid(value);
    let _ = normalise_email(value);
    let _ = ip_valid(value);
    let _ = geo_location_valid(value);
    let _ = to_half_width(value);
    let _ = value.chars().map(fold_width).count();
    let _ = is_null_placeholder(value);
    let _ = is_masked(value);
    let _ = is_scientific_notation(value);
    let _ = has_lost_precision(value);
    let _ = strip_text_guard(value);
    let _ = is_one_repeated_digit(value);
    let _ = check_vin(value);
    let _ = normalise_compact_upper(value);
    let _ = licence_plate_valid(value);
    if let Some(date) = parse_date(value) {
        let _ = birth_date_plausible(date, today);
    }
    if let Some(mobile) = normalise_mobile(value) {
        let _ = mobile_valid(&mobile);
    }
    let _ = mobile_valid(value);
    if let Some(landline) = normalise_landline(value) {
        let _ = landline_valid(&landline);
    }
    let _ = landline_valid(value);
    let _ = normalise_digits(value);
    let _ = resident_id_birth_date(value);
    let _ = check_resident_id(value, today);
    let _ = upgrade_resident_id_15(value);
    if let Some(id) = normalise_resident_id(value) {
        let _ = check_resident_id(&id, today);
    }
    let _ = mask_value(value);

    // A computed check character must make the full value pass its check.
    if let Some(check) = luhn_check_digit(value) {
        assert!(luhn_valid(&format!("{value}{check}")));
    }
    if let Some(check) = credit_code_check_char(value) {
        let division_is_digits = value.as_bytes()[2..8].iter().all(u8::is_ascii_digit);
        assert_eq!(
            credit_code_valid(&format!("{value}{check}")),
            division_is_digits
        );
    }
    if let Some(check) = resident_id_check_char(value) {
        let full = format!("{value}{check}");
        assert_ne!(
            check_resident_id(&full, today),
            Err(ResidentIdError::CheckChar)
        );
    }
    if let Some(check) = vin_check_char(value) {
        let mut vin: Vec<char> = value.chars().collect();
        vin[8] = check;
        let vin: String = vin.into_iter().collect();
        assert_ne!(check_vin(&vin), VinCheck::CheckDigitMismatch);
    }

    for element in &PACK.elements {
        let _ = element.check(value);
        let _ = element.link_key(value);
        let _ = element.birth_date(value);
    }
});
