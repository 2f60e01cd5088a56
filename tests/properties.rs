//! Property tests: every computed check character makes its value pass and every other
//! character fails it, and neither the order of files and rows nor a parallel read changes
//! a count.

use std::path::Path;

use chrono::NaiveDate;
use exportscan::identity::Individuals;
use exportscan::pack::ElementPack;
use exportscan::read::Limits;
use exportscan::scan::{PARALLEL_MIN_BYTES, ScanOptions, scan};
use exportscan::validate::{
    ResidentIdError, VinCheck, check_resident_id, check_vin, credit_code_check_char,
    credit_code_valid, luhn_check_digit, luhn_valid, resident_id_check_char, vin_check_char,
};
use proptest::collection::SizeRange;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

const ID_CHECK_CHARS: &str = "0123456789X";
/// GB 32100 alphabet: digits and capitals without I, O, S, V, Z.
const CREDIT_CODE_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// ISO 3779 alphabet: digits and capitals without I, O, Q.
const VIN_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

fn chars_of(alphabet: &'static str) -> impl Strategy<Value = char> {
    select(alphabet.chars().collect::<Vec<_>>())
}

fn string_of(
    alphabet: &'static str,
    length: impl Into<SizeRange>,
) -> impl Strategy<Value = String> {
    proptest::collection::vec(chars_of(alphabet), length).prop_map(|c| c.into_iter().collect())
}

