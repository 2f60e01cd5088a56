//! Check-digit identifiers: bank cards and IMEIs (Luhn, ISO/IEC 7812) and unified social
//! credit codes (GB 32100-2015).

use super::text::is_one_repeated_digit;

/// Computes the Luhn check digit for `payload` (digits without the check digit).
pub fn luhn_check_digit(payload: &str) -> Option<u8> {
    let bytes = payload.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let digit = u32::from(b - b'0');
            // The rightmost payload digit sits next to the check digit, so it is doubled.
            if i % 2 == 0 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    Some(((10 - sum % 10) % 10) as u8)
}

/// Returns whether `digits` (payload plus check digit) passes the Luhn check.
pub fn luhn_valid(digits: &str) -> bool {
    let Some((payload, check)) = digits.split_at_checked(digits.len().saturating_sub(1)) else {
        return false;
    };
    match (luhn_check_digit(payload), check.as_bytes()) {
        (Some(expected), [actual]) => actual.is_ascii_digit() && actual - b'0' == expected,
        _ => false,
    }
}

/// Checks a bank card number in digit-only form: 16–19 digits, a Luhn check digit, and not
/// one digit repeated.
pub fn bank_card_valid(digits: &str) -> bool {
    (16..=19).contains(&digits.len()) && !is_one_repeated_digit(digits) && luhn_valid(digits)
}

/// Checks an IMEI in digit-only form: 15 digits, Luhn over the first 14, and not one digit
/// repeated.
pub fn imei_valid(digits: &str) -> bool {
    digits.len() == 15 && !is_one_repeated_digit(digits) && luhn_valid(digits)
}

/// The GB 32100 code alphabet; a character's value is its index (0–30).
const CREDIT_CODE_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// GB 32100 weights for positions 1–17.
const CREDIT_CODE_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn credit_code_value(byte: u8) -> Option<u32> {
    CREDIT_CODE_ALPHABET
        .iter()
        .position(|&c| c == byte)
        .map(|i| i as u32)
}

/// Computes the GB 32100 check character of the first 17 characters of a unified social
/// credit code.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (&byte, weight) in bytes.iter().zip(CREDIT_CODE_WEIGHTS) {
        sum += credit_code_value(byte)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    Some(char::from(CREDIT_CODE_ALPHABET[check as usize]))
}

/// Checks an uppercase unified social credit code: 18 characters of the GB 32100 alphabet,
/// a six-digit division code at positions 3–8, and the check character.
pub fn credit_code_valid(code: &str) -> bool {
    let bytes = code.as_bytes();
    if bytes.len() != 18 || !code.is_ascii() || !bytes[2..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    match (
        credit_code_check_char(&code[..17]),
        credit_code_value(bytes[17]),
    ) {
        (Some(expected), Some(_)) => expected == char::from(bytes[17]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_digit_of_known_numbers() {
        assert_eq!(luhn_check_digit("7992739871"), Some(3));
        assert_eq!(luhn_check_digit("411111111111111"), Some(1));
        assert_eq!(luhn_check_digit("49015420323751"), Some(8));
        assert_eq!(luhn_check_digit("622202100000000001"), Some(7));
    }

    #[test]
    fn luhn_digit_rejects_non_digits() {
        assert_eq!(luhn_check_digit(""), None);
        assert_eq!(luhn_check_digit("4111 1111"), None);
        assert_eq!(luhn_check_digit("12a4"), None);
    }

    #[test]
    fn luhn_valid_checks_last_digit() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("7"));
        assert!(!luhn_valid("7992739871X"));
    }

    #[test]
    fn bank_cards_accepted() {
        for card in [
            "6222021000000000017",
            "622202100000000005",
            "4111111111111111",
            "6228480012345678903",
        ] {
            assert!(bank_card_valid(card), "{card}");
        }
    }

    #[test]
    fn bank_cards_rejected() {
        // Wrong check digit, too short, too long, repeated digit (which passes Luhn).
        for card in [
            "6222021000000000018",
            "520000000000001",
            "62220210000000000172",
            "0000000000000000",
        ] {
            assert!(!bank_card_valid(card), "{card}");
        }
        assert!(luhn_valid("0000000000000000"));
    }

    #[test]
    fn imei_checked_over_fourteen_digits() {
        assert!(imei_valid("490154203237518"));
        assert!(imei_valid("356938035643809"));
        assert!(!imei_valid("490154203237517"));
        assert!(!imei_valid("49015420323751"));
        assert!(!imei_valid("000000000000000"));
    }

    #[test]
    fn credit_code_check_char_of_known_codes() {
        assert_eq!(credit_code_check_char("91110105MA01B2C3D"), Some('L'));
        assert_eq!(credit_code_check_char("12100000400012345"), Some('P'));
        assert_eq!(credit_code_check_char("51440300MJL123456"), Some('8'));
    }

    #[test]
    fn credit_code_check_char_rejects_bad_alphabet() {
        assert_eq!(credit_code_check_char("91110105MA01B2C3I"), None);
        assert_eq!(credit_code_check_char("91110105ma01b2c3d"), None);
        assert_eq!(credit_code_check_char("91110105MA01B2C3"), None);
    }

    #[test]
    fn credit_codes_validated() {
        for code in [
            "91110105MA01B2C3DL",
            "91310000MA1K4L5M6A",
            "12100000400012345P",
            "51440300MJL1234568",
        ] {
            assert!(credit_code_valid(code), "{code}");
        }
        for code in [
            "91110105MA01B2C3é",
            "91110105MA01B2C3DM",
            "91110105MA01B2C3D",
            "911A0105MA01B2C3DL",
            "91110105MA01B2C3DI",
            "",
        ] {
            assert!(!credit_code_valid(code), "{code}");
        }
    }
}
