//! Value classification: the validators and normalisers that element files select by name,
//! and the steps from raw cell text to a `ValueCheck`.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::NaiveDate;
use regex::Regex;

use super::{ValueCheck, ValueClass, ValueStrength};
use crate::validate;

/// A Rust validator, selected by name in an element file. Each one checks a value in the
/// canonical form that the element's normaliser produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Validator {
    ResidentId,
    BankCard,
    Imei,
    OrgCreditCode,
    Vin,
    MobilePhone,
    LandlinePhone,
    Email,
    IpAddress,
    GeoLocation,
    LicencePlate,
    Passport,
    TravelPermit,
    BirthDate,
    /// Membership in the element's `vocabulary` (or `code_vocabulary`).
    Vocabulary,
}

const VALIDATORS: [(&str, Validator); 15] = [
    ("resident_id", Validator::ResidentId),
    ("bank_card", Validator::BankCard),
    ("imei", Validator::Imei),
    ("org_credit_code", Validator::OrgCreditCode),
    ("vin", Validator::Vin),
    ("mobile_phone", Validator::MobilePhone),
    ("landline_phone", Validator::LandlinePhone),
    ("email", Validator::Email),
    ("ip_address", Validator::IpAddress),
    ("geo_location", Validator::GeoLocation),
    ("licence_plate", Validator::LicencePlate),
    ("passport", Validator::Passport),
    ("travel_permit", Validator::TravelPermit),
    ("birth_date", Validator::BirthDate),
    ("vocabulary", Validator::Vocabulary),
];

