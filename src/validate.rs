//! Validators and normalisers for Chinese and international identifiers.

/// Computes the GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits of a
/// resident ID number; `None` unless `first17` is exactly 17 ASCII digits.
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    let _ = first17;
    todo!()
}

/// Computes the Luhn check digit for `payload` (digits without the check digit).
pub fn luhn_check_digit(payload: &str) -> Option<u8> {
    let _ = payload;
    todo!()
}

/// Computes the GB 32100 check character of the first 17 characters of a unified social
/// credit code.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    let _ = first17;
    todo!()
}

/// Computes the ISO 3779 check character (position 9) of a 17-character VIN; the character
/// at position 9 of the input is ignored.
pub fn vin_check_char(vin: &str) -> Option<char> {
    let _ = vin;
    todo!()
}
