//! Rendering one cell of a person's row in the style of a particular file.

use std::fmt::Write as _;

use chrono::{Datelike, Days, NaiveDate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::people::{Person, ascii, push_number, write_digits};
use super::truth::Element;
use super::vocab::{DIVISION_LIKE_STORE_CODES, PRODUCTS, REMARKS, STORE_CODES};
use crate::validate;

/// Format of the mobile numbers in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MobileStyle {
    /// 13912341601
    Plain,
    /// 139-1234-1601
    Dashed,
    /// 139 1234 1601
    Spaced,
    /// A mix of the above with +86, 0086 and 86 prefixes.
    Mixed,
}

/// Format of the resident IDs in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdStyle {
    /// Always 18 characters with an upper-case `X`.
    Canonical,
    /// Sometimes the legacy 15-digit form (people born before 2000), sometimes a lower-case
    /// `x`.
    Varied,
}

/// Content and format of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// 18-digit order number: store code, order date, sequence. Rows 1, 101, 201, ... pass
    /// the full resident ID check on purpose and about 1% of the others by chance, which
    /// makes the column a decoy.
    OrderNo,
    /// 13-digit millisecond timestamp, a decoy for 13-digit mobile numbers with prefix 86.
    CreatedAtMs,
    /// EAN-13 barcode with a valid check digit.
    Barcode,
    Amount,
    Product,
    Remark,
    /// Running row number (序号).
    Serial,
    Name,
    Mobile(MobileStyle),
    /// Mobile number, using the person's second number when they have one (half the time).
    OrderMobile(MobileStyle),
    ResidentId(IdStyle),
    /// Email address; `true` writes some addresses in mixed case.
    Email(bool),
    Address,
    /// Birth date, mostly 1987-03-12, sometimes 1987/3/12 or 1987年3月12日.
    BirthDate,
    Gender,
    MemberNo,
    BankCard,
    MedicalRecordNo,
    Diagnosis,
}

impl ColumnKind {
    /// Returns the data element that a correct scan tags this column with.
    pub fn element(self) -> Option<Element> {
        match self {
            ColumnKind::OrderNo
            | ColumnKind::CreatedAtMs
            | ColumnKind::Barcode
            | ColumnKind::Amount
            | ColumnKind::Product
            | ColumnKind::Remark
            | ColumnKind::Serial => None,
            ColumnKind::Name => Some(Element::PersonName),
            ColumnKind::Mobile(_) | ColumnKind::OrderMobile(_) => Some(Element::MobilePhone),
            ColumnKind::ResidentId(_) => Some(Element::ResidentId),
            ColumnKind::Email(_) => Some(Element::Email),
            ColumnKind::Address => Some(Element::Address),
            ColumnKind::BirthDate => Some(Element::BirthDate),
            ColumnKind::Gender => Some(Element::Gender),
            ColumnKind::MemberNo => Some(Element::MemberNo),
            ColumnKind::BankCard => Some(Element::BankCard),
            ColumnKind::MedicalRecordNo => Some(Element::MedicalRecordNo),
            ColumnKind::Diagnosis => Some(Element::Diagnosis),
        }
    }

    /// Reports whether the values are built to look like personal data but are not.
    pub fn is_decoy(self) -> bool {
        matches!(
            self,
            ColumnKind::OrderNo | ColumnKind::CreatedAtMs | ColumnKind::Barcode
        )
    }
}

/// Per-row choices shared by all cells of the row.
#[derive(Clone, Copy)]
pub struct RowContext<'a> {
    pub person: &'a Person,
    /// 1-based row number within the table.
    pub serial: u64,
    /// Render masked values (张*, 139****1601) that cannot be linked.
    pub masked: bool,
    /// Render this person's resident ID in its legacy 15-digit form.
    pub force_legacy_id: bool,
    /// Render this person's check character `X` in lower case.
    pub force_lowercase_x: bool,
    pub as_of: NaiveDate,
}

