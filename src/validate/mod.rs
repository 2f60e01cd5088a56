//! Validators and normalisers for Chinese and international identifiers.
//!
//! Normalisers turn raw cell text into one canonical form (`normalise_*`); validators check a
//! value in that form (`*_valid`, `check_*`). The element pack selects both by name.

mod checksum;
mod date;
mod document;
mod network;
mod phone;
mod resident_id;
mod text;
mod vehicle;

pub use checksum::{
    bank_card_valid, credit_code_check_char, credit_code_valid, imei_valid, luhn_check_digit,
    luhn_valid,
};
pub use date::{birth_date_plausible, parse_date};
pub use document::{passport_valid, travel_permit_valid};
pub use network::{email_valid, geo_location_valid, ip_valid, normalise_email};
pub use phone::{landline_valid, mobile_valid, normalise_landline, normalise_mobile};
pub use resident_id::{
    EARLIEST_BIRTH_DATE, ResidentIdError, check_resident_id, is_province_code,
    normalise_resident_id, resident_id_birth_date, resident_id_check_char, upgrade_resident_id_15,
};
pub use text::{
    fold_width, has_lost_precision, is_masked, is_null_placeholder, is_one_repeated_digit,
    is_scientific_notation, strip_text_guard, to_half_width, trim,
};
pub use vehicle::{
    VinCheck, check_vin, licence_plate_valid, normalise_compact_upper, vin_check_char,
};

use std::borrow::Cow;

/// Keeps the ASCII digits of a number written with spaces or dashes between groups
/// (`6222 0210 0000 0000 017`), folding full-width digits; `None` when any other character
/// occurs.
pub fn normalise_digits(value: &str) -> Option<Cow<'_, str>> {
    let trimmed = trim(value);
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Cow::Borrowed(trimmed));
    }
    let mut digits = String::with_capacity(trimmed.len());
    for c in trimmed.chars().map(fold_width) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !(c.is_whitespace() || c == '-') {
            return None;
        }
    }
    Some(Cow::Owned(digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_kept_from_grouped_numbers() {
        assert_eq!(
            normalise_digits("6222 0210 0000 0000 017").as_deref(),
            Some("6222021000000000017")
        );
        assert_eq!(
            normalise_digits("6222-0210-0000-0000-017").as_deref(),
            Some("6222021000000000017")
        );
        assert_eq!(
            normalise_digits("４１１１１１１１１１１１１１１１").as_deref(),
            Some("4111111111111111")
        );
        assert!(matches!(
            normalise_digits("4111111111111111"),
            Some(Cow::Borrowed(_))
        ));
        assert_eq!(normalise_digits("6.222E+18"), None);
        assert_eq!(normalise_digits("6222*0210"), None);
    }
}
