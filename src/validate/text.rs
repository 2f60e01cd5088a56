//! Cell text helpers shared by every validator: width folding, null placeholders, masks and
//! the traces that spreadsheet numeric storage leaves on digit strings.

use std::borrow::Cow;

/// Folds full-width ASCII forms (U+FF01–U+FF5E) to ASCII and the ideographic space (U+3000)
/// to a space; borrows the input when nothing changes.
pub fn to_half_width(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || !text.chars().any(is_full_width) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(fold_width).collect())
}

fn is_full_width(c: char) -> bool {
    matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}')
}

/// Folds one full-width character to its ASCII form and returns other characters unchanged.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Text that spreadsheets and database exports write for a missing value.
const NULL_PLACEHOLDERS: &[&str] = &[
    "null", "none", "nil", "nan", "n/a", "#n/a", "-", "--", "—", "——", "/", "无", "空", "暂无",
];

/// Trims whitespace as `str::trim` does, without its per-character Unicode check for the
/// common value that starts and ends with a visible ASCII character.
pub fn trim(value: &str) -> &str {
    match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

/// Returns whether `value` is empty, whitespace or a common placeholder for a missing value
/// (`NULL`, `N/A`, `-`, `无`, ...), compared without regard to ASCII case.
pub fn is_null_placeholder(value: &str) -> bool {
    let trimmed = trim(value);
    trimmed.is_empty()
        || (trimmed.len() <= MAX_PLACEHOLDER_BYTES
            && NULL_PLACEHOLDERS
                .iter()
                .any(|p| trimmed.eq_ignore_ascii_case(p)))
}

/// Byte length of the longest entry of `NULL_PLACEHOLDERS`.
const MAX_PLACEHOLDER_BYTES: usize = 6;

/// Characters that only ever stand for hidden characters.
fn is_mask_char(c: char) -> bool {
    matches!(c, '*' | '＊' | '●')
}

/// Letters that stand for hidden digits inside a digit string (139-XXXX-1603).
fn is_mask_letter(c: char) -> bool {
    matches!(c, 'X' | 'x' | '×' | 'Ｘ' | 'ｘ')
}

fn is_digit_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '(' | ')' | '+' | '（' | '）' | '－' | '＋' | '\u{3000}'
    )
}

/// Returns whether `value` is a partial mask such as `139****1601`, `张*`, `**` or
/// `139-XXXX-1603`.
///
/// Any `*`, `＊` or `●` counts as a mask. Runs of `X`, `x` or `×` count only inside an
/// otherwise digit string, and only when a run is longer than one letter or is not the last
/// character, so the final X of a resident ID number stays unmasked.
pub fn is_masked(value: &str) -> bool {
    let trimmed = trim(value);
    // Every mask character starts with one of these bytes: `*`, `X`, `x`, or the UTF-8
    // lead bytes of `×` (C3), `●` (E2) and the full-width `＊` `Ｘ` `ｘ` (EF). Most values
    // contain none of them.
    let bytes = trimmed.as_bytes();
    let ascii_mask = memchr::memchr3(b'*', b'X', b'x', bytes).is_some();
    if !ascii_mask && (trimmed.is_ascii() || memchr::memchr3(0xC3, 0xE2, 0xEF, bytes).is_none()) {
        return false;
    }
    if trimmed.is_ascii() {
        // Fast path for the common case: only `*`, `X` and `x` can mask ASCII text.
        let bytes = trimmed.as_bytes();
        if bytes.contains(&b'*') {
            return true;
        }
        if !bytes.iter().any(|&b| b == b'X' || b == b'x') {
            return false;
        }
    } else {
        let mut has_mask_letter = false;
        for c in trimmed.chars() {
            if is_mask_char(c) {
                return true;
            }
            has_mask_letter |= is_mask_letter(c);
        }
        if !has_mask_letter {
            return false;
        }
    }
    let mut has_digit = false;
    let mut mask_run = 0usize;
    let mut mask_found = false;
    for c in trimmed.chars() {
        if is_mask_letter(c) {
            mask_run += 1;
            if mask_run >= 2 {
                mask_found = true;
            }
            continue;
        }
        if mask_run == 1 {
            // A single letter followed by more characters is a mask, not a check character.
            mask_found = true;
        }
        mask_run = 0;
        if fold_width(c).is_ascii_digit() {
            has_digit = true;
        } else if !is_digit_separator(c) {
            return false;
        }
    }
    let all_letters = !has_digit && trimmed.chars().count() >= 2;
    mask_found && (has_digit || all_letters)
}

/// Returns whether `value` is a number in scientific notation (`1.10105E+17`, `6.222e18`):
/// the form in which spreadsheets write long digit strings after dropping all but 15
/// significant digits.
pub fn is_scientific_notation(value: &str) -> bool {
    let Some((mantissa, exponent)) = trim(value).split_once(['e', 'E']) else {
        return false;
    };
    let mantissa = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);

    is_digits(whole) && (fraction.is_empty() || is_digits(fraction)) && is_digits(exponent)
}

