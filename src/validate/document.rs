//! Passports and travel permits. No public specification gives their full syntax, so these
//! are shape checks: use them together with a header match.

use std::sync::LazyLock;

use regex::Regex;

/// Passport numbers. PRC ordinary passports are E + 8 digits or E + letter + 7 digits (older
/// G + 8), diplomatic, service and public affairs passports DE, SE or PE + 7 digits. Hong Kong
/// SAR passports are K + 8 or KJ + 7, Macau SAR passports MA or MB + 7. Foreign passports
/// commonly have one or two letters and 6–8 digits.
static PASSPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "(?-u)^(?:E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8}|[DSP]E[0-9]{7}|K[0-9]{8}|KJ[0-9]{7}\
         |M[AB][0-9]{7}|[A-Z]{1,2}[0-9]{6,8})$",
    )
    .expect("passport pattern is a valid regex")
});

/// Travel permit numbers. Permits for Hong Kong and Macau residents are H or M + 8 digits,
/// sometimes followed by a 2-digit issue count, and permits for Taiwan residents 8 digits.
/// Exit-entry permits to Hong Kong and Macau are C + 8 digits or C + letter + 7 digits
/// (older W + 8 digits).
static TRAVEL_PERMIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "(?-u)^(?:[HM][0-9]{8}(?:[0-9]{2})?|[0-9]{8}|C[0-9]{8}|C[A-HJ-NP-Z][0-9]{7}|W[0-9]{8})$",
    )
    .expect("travel permit pattern is a valid regex")
});

/// Checks a passport number in compact uppercase form.
pub fn passport_valid(number: &str) -> bool {
    PASSPORT.is_match(number)
}

/// Checks a travel permit number in compact uppercase form.
pub fn travel_permit_valid(number: &str) -> bool {
    TRAVEL_PERMIT.is_match(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passports_accepted() {
        for number in [
            "E12345678",
            "EA1234567",
            "G12345678",
            "DE1234567",
            "SE1234567",
            "PE1234567",
            "K12345678",
            "KJ1234567",
            "MA1234567",
            "MB1234567",
            "TK1234567",
        ] {
            assert!(passport_valid(number), "{number}");
        }
    }

    #[test]
    fn passports_rejected() {
        for number in [
            "E123456789",
            "12345678",
            "ABC123456",
            "e12345678",
            "E12345",
            "E1234567A",
            "E-1234567",
            "",
        ] {
            assert!(!passport_valid(number), "{number}");
        }
    }

    #[test]
    fn foreign_shape_admits_non_prc_prefixes() {
        // Not PRC shapes (letter I after E, seven digits after E), but foreign passports
        // of one or two letters and 6–8 digits look like this.
        assert!(passport_valid("EI1234567"));
        assert!(passport_valid("E1234567"));
    }

    #[test]
    fn travel_permits_accepted() {
        for number in [
            "H12345678",
            "M12345678",
            "H1234567801",
            "12345678",
            "C12345678",
            "CA1234567",
            "W12345678",
        ] {
            assert!(travel_permit_valid(number), "{number}");
        }
    }

    #[test]
    fn travel_permits_rejected() {
        for number in [
            "H1234567",
            "H123456789",
            "CI1234567",
            "1234567",
            "123456789",
            "E12345678",
            "h12345678",
            "",
        ] {
            assert!(!travel_permit_valid(number), "{number}");
        }
    }
}
