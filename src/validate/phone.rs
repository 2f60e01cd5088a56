//! Mainland telephone numbers: mobile numbers and fixed-line numbers with area codes.

use std::borrow::Cow;

use super::text::fold_width;

/// Maximum digits kept while normalising; longer input is not a telephone number.
const MAX_DIGITS: usize = 24;

/// Digits collected from a telephone number with its separators removed.
struct PhoneDigits {
    buffer: [u8; MAX_DIGITS],
    len: usize,
    /// Whether the number started with `+`.
    plus: bool,
}

impl PhoneDigits {
    fn as_str(&self) -> &str {
        // Only ASCII digits are stored.
        std::str::from_utf8(&self.buffer[..self.len]).unwrap_or("")
    }
}

fn is_phone_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '(' | ')' | '[' | ']' | '.' | '–' | '—' | '/')
}

/// Collects the digits of `text` with full-width forms folded, allowing separators anywhere
/// and one leading `+`. Returns `None` when any other character occurs or there are too
/// many digits.
fn collect_digits(text: &str) -> Option<PhoneDigits> {
    let mut digits = PhoneDigits {
        buffer: [0; MAX_DIGITS],
        len: 0,
        plus: false,
    };
    for c in text.chars().map(fold_width) {
        if c.is_ascii_digit() {
            *digits.buffer.get_mut(digits.len)? = c as u8;
            digits.len += 1;
        } else if c == '+' && digits.len == 0 && !digits.plus {
            digits.plus = true;
        } else if !is_phone_separator(c) {
            return None;
        }
    }
    Some(digits)
}

/// Removes the `.0` that a number cell leaves on digits (`17700001406.0`).
fn strip_float_tail(text: &str) -> &str {
    match text
        .strip_suffix(".0")
        .or_else(|| text.strip_suffix("．０"))
    {
        Some(head)
            if head
                .chars()
                .last()
                .is_some_and(|c| fold_width(c).is_ascii_digit()) =>
        {
            head
        }
        _ => text,
    }
}

/// Puts a mainland mobile number into its bare 11-digit form.
///
/// Accepts +86, 0086 and 86 prefixes, spaces, dashes, dots, brackets, full-width digits and
/// plus, and a trailing `.0`. Returns `None` unless exactly 11 digits remain; whether those
/// digits are a mobile number is `mobile_valid`'s job. Thirteen-digit values without an 86
/// prefix (millisecond timestamps, IoT numbers) therefore yield `None`.
pub fn normalise_mobile(value: &str) -> Option<Cow<'_, str>> {
    let trimmed = super::trim(value);
    if trimmed.len() == 11 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Cow::Borrowed(trimmed));
    }
    let digits = collect_digits(strip_float_tail(trimmed))?;
    let all = digits.as_str();
    let national = match all.len() {
        11 if !digits.plus => all,
        13 => all.strip_prefix("86")?,
        15 if !digits.plus => all.strip_prefix("0086")?,
        _ => return None,
    };
    Some(Cow::Owned(national.to_owned()))
}

/// Checks a bare mobile number: `1[3-9]` followed by nine digits. Prefix lists of carriers
/// are not checked because they grow (162, 192 and 193 were added after 2017).
pub fn mobile_valid(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
}

/// Splits a fixed-line number's extension (`转123`, `分机123`, `ext. 123`, `x123`, `#123`)
/// from the number; returns the number part, or `None` when the extension is not 1–6 digits.
fn strip_extension(text: &str) -> Option<&str> {
    const MARKERS: [&str; 8] = ["转", "分机", "ext.", "ext", "x", "#", ",", "，"];
    for marker in MARKERS {
        let position = if marker.is_ascii() {
            // ASCII lowercasing keeps byte offsets, so the position indexes `text` too.
            text.to_ascii_lowercase().find(marker)
        } else {
            text.find(marker)
        };
        let Some(position) = position else { continue };
        let extension = text[position + marker.len()..].trim();
        let extension_ok = (1..=6).contains(&extension.chars().count())
            && extension.chars().all(|c| fold_width(c).is_ascii_digit());
        return extension_ok.then(|| text[..position].trim_end_matches(['-', ' ']));
    }
    Some(text)
}

/// Splits national digits (leading 0) into area code and subscriber number.
fn split_landline(national: &str) -> Option<String> {
    let bytes = national.as_bytes();
    let area_len = match bytes {
        [b'0', b'1', b'0', ..] | [b'0', b'2', ..] => 3,
        [b'0', b'3'..=b'9', ..] => 4,
        _ => return None,
    };
    let subscriber = national.get(area_len..)?;
    let length_ok = match area_len {
        3 => subscriber.len() == 8,
        _ => (7..=8).contains(&subscriber.len()),
    };
    if !length_ok || !matches!(subscriber.as_bytes().first(), Some(b'2'..=b'9')) {
        return None;
    }
    Some(format!("{}-{}", &national[..area_len], subscriber))
}

