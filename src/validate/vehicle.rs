//! Vehicle identifiers: VINs (ISO 3779, GB 16735-2019) and licence plates (GA 36-2018).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// ISO 3779 weights for positions 1–17. Position 9 is the check digit, so its weight is 0.
const VIN_WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// Transliterates a VIN character to its value; `None` for characters outside 0–9 and A–Z
/// without I, O and Q.
fn vin_value(byte: u8) -> Option<u32> {
    let value = match byte.to_ascii_uppercase() {
        b @ b'0'..=b'9' => b - b'0',
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    };
    Some(u32::from(value))
}

/// Computes the ISO 3779 check character (position 9) of a 17-character VIN; the character
/// at position 9 of the input is ignored.
pub fn vin_check_char(vin: &str) -> Option<char> {
    let bytes = vin.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (i, (&byte, weight)) in bytes.iter().zip(VIN_WEIGHTS).enumerate() {
        if i == 8 {
            continue;
        }
        sum += vin_value(byte)? * weight;
    }
    Some(match sum % 11 {
        10 => 'X',
        digit => char::from(b'0' + digit as u8),
    })
}

/// Result of checking a VIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VinCheck {
    /// The check digit at position 9 matches.
    Valid,
    /// The check digit does not match, but the WMI is not Chinese (does not start with L),
    /// where ISO 3779 leaves the check digit optional: the shape alone is weaker evidence.
    CheckDigitMismatch,
    Invalid,
}

/// Checks an uppercase VIN: 17 characters of 0–9 and A–Z without I, O, Q, not one character
/// repeated and not digits only, with a check digit that GB 16735 makes mandatory for
/// Chinese WMIs (starting with L).
///
/// All-digit strings are rejected because assigned WMIs contain letters and 17-digit
/// serial or order numbers would otherwise pass one time in eleven.
pub fn check_vin(vin: &str) -> VinCheck {
    let bytes = vin.as_bytes();
    if bytes.len() != 17
        || !bytes
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return VinCheck::Invalid;
    }
    if bytes.iter().any(|&b| vin_value(b).is_none()) {
        return VinCheck::Invalid;
    }
    if bytes.iter().all(|&b| b == bytes[0]) || bytes.iter().all(u8::is_ascii_digit) {
        return VinCheck::Invalid;
    }
    match vin_check_char(vin) {
        Some(check) if check == char::from(bytes[8]) => VinCheck::Valid,
        Some(_) if bytes[0] != b'L' => VinCheck::CheckDigitMismatch,
        _ => VinCheck::Invalid,
    }
}

/// Puts an identifier into compact uppercase form: full-width folded to ASCII, ASCII letters
/// raised, and spaces, dashes and middle dots removed (`京A·12345` → `京A12345`).
pub fn normalise_compact_upper(value: &str) -> Cow<'_, str> {
    let trimmed = value.trim();
    let already_compact = trimmed.bytes().all(|b| {
        b.is_ascii_uppercase() || b.is_ascii_digit() || (b >= 0x80 && !is_separator_lead(b))
    });
    if already_compact {
        return Cow::Borrowed(trimmed);
    }
    let compact = trimmed
        .chars()
        .map(super::text::fold_width)
        .filter(|&c| !is_separator(c))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Cow::Owned(compact)
}

/// Lead bytes of the multi-byte separators and full-width forms that need folding (U+00B7,
/// U+2022, U+30FB, U+3000 and U+FF01–U+FF5E), so the borrow check above stays byte-wise.
fn is_separator_lead(byte: u8) -> bool {
    matches!(byte, 0xC2 | 0xE2 | 0xE3 | 0xEF)
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '·' | '•' | '・' | '.' | '－' | '\u{3000}')
}