/// First 17 digits of a resident ID: a real area code, a birth date from 1900 to the
/// reference date, and a sequence number.
fn id_first17() -> impl Strategy<Value = String> {
    let areas = select(vec![
        "110105", "310104", "440305", "510107", "650102", "820000",
    ]);
    let days = 0..=as_of()
        .signed_duration_since(NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date"))
        .num_days();
    (areas, days, 0..1000u32).prop_map(|(area, day, sequence)| {
        let birth =
            NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date") + chrono::Duration::days(day);
        format!("{area}{}{sequence:03}", birth.format("%Y%m%d"))
    })
}

proptest! {
    #[test]
    fn resident_id_check_char_round_trips(first17 in id_first17()) {
        let check = resident_id_check_char(&first17).expect("17 digits");
        prop_assert_eq!(check_resident_id(&format!("{first17}{check}"), as_of()), Ok(()));
        for other in ID_CHECK_CHARS.chars().filter(|c| *c != check) {
            prop_assert_eq!(
                check_resident_id(&format!("{first17}{other}"), as_of()),
                Err(ResidentIdError::CheckChar)
            );
        }
    }

    #[test]
    fn luhn_check_digit_round_trips(payload in string_of("0123456789", 1..=24)) {
        let check = luhn_check_digit(&payload).expect("digits only");
        let value = format!("{payload}{check}");
        prop_assert!(luhn_valid(&value));
        for other in (0..10u8).filter(|d| *d != check) {
            let value = format!("{payload}{other}");
            prop_assert!(!luhn_valid(&value));
        }
    }

    #[test]
    fn luhn_detects_one_changed_digit(
        payload in string_of("0123456789", 1..=24),
        position in any::<prop::sample::Index>(),
        shift in 1..10u8,
    ) {
        let check = luhn_check_digit(&payload).expect("digits only");
        let mut digits = payload.into_bytes();
        let at = position.index(digits.len());
        digits[at] = b'0' + (digits[at] - b'0' + shift) % 10;
        let changed = String::from_utf8(digits).expect("ASCII digits");
        let value = format!("{changed}{check}");
        prop_assert!(!luhn_valid(&value));
    }

    #[test]
    fn credit_code_check_char_round_trips(
        registration in string_of(CREDIT_CODE_ALPHABET, 2),
        division in string_of("0123456789", 6),
        organisation in string_of(CREDIT_CODE_ALPHABET, 9),
    ) {
        let first17 = format!("{registration}{division}{organisation}");
        let check = credit_code_check_char(&first17).expect("17 characters of the alphabet");
        let value = format!("{first17}{check}");
        prop_assert!(credit_code_valid(&value));
        for other in CREDIT_CODE_ALPHABET.chars().filter(|c| *c != check) {
            let value = format!("{first17}{other}");
            prop_assert!(!credit_code_valid(&value));
        }
    }

    #[test]
    fn vin_check_char_round_trips(
        body in string_of(VIN_ALPHABET, 16),
    ) {
        // A Chinese WMI starts with L, and GB 16735 makes the check digit mandatory there.
        let vin_without_check = format!("L{}", &body[1..]);
        let with = |c: char| format!("{}{c}{}", &vin_without_check[..8], &vin_without_check[8..]);
        let check = vin_check_char(&with('0')).expect("17 characters of the alphabet");
        prop_assert_eq!(check_vin(&with(check)), VinCheck::Valid);
        for other in "0123456789X".chars().filter(|c| *c != check) {
            prop_assert_eq!(check_vin(&with(other)), VinCheck::Invalid);
        }
    }
}

/// A synthetic person: a name and some of their keys, drawn from small pools so that
/// records share keys.
#[derive(Debug, Clone)]
struct Record {
    name: usize,
    id: Option<usize>,
    phone: Option<usize>,
}

fn pool_id(index: usize) -> String {
    let first17 = format!("1101051985031{:04}", 2000 + index);
    let check = resident_id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

fn pool_phone(index: usize) -> String {
    format!("1390000{:04}", 100 + index)
}

const NAMES: [&str; 4] = ["张三", "李四", "王五", "赵六"];

fn record() -> impl Strategy<Value = Record> {
    (
        0..NAMES.len(),
        proptest::option::of(0..6usize),
        proptest::option::of(0..6usize),
    )
        .prop_filter("a record carries a key", |(_, id, phone)| {
            id.is_some() || phone.is_some()
        })
        .prop_map(|(name, id, phone)| Record { name, id, phone })
}

fn write_files(dir: &Path, files: &[Vec<Record>]) {
    for (number, records) in files.iter().enumerate() {
        let mut text = String::from("姓名,身份证号,手机号\n");
        for record in records {
            text.push_str(&format!(
                "{},{},{}\n",
                NAMES[record.name],
                record.id.map(pool_id).unwrap_or_default(),
                record.phone.map(pool_phone).unwrap_or_default()
            ));
        }
        std::fs::write(dir.join(format!("part{number:02}.csv")), text)
            .expect("temp dir is writable");
    }
}

/// Counts the people of `files` written as CSV. `parallel_min_bytes` 1 reads every file in
/// parallel byte ranges.
fn count(pack: &ElementPack, files: &[Vec<Record>], parallel_min_bytes: u64) -> Individuals {
    let dir = tempfile::tempdir().expect("temp dir");
    write_files(dir.path(), files);
    let options = ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        as_of: as_of(),
        limits: Limits::default(),
        include_hidden: false,
        sensitive: vec!["resident_id".to_string()],
        id_numbers: vec!["resident_id".to_string()],
        groups: Vec::new(),
        parallel_min_bytes,
    };
    scan(pack, &options).expect("the scan runs").individuals
}

/// Splits `records` into files at the given cut points.
fn split(records: &[Record], cuts: &[usize]) -> Vec<Vec<Record>> {
    let mut files = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&records.len())) {
        let end = cut.clamp(start, records.len());
        files.push(records[start..end].to_vec());
        start = end;
    }
    files.retain(|f| !f.is_empty());
    files
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn order_of_files_and_rows_keeps_counts(
        records in proptest::collection::vec(record(), 1..24),
        seed in any::<u64>(),
        cuts in subsequence((1..24usize).collect::<Vec<_>>(), 0..4),
    ) {
        let pack = ElementPack::builtin().expect("the built-in pack loads");
        let sequential = PARALLEL_MIN_BYTES;
        let baseline = count(&pack, std::slice::from_ref(&records), sequential);
        prop_assert_eq!(&count(&pack, std::slice::from_ref(&records), 1), &baseline);

        // A deterministic shuffle from the seed (xorshift), then the rows split into files.
        let mut shuffled = records.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let files = split(&shuffled, &cuts);
        prop_assert_eq!(&count(&pack, &files, sequential), &baseline);

        let mut reversed = files.clone();
        reversed.reverse();
        prop_assert_eq!(&count(&pack, &reversed, sequential), &baseline);
    }
}
