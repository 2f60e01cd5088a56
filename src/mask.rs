//! Masking of values for reports and logs, so that no raw personal data is printed.

/// Longest masked example, in characters; longer values are cut and end in `…`.
const MAX_MASKED_CHARS: usize = 24;

/// Masks `value` for display, so that no value can be read back from a report. ASCII
/// values of 8 characters or more keep their first 3 and last 2 characters (139******01),
/// shorter ones and all other text keep only the first character (张**), e-mail addresses
/// keep the first character of each part (z***@e******.com becomes z***@e***.***), and
/// values of 2 characters or fewer are masked whole.
pub fn mask_value(value: &str) -> String {
    let value = value.trim();
    if value.contains('@') {
        return mask_email(value);
    }
    let chars: Vec<char> = value.chars().take(MAX_MASKED_CHARS + 1).collect();
    let (keep_head, keep_tail) = match chars.len() {
        0..=2 => (0, 0),
        _ if !value.is_ascii() => (1, 0),
        3..=7 => (1, 0),
        _ => (3, 2),
    };
    let shown = chars.len().min(MAX_MASKED_CHARS);
    let mut masked = String::with_capacity(shown * 3);
    for (i, c) in chars.iter().take(shown).enumerate() {
        let visible =
            i < keep_head || (chars.len() <= MAX_MASKED_CHARS && i + keep_tail >= chars.len());
        if visible || is_separator(*c) {
            masked.push(*c);
        } else {
            masked.push('*');
        }
    }
    if chars.len() > MAX_MASKED_CHARS {
        masked.push('…');
    }
    masked
}

/// Masks an e-mail address to the first character of the local part and of the domain.
fn mask_email(value: &str) -> String {
    let (local, domain) = value.split_once('@').unwrap_or((value, ""));
    let first = |part: &str| part.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
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
    fn mask_keeps_only_the_first_character_of_text() {
        assert_eq!(mask_value("急性上呼吸道感染"), "急*******");
        assert_eq!(mask_value("北京市朝阳区示例路1号"), "北**********");
    }

    #[test]
    fn mask_hides_email_parts() {
        assert_eq!(mask_value("a.user@example.com"), "a***@e***");
        assert_eq!(mask_value("u00@example.org"), "u***@e***");
    }

    #[test]
    fn mask_keeps_separators() {
        assert_eq!(mask_value("139-0000-0101"), "139-****-**01");
    }

    #[test]
    fn mask_cuts_long_values() {
        let long = "x".repeat(10_000);
        let masked = mask_value(&long);
        assert_eq!(masked.chars().count(), MAX_MASKED_CHARS + 1);
        assert!(masked.ends_with('…'));
    }
}