/// Reads the digits of a fixed-line number without extension markers.
fn parse_landline(number: &str) -> Option<String> {
    let digits = collect_digits(number)?;
    let all = digits.as_str();
    let international = all.strip_prefix("0086").or_else(|| all.strip_prefix("86"));
    match international {
        Some(rest) if rest.starts_with('0') => split_landline(rest),
        Some(rest) => split_landline(&format!("0{rest}")),
        None if digits.plus => None,
        None => split_landline(all),
    }
}

/// Puts a mainland fixed-line number into the form `area-subscriber` (`010-60001402`,
/// `0755-2345678`), dropping any extension.
///
/// The area code is required: 010 and 020–029 are followed by 8 digits, other codes
/// (0 followed by 3–9 and two digits) by 7 or 8 digits, and a subscriber number starts with
/// 2–9. An international prefix +86 or 0086 is accepted with or without the area code's 0.
/// A last group of 1–6 digits after a dash or space is read as an extension when the
/// number is not valid with it (`021-60001402-8001`).
pub fn normalise_landline(value: &str) -> Option<String> {
    let number = strip_extension(value.trim())?;
    if let Some(parsed) = parse_landline(number) {
        return Some(parsed);
    }
    let (head, last_group) = number.rsplit_once(['-', ' '])?;
    let group_ok =
        (1..=6).contains(&last_group.len()) && last_group.bytes().all(|b| b.is_ascii_digit());
    if !group_ok {
        return None;
    }
    parse_landline(head.trim_end_matches(['-', ' ']))
}

/// Checks a fixed-line number in the form that `normalise_landline` returns.
pub fn landline_valid(number: &str) -> bool {
    normalise_landline(number).is_some_and(|again| again == number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mobile(value: &str) -> Option<String> {
        normalise_mobile(value).map(Cow::into_owned)
    }

    #[test]
    fn mobile_prefixes_and_separators() {
        let cases = [
            ("+86 139 0000 1401", "13900001401"),
            ("0086-139-0000-1402", "13900001402"),
            ("86 19900001403", "19900001403"),
            ("(+86)16600001404", "16600001404"),
            ("１４７００００１４０５", "14700001405"),
            ("17700001406.0", "17700001406"),
            ("8613900001407", "13900001407"),
            ("199-0000-1408", "19900001408"),
            ("139 0000 0705", "13900000705"),
            ("＋８６ １３９００００１４０１", "13900001401"),
            ("（139）0000-1401", "13900001401"),
            ("139.0000.1401", "13900001401"),
        ];
        for (raw, expected) in cases {
            assert_eq!(mobile(raw).as_deref(), Some(expected), "{raw}");
        }
    }

    #[test]
    fn mobile_fast_path_borrows() {
        assert!(matches!(
            normalise_mobile("13900001401"),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn mobile_rejects_other_numbers() {
        for raw in [
            "1700000000000",
            "1700000000000.0",
            "1440000000001",
            "+1 139 0000 1401",
            "139000014",
            "13900001401a",
            "+8613900001401 ext 1",
            "86-86-13900001401",
            "008613900001401000",
            "13900001401.5",
            "",
        ] {
            assert_eq!(mobile(raw), None, "{raw}");
        }
    }

    #[test]
    fn mobile_digits_validated() {
        for digits in [
            "13900001401",
            "19300001401",
            "16200001401",
            "19200001401",
            "14700001405",
        ] {
            assert!(mobile_valid(digits), "{digits}");
        }
        for digits in [
            "12900001401",
            "10900001401",
            "23900001401",
            "1390000140",
            "139000014011",
            "1390000140a",
        ] {
            assert!(!mobile_valid(digits), "{digits}");
        }
    }

    #[test]
    fn landline_forms() {
        let cases = [
            ("010-60001402", "010-60001402"),
            ("(010)60001402", "010-60001402"),
            ("（０１０）６０００１４０２", "010-60001402"),
            ("010 6000 1402", "010-60001402"),
            ("0755-2345678", "0755-2345678"),
            ("0755-23456789", "0755-23456789"),
            ("021-60001402-8001", "021-60001402"),
            ("021-60001402转8001", "021-60001402"),
            ("021-60001402 ext. 8001", "021-60001402"),
            ("+86 10 60001402", "010-60001402"),
            ("0086-755-23456789", "0755-23456789"),
            ("02160001402", "021-60001402"),
        ];
        for (raw, expected) in cases {
            assert_eq!(normalise_landline(raw).as_deref(), Some(expected), "{raw}");
        }
    }

    #[test]
    fn landline_rejects_other_numbers() {
        for raw in [
            "0",
            "02",
            "03",
            "+86 2",
            "60001402",
            "13900001401",
            "013900001401",
            "010-6000140",
            "010-600014021",
            "010-06001402",
            "0755-234567",
            "0755-234567890",
            "021-60001402转分机",
            "tel: 010-60001402",
            "400-810-8888",
            "",
        ] {
            assert_eq!(normalise_landline(raw), None, "{raw}");
        }
    }

    #[test]
    fn landline_canonical_form_validated() {
        assert!(landline_valid("010-60001402"));
        assert!(landline_valid("0755-2345678"));
        assert!(!landline_valid("01060001402"));
        assert!(!landline_valid("010-6000140"));
    }
}