impl Validator {
    pub fn from_name(name: &str) -> Option<Validator> {
        VALIDATORS.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    pub fn names() -> String {
        VALIDATORS
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Returns the strength of the evidence that a passing value gives.
    pub fn strength(self) -> ValueStrength {
        match self {
            Validator::ResidentId
            | Validator::BankCard
            | Validator::Imei
            | Validator::OrgCreditCode
            | Validator::Vin => ValueStrength::Checksum,
            _ => ValueStrength::Pattern,
        }
    }
}

/// A normaliser, selected by name in an element file: it turns raw text into the canonical
/// form that patterns and validators check and that linking keys use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Normaliser {
    /// 18 characters with uppercase X; 15-digit numbers converted.
    ResidentId,
    /// Bare 11 digits.
    Mobile,
    /// `area-subscriber`, extension dropped.
    Landline,
    /// Trimmed and lower-cased.
    Email,
    /// Digits only, group separators removed.
    Digits,
    /// Uppercase, without spaces, dashes and middle dots.
    CompactUpper,
    /// Trimmed, full-width folded, uppercase.
    Upper,
}

const NORMALISERS: [(&str, Normaliser); 7] = [
    ("resident_id", Normaliser::ResidentId),
    ("mobile", Normaliser::Mobile),
    ("landline", Normaliser::Landline),
    ("email", Normaliser::Email),
    ("digits", Normaliser::Digits),
    ("compact_upper", Normaliser::CompactUpper),
    ("upper", Normaliser::Upper),
];

impl Normaliser {
    pub fn from_name(name: &str) -> Option<Normaliser> {
        NORMALISERS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    pub fn names() -> String {
        NORMALISERS
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Returns the canonical form, or `None` when the text cannot take that form.
    pub fn apply(self, value: &str) -> Option<Cow<'_, str>> {
        match self {
            Normaliser::ResidentId => validate::normalise_resident_id(value),
            Normaliser::Mobile => validate::normalise_mobile(value),
            Normaliser::Landline => validate::normalise_landline(value).map(Cow::Owned),
            Normaliser::Email => Some(validate::normalise_email(value)),
            Normaliser::Digits => validate::normalise_digits(value),
            Normaliser::CompactUpper => Some(validate::normalise_compact_upper(value)),
            Normaliser::Upper => Some(upper(value)),
        }
    }
}

fn upper(value: &str) -> Cow<'_, str> {
    let folded = validate::to_half_width(value.trim());
    if !folded.bytes().any(|b| b.is_ascii_lowercase()) {
        return folded;
    }
    Cow::Owned(folded.to_ascii_uppercase())
}

/// A vocabulary compared without regard to ASCII case.
#[derive(Debug, Default)]
pub(super) struct Vocabulary {
    /// Entries with ASCII letters lowered.
    entries: HashSet<String>,
}

impl Vocabulary {
    pub fn new(entries: &[String]) -> Vocabulary {
        Vocabulary {
            entries: entries
                .iter()
                .map(|e| e.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    pub fn contains(&self, value: &str) -> bool {
        if value.bytes().any(|b| b.is_ascii_uppercase()) {
            self.entries.contains(&value.to_ascii_lowercase())
        } else {
            self.entries.contains(value)
        }
    }
}

/// The compiled value rules of one element.
#[derive(Debug)]
pub(super) struct ValueRules {
    pub validator: Option<Validator>,
    pub normaliser: Option<Normaliser>,
    /// Matched against the canonical form (or the trimmed text without a normaliser).
    pub pattern: Option<Regex>,
    /// Whether values are digit strings that spreadsheets may have stored as numbers.
    pub numeric_damage: bool,
    /// Values that prove the element (`男`, `汉族`).
    pub vocabulary: Vocabulary,
    /// Codes that fit the element but prove nothing alone (`1` for male, `01` for Han).
    pub code_vocabulary: Vocabulary,
    /// Reference date for "not in the future" checks.
    pub today: NaiveDate,
}

const EMPTY: ValueCheck = ValueCheck {
    class: ValueClass::Empty,
    strength: ValueStrength::None,
};
const MASKED: ValueCheck = ValueCheck {
    class: ValueClass::Masked,
    strength: ValueStrength::None,
};
const DAMAGED: ValueCheck = ValueCheck {
    class: ValueClass::Damaged,
    strength: ValueStrength::None,
};
const INVALID: ValueCheck = ValueCheck {
    class: ValueClass::Invalid,
    strength: ValueStrength::None,
};

impl ValueRules {
    /// Classifies `value` and returns its canonical form when it is `Valid`.
    ///
    /// The steps run in order: empty or placeholder, mask, scientific notation (for digit
    /// elements), normaliser, pattern, validator. A digit string that fails its pattern or
    /// validator but ends in zeros past its 15th digit is `Damaged`, because that is what a
    /// spreadsheet writes back after storing it as a number.
    pub fn evaluate<'a>(
        &self,
        value: &'a str,
        strength: ValueStrength,
    ) -> (ValueCheck, Option<Cow<'a, str>>) {
        if validate::is_null_placeholder(value) {
            return (EMPTY, None);
        }
        let text = if self.numeric_damage {
            validate::strip_text_guard(value)
        } else {
            validate::trim(value)
        };
        if text.is_empty() {
            return (EMPTY, None);
        }
        if validate::is_masked(text) {
            return (MASKED, None);
        }
        if self.numeric_damage && validate::is_scientific_notation(text) {
            return (DAMAGED, None);
        }
        let canonical = match self.normaliser {
            Some(normaliser) => match normaliser.apply(text) {
                Some(canonical) => canonical,
                None => return (INVALID, None),
            },
            None => Cow::Borrowed(text),
        };
        let pattern_ok = self.pattern.as_ref().is_none_or(|p| p.is_match(&canonical));
        let validated = if pattern_ok {
            self.validate(&canonical, strength)
        } else {
            None
        };
        match validated {
            Some(strength) => (
                ValueCheck {
                    class: ValueClass::Valid,
                    strength,
                },
                Some(canonical),
            ),
            None if self.numeric_damage && validate::has_lost_precision(&canonical) => {
                (DAMAGED, None)
            }
            None => (INVALID, None),
        }
    }

    /// Runs the validator on a canonical value; returns the strength of a pass.
    fn validate(&self, canonical: &str, strength: ValueStrength) -> Option<ValueStrength> {
        let Some(validator) = self.validator else {
            return Some(strength);
        };
        let passed = match validator {
            Validator::ResidentId => validate::check_resident_id(canonical, self.today).is_ok(),
            Validator::BankCard => validate::bank_card_valid(canonical),
            Validator::Imei => validate::imei_valid(canonical),
            Validator::OrgCreditCode => validate::credit_code_valid(canonical),
            Validator::Vin => {
                return match validate::check_vin(canonical) {
                    validate::VinCheck::Valid => Some(strength),
                    validate::VinCheck::CheckDigitMismatch => Some(ValueStrength::Pattern),
                    validate::VinCheck::Invalid => None,
                };
            }
            Validator::MobilePhone => validate::mobile_valid(canonical),
            Validator::LandlinePhone => validate::landline_valid(canonical),
            Validator::Email => validate::email_valid(canonical),
            Validator::IpAddress => validate::ip_valid(canonical),
            Validator::GeoLocation => validate::geo_location_valid(canonical),
            Validator::LicencePlate => validate::licence_plate_valid(canonical),
            Validator::Passport => validate::passport_valid(canonical),
            Validator::TravelPermit => validate::travel_permit_valid(canonical),
            Validator::BirthDate => validate::parse_date(canonical)
                .is_some_and(|d| validate::birth_date_plausible(d, self.today)),
            Validator::Vocabulary => {
                if self.vocabulary.contains(canonical) {
                    return Some(strength);
                }
                return self
                    .code_vocabulary
                    .contains(canonical)
                    .then_some(ValueStrength::None);
            }
        };
        passed.then_some(strength)
    }

    /// Returns whether valid values carry a birth date.
    pub fn carries_birth_date(&self) -> bool {
        matches!(
            self.validator,
            Some(Validator::ResidentId | Validator::BirthDate)
        )
    }

    /// Returns the birth date in a valid canonical value of a resident ID or birth date.
    pub fn birth_date(&self, canonical: &str) -> Option<NaiveDate> {
        match self.validator? {
            Validator::ResidentId => validate::resident_id_birth_date(canonical),
            Validator::BirthDate => validate::parse_date(canonical),
            _ => None,
        }
    }
}