/// Appends the value of `kind` for the row in `context` to `out`.
pub fn render(kind: ColumnKind, context: &RowContext, rng: &mut ChaCha8Rng, out: &mut String) {
    let person = context.person;
    if context.masked {
        render_masked(kind, context, rng, out);
        return;
    }
    match kind {
        ColumnKind::OrderNo => render_order_no(context.as_of, context.serial % 100 == 1, rng, out),
        ColumnKind::CreatedAtMs => render_timestamp(context.as_of, rng, out),
        ColumnKind::Barcode => render_barcode(rng, out),
        ColumnKind::Amount => {
            let cents = rng.random_range(100..500_000u32);
            push_number(out, u64::from(cents / 100), 0);
            out.push('.');
            push_number(out, u64::from(cents % 100), 2);
        }
        ColumnKind::Product => out.push_str(PRODUCTS[rng.random_range(0..PRODUCTS.len())]),
        ColumnKind::Remark => out.push_str(REMARKS[rng.random_range(0..REMARKS.len())]),
        ColumnKind::Serial => {
            push_number(out, context.serial, 0);
        }
        ColumnKind::Name => person.write_name(out),
        ColumnKind::Mobile(style) => render_mobile(&person.mobile, style, rng, out),
        ColumnKind::OrderMobile(style) => {
            let digits = match person.alt_mobile {
                Some(ref alternative) if rng.random_bool(0.5) => alternative,
                _ => &person.mobile,
            };
            render_mobile(digits, style, rng, out);
        }
        ColumnKind::ResidentId(style) => render_resident_id(person, style, context, rng, out),
        ColumnKind::Email(mixed_case) => render_email(person, mixed_case, rng, out),
        ColumnKind::Address => person.write_address(out),
        ColumnKind::BirthDate => render_birth_date(person.birth, rng, out),
        ColumnKind::Gender => out.push_str(person.gender()),
        ColumnKind::MemberNo => {
            out.push_str("KH");
            push_number(out, u64::from(person.member_no), 0);
        }
        ColumnKind::BankCard => out.push_str(person.card()),
        ColumnKind::MedicalRecordNo => {
            push_number(out, u64::from(person.record_no), 10);
        }
        ColumnKind::Diagnosis => out.push_str(person.diagnosis()),
    }
}

/// Writes the partial masks that customer-service systems show: 张*, 139****1601,
/// 110105********0123. Columns without a usual mask are left empty, and three in ten
/// masked ID cells are empty.
fn render_masked(kind: ColumnKind, context: &RowContext, rng: &mut ChaCha8Rng, out: &mut String) {
    let person = context.person;
    match kind {
        ColumnKind::Name => {
            out.push_str(person.surname());
            for _ in 0..person.given_len() {
                out.push('*');
            }
        }
        ColumnKind::Mobile(_) | ColumnKind::OrderMobile(_) => {
            out.push_str(ascii(&person.mobile[..3]));
            out.push_str("****");
            out.push_str(ascii(&person.mobile[7..]));
        }
        ColumnKind::ResidentId(_) if rng.random_bool(0.7) => {
            out.push_str(ascii(&person.id[..6]));
            out.push_str("********");
            out.push_str(ascii(&person.id[14..]));
        }
        ColumnKind::OrderNo
        | ColumnKind::CreatedAtMs
        | ColumnKind::Barcode
        | ColumnKind::Amount
        | ColumnKind::Product
        | ColumnKind::Remark
        | ColumnKind::Serial => {
            let unmasked = RowContext {
                masked: false,
                ..*context
            };
            render(kind, &unmasked, rng, out);
        }
        _ => {}
    }
}

fn render_mobile(digits: &[u8; 11], style: MobileStyle, rng: &mut ChaCha8Rng, out: &mut String) {
    let number = ascii(digits);
    let (prefix, style) = match style {
        MobileStyle::Mixed => match rng.random_range(0..20u8) {
            0..=9 => ("", MobileStyle::Plain),
            10 | 11 => ("", MobileStyle::Dashed),
            12 | 13 => ("", MobileStyle::Spaced),
            14 => ("+86 ", MobileStyle::Spaced),
            15 | 16 => ("+86", MobileStyle::Plain),
            17 => ("0086", MobileStyle::Plain),
            18 => ("86", MobileStyle::Plain),
            _ => ("+86-", MobileStyle::Dashed),
        },
        other => ("", other),
    };
    out.push_str(prefix);
    let separator = match style {
        MobileStyle::Dashed => "-",
        MobileStyle::Spaced => " ",
        MobileStyle::Plain | MobileStyle::Mixed => {
            out.push_str(number);
            return;
        }
    };
    out.push_str(&number[..3]);
    out.push_str(separator);
    out.push_str(&number[3..7]);
    out.push_str(separator);
    out.push_str(&number[7..]);
}