/// Returns whether `text` is one or more ASCII digits.
fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Returns whether a digit string longer than 15 digits has only zeros after its 15th digit,
/// the trace of a value that passed through a double-precision number (15 significant
/// digits) and was written back in full. Such a number never starts with 0.
pub fn has_lost_precision(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    bytes.len() > 15
        && bytes[0] != b'0'
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[15..].iter().all(|&b| b == b'0')
}

/// Strips the guards that exports put around digit strings to keep spreadsheets from
/// converting them: a leading apostrophe (`'110105...`) and the formula form `="110105..."`.
pub fn strip_text_guard(value: &str) -> &str {
    let trimmed = trim(value);
    if let Some(inner) = trimmed
        .strip_prefix("=\"")
        .and_then(|v| v.strip_suffix('"'))
    {
        return trim(inner);
    }
    if let Some(inner) = trimmed.strip_prefix('\'') {
        return trim(inner);
    }
    trimmed
}

/// Returns whether every byte of `text` is the same ASCII digit (`0000000000000000`).
pub fn is_one_repeated_digit(text: &str) -> bool {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(first) if first.is_ascii_digit() => bytes.iter().all(|b| b == first),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_folds_digits_and_plus() {
        assert_eq!(to_half_width("１４７００００１４０５"), "14700001405");
        assert_eq!(to_half_width("＋８６"), "+86");
        assert_eq!(to_half_width("（０１０）"), "(010)");
        assert_eq!(to_half_width("a\u{3000}b"), "a b");
    }

    #[test]
    fn half_width_borrows_unchanged_text() {
        assert!(matches!(to_half_width("13900001401"), Cow::Borrowed(_)));
        assert!(matches!(to_half_width("张三"), Cow::Borrowed(_)));
    }

    #[test]
    fn null_placeholders() {
        for value in [
            "", "  ", "NULL", "null", "N/A", "#N/A", "-", "无", "暂无", "\t",
        ] {
            assert!(is_null_placeholder(value), "{value:?}");
        }
        for value in ["0", "张三", "无锡", "nullable", "13900001401"] {
            assert!(!is_null_placeholder(value), "{value:?}");
        }
    }

    #[test]
    fn placeholder_limit_covers_list() {
        let longest = NULL_PLACEHOLDERS.iter().map(|p| p.len()).max();
        assert_eq!(longest, Some(MAX_PLACEHOLDER_BYTES));
    }

    #[test]
    fn masked_with_asterisks() {
        for value in [
            "139****1601",
            "110105********0123",
            "5101072001********",
            "张*",
            "**",
            "1**********",
            "******************",
            "z***@example.com",
            "北京市朝阳区****",
            "139＊＊＊＊1601",
            "138●●●●5678",
        ] {
            assert!(is_masked(value), "{value}");
        }
    }

    #[test]
    fn masked_with_letters_inside_digits() {
        for value in [
            "139-XXXX-1603",
            "139xxxx1603",
            "110105XXXXXXXX0123",
            "1101051985XXXX011X",
            "139××××1603",
            "X39000001603",
            "XXXXXXXXXXX",
        ] {
            assert!(is_masked(value), "{value}");
        }
    }

    #[test]
    fn unmasked_values_keep_final_x() {
        for value in [
            "44030519781130035X",
            "44030519781130035x",
            "13900001401",
            "张三",
            "X线检查",
            "LSVAU218XN2183294",
            "京AXX123",
            "Xu Ming",
            "",
        ] {
            assert!(!is_masked(value), "{value}");
        }
    }

    #[test]
    fn scientific_notation_detected() {
        for value in [
            "1.10105E+17",
            "6.222E+18",
            "6.222e18",
            "1E+17",
            " 1.1E-3 ",
            "-2.5e+10",
        ] {
            assert!(is_scientific_notation(value), "{value}");
        }
        for value in [
            "110105198503120119",
            "1.5",
            "E+17",
            "1.1E",
            "1.1E+",
            "12e3x",
            "e5",
        ] {
            assert!(!is_scientific_notation(value), "{value}");
        }
    }

    #[test]
    fn lost_precision_needs_zero_tail() {
        assert!(has_lost_precision("110105198503120000"));
        assert!(has_lost_precision("6222000000000000000"));
        assert!(!has_lost_precision("110105198503120119"));
        assert!(!has_lost_precision("622202100000000000"[..15].as_ref()));
        assert!(!has_lost_precision("11010519850312000X"));
        assert!(!has_lost_precision("000000000000000000"));
    }

    #[test]
    fn text_guards_stripped() {
        assert_eq!(
            strip_text_guard("'110105198503120119"),
            "110105198503120119"
        );
        assert_eq!(
            strip_text_guard("=\"110105198503120119\""),
            "110105198503120119"
        );
        assert_eq!(strip_text_guard("  13900001401 "), "13900001401");
        assert_eq!(strip_text_guard("=SUM(A1)"), "=SUM(A1)");
    }

    #[test]
    fn repeated_digit_runs() {
        assert!(is_one_repeated_digit("0000000000000000"));
        assert!(is_one_repeated_digit("8888888888888888888"));
        assert!(!is_one_repeated_digit("4111111111111111"));
        assert!(!is_one_repeated_digit(""));
        assert!(!is_one_repeated_digit("XXXX"));
    }
}
