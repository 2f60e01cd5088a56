//! Masking of values for reports and logs, so that no raw personal data is printed.

/// Masks `value` for display: digits and letters in the middle become `*`, and only a short
/// prefix and suffix stay visible (3 and 2 characters for values of 8 characters or more,
/// the first character for shorter values, nothing for 2 characters or fewer).
pub fn mask_value(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    let (keep_head, keep_tail) = match chars.len() {
        0..=2 => (0, 0),
        3..=7 => (1, 0),
        _ => (3, 2),
    };
    let mut masked = String::with_capacity(value.len());
    for (i, c) in chars.iter().enumerate() {
        let visible = i < keep_head || i + keep_tail >= chars.len();
        if visible || is_separator(*c) {
            masked.push(*c);
        } else {
            masked.push('*');
        }
    }
    masked
}

fn is_separator(c: char) -> bool {
    matches!(c, '-' | ' ' | '@' | '.' | '(' | ')' | '+')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keeps_head_and_tail_of_long_values() {
        assert_eq!(mask_value("13900000101"), "139******01");
        assert_eq!(mask_value("110105198503120119"), "110*************19");
    }

    #[test]
    fn mask_keeps_first_character_of_short_values() {
        assert_eq!(mask_value("张三"), "**");
        assert_eq!(mask_value("欧阳娜娜"), "欧***");
    }

    #[test]
    fn mask_keeps_separators() {
        assert_eq!(mask_value("a.user@example.com"), "a.u***@*******.*om");
        assert_eq!(mask_value("139-0000-0101"), "139-****-**01");
    }
}
