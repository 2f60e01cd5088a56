//! Resident Identity Card numbers (GB 11643-1999), including the legacy 15-digit form and
//! the residence permits that share the algorithm.

use std::borrow::Cow;

use chrono::NaiveDate;

/// ISO 7064 MOD 11-2 weights for positions 1–17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each value of the weighted sum mod 11.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Earliest birth date accepted in a resident ID number.
pub const EARLIEST_BIRTH_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => panic!("1900-01-01 is a valid date"),
};

/// Reason a resident ID number is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResidentIdError {
    /// Not 17 digits followed by a digit or X.
    Shape,
    /// The first digits are not a province (or permit) code.
    Division,
    /// Positions 7–14 are not a calendar date from 1900 on.
    BirthDate,
    /// The birth date lies after the reference date.
    FutureBirthDate,
    CheckChar,
}

impl std::fmt::Display for ResidentIdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            ResidentIdError::Shape => "not 17 digits followed by a digit or X",
            ResidentIdError::Division => "unknown province code",
            ResidentIdError::BirthDate => "birth date is not a calendar date from 1900 on",
            ResidentIdError::FutureBirthDate => "birth date lies in the future",
            ResidentIdError::CheckChar => "check character does not match",
        };
        f.write_str(text)
    }
}

/// Computes the GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits of a
/// resident ID number; `None` unless `first17` is exactly 17 ASCII digits.
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(char::from(CHECK_CHARS[(sum % 11) as usize]))
}

/// Returns whether a two-digit prefix is a province-level division code: 11–15, 21–23,
/// 31–37, 41–46, 50–54, 61–65, 71 (Taiwan), 81 (Hong Kong), 82 (Macau) and 83 (residence
/// permits for Taiwan residents).
pub fn is_province_code(code: u8) -> bool {
    matches!(code, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81..=83)
}

fn two_digits(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some((a - b'0') * 10 + (b - b'0'))
        }
        _ => None,
    }
}

/// Returns whether the number starts with a known division code. Foreigners' permanent
/// residence ID cards issued since 2023 start with 9 followed by the province code of the
/// issuing office.
// NOTE: the 9-prefixed layout follows the 2023 announcement as summarised in public
// reports; no published standard text was available to confirm it.
fn has_division_prefix(bytes: &[u8]) -> bool {
    match bytes.first() {
        Some(b'9') => two_digits(&bytes[1..]).is_some_and(is_province_code),
        _ => two_digits(bytes).is_some_and(is_province_code),
    }
}