fn render_resident_id(
    person: &Person,
    style: IdStyle,
    context: &RowContext,
    rng: &mut ChaCha8Rng,
    out: &mut String,
) {
    let id = person.id();
    let can_be_legacy = person.birth.year() < 2000;
    let (legacy, lowercase) = match style {
        IdStyle::Canonical => (false, false),
        IdStyle::Varied => (
            context.force_legacy_id || (can_be_legacy && rng.random_bool(0.2)),
            context.force_lowercase_x || rng.random_bool(0.5),
        ),
    };
    if legacy && can_be_legacy {
        // Legacy form: division code, two-digit year, month, day, sequence; no check.
        out.push_str(&id[..6]);
        out.push_str(&id[8..17]);
    } else if lowercase && id.ends_with('X') {
        out.push_str(&id[..17]);
        out.push('x');
    } else {
        out.push_str(id);
    }
}

fn render_email(person: &Person, mixed_case: bool, rng: &mut ChaCha8Rng, out: &mut String) {
    let start = out.len();
    person.write_email(out);
    if !mixed_case || rng.random_bool(0.6) {
        return;
    }
    // Capitalise the first letter and each letter after a dot or digit (Zhang.Wei88), and
    // sometimes the whole domain (@QQ.COM). Emails are ASCII, so byte ranges are chars.
    let at = out[start..]
        .find('@')
        .map_or(out.len(), |offset| start + offset);
    let mut word_start = true;
    for position in start..at {
        let byte = out.as_bytes()[position];
        if word_start {
            out[position..position + 1].make_ascii_uppercase();
        }
        word_start = byte == b'.' || byte.is_ascii_digit();
    }
    if rng.random_bool(0.4) {
        out[at..].make_ascii_uppercase();
    }
}

fn render_birth_date(birth: NaiveDate, rng: &mut ChaCha8Rng, out: &mut String) {
    let variant = rng.random_range(0..10u8);
    let (year, month, day) = (birth.year(), birth.month(), birth.day());
    let _ = match variant {
        0..=6 => write!(out, "{year:04}-{month:02}-{day:02}"),
        7 | 8 => write!(out, "{year:04}/{month}/{day}"),
        _ => write!(out, "{year:04}年{month}月{day}日"),
    };
}

/// Writes an order number; a `deliberate` one passes the full resident ID check (division
/// code, date, check character), the others pass it only by chance.
fn render_order_no(as_of: NaiveDate, deliberate: bool, rng: &mut ChaCha8Rng, out: &mut String) {
    let order_date = as_of
        .checked_sub_days(Days::new(rng.random_range(1..365)))
        .unwrap_or(as_of);
    let store = if deliberate {
        STORE_CODES[rng.random_range(0..DIVISION_LIKE_STORE_CODES)]
    } else {
        STORE_CODES[rng.random_range(0..STORE_CODES.len())]
    };
    let start = out.len();
    out.push_str(store);
    push_number(out, order_date.year() as u64, 4);
    push_number(out, u64::from(order_date.month()), 2);
    push_number(out, u64::from(order_date.day()), 2);
    loop {
        out.truncate(start + 14);
        push_number(out, u64::from(rng.random_range(0..1000u32)), 3);
        let check = validate::resident_id_check_char(&out[start..]);
        let last = rng.random_range(0..10u8);
        match check {
            Some(digit @ '0'..='9') if deliberate => {
                out.push(digit);
                return;
            }
            Some(_) if deliberate => continue,
            _ => {
                out.push(char::from(b'0' + last));
                return;
            }
        }
    }
}

fn render_timestamp(as_of: NaiveDate, rng: &mut ChaCha8Rng, out: &mut String) {
    let end = as_of
        .and_hms_opt(0, 0, 0)
        .map_or(1_750_000_000_000, |time| time.and_utc().timestamp_millis());
    let millis = end - rng.random_range(0..365 * 86_400_000i64);
    push_number(out, millis.max(0) as u64, 0);
}

fn render_barcode(rng: &mut ChaCha8Rng, out: &mut String) {
    let mut digits = [0u8; 13];
    // GS1 prefixes 690–699 are assigned to China.
    let body = 690_000_000_000u64 + rng.random_range(0..10_000_000_000u64);
    write_digits(body, &mut digits[..12]);
    let weighted: u32 = digits[..12]
        .iter()
        .enumerate()
        .map(|(position, digit)| u32::from(digit - b'0') * if position % 2 == 0 { 1 } else { 3 })
        .sum();
    digits[12] = b'0' + ((10 - weighted % 10) % 10) as u8;
    out.push_str(ascii(&digits));
}