/// GA 36-2018 plates in compact form. A province (or embassy or consulate) character and an
/// issuing authority letter come first. Then follows an ordinary 5-character serial, a
/// new-energy 6-character serial (energy letter first on small vehicles, last on large
/// ones), or 4 characters and a use suffix such as 挂 (trailer).
static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-HJ-NP-Z]\
         (?:[A-HJ-NP-Z0-9]{5}|[DABCEFGHJK][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DABCEFGHJK]\
         |[A-HJ-NP-Z0-9]{4}[挂学警港澳领])$",
    )
    .expect("plate pattern is a valid regex")
});

/// Checks a licence plate in compact uppercase form (see `normalise_compact_upper`).
pub fn licence_plate_valid(plate: &str) -> bool {
    PLATE.is_match(plate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vin_check_char_of_known_vins() {
        assert_eq!(vin_check_char("1HGCM82633A004352"), Some('3'));
        assert_eq!(vin_check_char("LSVAU2180N2183294"), Some('X'));
        assert_eq!(vin_check_char("LGBH52E0XKY123456"), Some('1'));
        assert_eq!(vin_check_char("lgbh52e0xky123456"), Some('1'));
    }

    #[test]
    fn vin_check_char_rejects_bad_input() {
        assert_eq!(vin_check_char("1HGCM82633A00435"), None);
        assert_eq!(vin_check_char("1HGCM82633A00435I"), None);
        assert_eq!(vin_check_char("1HGCM82633A00435Q"), None);
    }

    #[test]
    fn vins_checked() {
        assert_eq!(check_vin("LSVAU218XN2183294"), VinCheck::Valid);
        assert_eq!(check_vin("LGBH52E01KY123456"), VinCheck::Valid);
        assert_eq!(check_vin("1HGCM82633A004352"), VinCheck::Valid);
        assert_eq!(check_vin("JHMCM56557C404453"), VinCheck::Valid);
    }

    #[test]
    fn chinese_vin_needs_check_digit() {
        assert_eq!(check_vin("LSVAU2180N2183294"), VinCheck::Invalid);
        assert_eq!(check_vin("LGBH52E0XKY123456"), VinCheck::Invalid);
    }

    #[test]
    fn foreign_vin_mismatch_is_weaker() {
        assert_eq!(check_vin("WVWZZZ1JZ3W386752"), VinCheck::CheckDigitMismatch);
        assert_eq!(check_vin("1HGCM82634A004352"), VinCheck::CheckDigitMismatch);
    }

    #[test]
    fn vin_shapes_rejected() {
        for vin in [
            "11111111111111111",
            "12345678901234567",
            "LSVAU218XN218329",
            "LSVAU218XN21832945",
            "LSVAU218XN218329I",
            "lsvau218xn2183294",
            "LSVAU218XN218329Q",
        ] {
            assert_eq!(check_vin(vin), VinCheck::Invalid, "{vin}");
        }
    }

    #[test]
    fn compact_upper_form() {
        assert_eq!(normalise_compact_upper(" 京A·12345 "), "京A12345");
        assert_eq!(normalise_compact_upper("粤b 12345"), "粤B12345");
        assert_eq!(
            normalise_compact_upper("lsvau218xn2183294"),
            "LSVAU218XN2183294"
        );
        assert_eq!(normalise_compact_upper("Ｅ１２３４５６７８"), "E12345678");
        assert_eq!(normalise_compact_upper("E-1234 5678"), "E12345678");
        assert!(matches!(
            normalise_compact_upper("京A12345"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            normalise_compact_upper("E12345678"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn plates_accepted() {
        for plate in [
            "京A12345",
            "沪B1C2D3",
            "京AD12345",
            "粤BFA1234",
            "辽D46234F",
            "京A1234挂",
            "粤Z1234港",
            "沪A0001领",
            "使A12345",
        ] {
            assert!(licence_plate_valid(plate), "{plate}");
        }
    }

    #[test]
    fn plates_rejected() {
        for plate in [
            "京I12345",
            "京A1234",
            "京A123456",
            "A12345",
            "北A12345",
            "京AO1234",
            "京A12345挂",
            "京AD1234Z",
            "京AZ12345",
        ] {
            assert!(!licence_plate_valid(plate), "{plate}");
        }
    }
}