/// Parses the birth date at positions 7–14 of an 18-character number.
pub fn resident_id_birth_date(id18: &str) -> Option<NaiveDate> {
    let digits = id18.as_bytes().get(6..14)?;
    let text = std::str::from_utf8(digits).ok()?;
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = text[0..4].parse().ok()?;
    let month: u32 = text[4..6].parse().ok()?;
    let day: u32 = text[6..8].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Checks an 18-character resident ID number in canonical form (uppercase X): shape,
/// division prefix, birth date between 1900-01-01 and `today`, and check character.
pub fn check_resident_id(id18: &str, today: NaiveDate) -> Result<(), ResidentIdError> {
    let bytes = id18.as_bytes();
    let shape_ok = bytes.len() == 18
        && bytes[..17].iter().all(u8::is_ascii_digit)
        && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
    if !shape_ok {
        return Err(ResidentIdError::Shape);
    }
    if !has_division_prefix(bytes) {
        return Err(ResidentIdError::Division);
    }
    let birth = resident_id_birth_date(id18).ok_or(ResidentIdError::BirthDate)?;
    if birth < EARLIEST_BIRTH_DATE {
        return Err(ResidentIdError::BirthDate);
    }
    if birth > today {
        return Err(ResidentIdError::FutureBirthDate);
    }
    if resident_id_check_char(&id18[..17]) != Some(char::from(bytes[17])) {
        return Err(ResidentIdError::CheckChar);
    }
    Ok(())
}

/// Converts a legacy 15-digit number (division code, YYMMDD, sequence) to the 18-digit
/// form by inserting the century 19 and appending the check character.
pub fn upgrade_resident_id_15(id15: &str) -> Option<String> {
    let bytes = id15.as_bytes();
    if bytes.len() != 15 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut id18 = String::with_capacity(18);
    id18.push_str(&id15[..6]);
    id18.push_str("19");
    id18.push_str(&id15[6..]);
    let check = resident_id_check_char(&id18)?;
    id18.push(check);
    Some(id18)
}

/// Puts a resident ID number into canonical form: trimmed, a final lowercase x raised to X,
/// and a 15-digit number converted to 18 digits. Returns `None` for any other shape.
pub fn normalise_resident_id(value: &str) -> Option<Cow<'_, str>> {
    let trimmed = super::trim(value);
    let bytes = trimmed.as_bytes();
    match bytes.len() {
        18 if bytes[..17].iter().all(u8::is_ascii_digit) => match bytes[17] {
            b'0'..=b'9' | b'X' => Some(Cow::Borrowed(trimmed)),
            b'x' => Some(Cow::Owned(trimmed.to_ascii_uppercase())),
            _ => None,
        },
        15 => upgrade_resident_id_15(trimmed).map(Cow::Owned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
    }

    #[test]
    fn check_char_of_known_numbers() {
        assert_eq!(resident_id_check_char("11010519850312011"), Some('9'));
        assert_eq!(resident_id_check_char("44030519781130035"), Some('X'));
        assert_eq!(resident_id_check_char("51010720010209018"), Some('X'));
        assert_eq!(resident_id_check_char("31010419900725045"), Some('4'));
    }

    #[test]
    fn check_char_rejects_bad_input() {
        assert_eq!(resident_id_check_char("1101051985031201"), None);
        assert_eq!(resident_id_check_char("110105198503120119"), None);
        assert_eq!(resident_id_check_char("1101051985031201A"), None);
        assert_eq!(resident_id_check_char(""), None);
        assert_eq!(
            resident_id_check_char("１１０１０５１９８５０３１２０"),
            None
        );
    }

    #[test]
    fn valid_numbers_pass() {
        for id in [
            "110105198503120119",
            "44030519781130035X",
            "51010720010209018X",
            "310104199007250454",
            "81000019950817002X",
            "830000200002290015",
            "911105202301010017",
        ] {
            assert_eq!(check_resident_id(id, today()), Ok(()), "{id}");
        }
    }

    #[test]
    fn wrong_check_char_fails() {
        assert_eq!(
            check_resident_id("110105198503120118", today()),
            Err(ResidentIdError::CheckChar)
        );
        assert_eq!(
            check_resident_id("440305197811300350", today()),
            Err(ResidentIdError::CheckChar)
        );
    }

    #[test]
    fn unknown_province_fails() {
        // 16 and 99 are not province codes; the check characters are computed correctly.
        let id = format!(
            "16010519850312011{}",
            resident_id_check_char("16010519850312011").unwrap()
        );
        assert_eq!(
            check_resident_id(&id, today()),
            Err(ResidentIdError::Division)
        );
        let id = format!(
            "00010519850312011{}",
            resident_id_check_char("00010519850312011").unwrap()
        );
        assert_eq!(
            check_resident_id(&id, today()),
            Err(ResidentIdError::Division)
        );
        let id = format!(
            "99910519850312011{}",
            resident_id_check_char("99910519850312011").unwrap()
        );
        assert_eq!(
            check_resident_id(&id, today()),
            Err(ResidentIdError::Division)
        );
    }

    #[test]
    fn impossible_birth_dates_fail() {
        for first17 in [
            "11010519850230011",
            "11010519851301011",
            "11010518991231011",
            "11010519850012011",
        ] {
            let id = format!("{first17}{}", resident_id_check_char(first17).unwrap());
            assert_eq!(
                check_resident_id(&id, today()),
                Err(ResidentIdError::BirthDate),
                "{first17}"
            );
        }
    }

    #[test]
    fn leap_day_births() {
        assert_eq!(check_resident_id("830000200002290015", today()), Ok(()));
        let first17 = "11010519000229011";
        let id = format!("{first17}{}", resident_id_check_char(first17).unwrap());
        assert_eq!(
            check_resident_id(&id, today()),
            Err(ResidentIdError::BirthDate)
        );
    }

    #[test]
    fn future_birth_date_fails() {
        let first17 = "11010520300101011";
        let id = format!("{first17}{}", resident_id_check_char(first17).unwrap());
        assert_eq!(
            check_resident_id(&id, today()),
            Err(ResidentIdError::FutureBirthDate)
        );
        let on_day = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        assert_eq!(check_resident_id(&id, on_day), Ok(()));
    }

    #[test]
    fn bad_shapes_fail() {
        for id in [
            "11010519850312011",
            "1101051985031201199",
            "11010519850312011x",
            "1101051985031201X9",
            "",
        ] {
            assert_eq!(
                check_resident_id(id, today()),
                Err(ResidentIdError::Shape),
                "{id}"
            );
        }
    }

    #[test]
    fn legacy_number_upgrades() {
        assert_eq!(
            upgrade_resident_id_15("110105850312011").as_deref(),
            Some("110105198503120119")
        );
        assert_eq!(upgrade_resident_id_15("11010585031201"), None);
        assert_eq!(upgrade_resident_id_15("11010585031201A"), None);
    }

    #[test]
    fn normalise_raises_x_and_upgrades() {
        assert_eq!(
            normalise_resident_id("44030519781130035x").as_deref(),
            Some("44030519781130035X")
        );
        assert!(matches!(
            normalise_resident_id("110105198503120119"),
            Some(Cow::Borrowed(_))
        ));
        assert_eq!(
            normalise_resident_id(" 110105850312011 ").as_deref(),
            Some("110105198503120119")
        );
        assert_eq!(normalise_resident_id("11010519850312011Y"), None);
        assert_eq!(normalise_resident_id("1.10105E+17"), None);
        assert_eq!(normalise_resident_id("110105********0123"), None);
    }

    #[test]
    fn birth_date_read_from_digits() {
        assert_eq!(
            resident_id_birth_date("110105198503120119"),
            NaiveDate::from_ymd_opt(1985, 3, 12)
        );
        assert_eq!(resident_id_birth_date("1101051985"), None);
    }
}
