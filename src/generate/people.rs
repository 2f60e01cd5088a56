//! The master list of synthetic people: every file renders its rows from these records.
//!
//! A person is stored compactly (indices into the word lists and fixed-size digit arrays)
//! so that a million people fit in about 100 MB and rendering a value allocates nothing.

use std::fmt::Write as _;
use std::hash::{BuildHasher, Hash};

use chrono::{Datelike, Days, NaiveDate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashSet};

use super::vocab::{
    CARD_BINS, DIAGNOSES, DISTRICTS, EMAIL_DOMAINS, FIRST_NON_GBK_GIVEN, GIVEN_CHARS,
    MOBILE_PREFIXES, ROADS, SURNAMES,
};
use super::{GenerateError, stream_rng};
use crate::validate;

/// Marks the second given-name character of a one-character given name.
const NO_CHAR: u8 = u8::MAX;

/// Age in whole years below which a person counts as a minor under PIPL Art. 28.
pub const MINOR_AGE: u32 = 14;

/// One synthetic person. Key values are unique across the master list, so two people
/// never share a resident ID, mobile number, email, card, member number or record number.
#[derive(Debug, Clone)]
pub struct Person {
    pub surname: u8,
    /// Given-name characters as indices into `GIVEN_CHARS`.
    pub given_name: [u8; 2],
    pub female: bool,
    pub birth: NaiveDate,
    /// Resident ID in 18-character form, check character `X` in upper case.
    pub id: [u8; 18],
    pub mobile: [u8; 11],
    /// A second mobile number that some order rows use instead of `mobile`.
    pub alt_mobile: Option<[u8; 11]>,
    pub email_style: u8,
    pub email_domain: u8,
    pub email_number: u32,
    pub home_district: u8,
    pub road: u8,
    pub house: u16,
    pub building: u8,
    pub room: u16,
    pub card: [u8; 19],
    pub card_len: u8,
    pub member_no: u32,
    pub record_no: u32,
    pub diagnosis: u8,
}

/// Properties that a layout needs some particular people to have.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonRequest {
    /// Younger than 14 on the as-of date.
    pub minor: bool,
    /// Born 1900–1999, so the resident ID also has a legacy 15-digit form.
    pub born_before_2000: bool,
    /// Resident ID whose check character is `X`.
    pub check_x: bool,
    /// Given name of this single character (an index into `GIVEN_CHARS`).
    pub given_char: Option<u8>,
}

/// Shares of the master list with particular properties.
#[derive(Debug, Clone, Copy)]
pub struct Population {
    pub minor_share: f64,
    pub alt_mobile_share: f64,
}

/// Unique-by-construction keys: the free digits of mobile, card, member and record
/// numbers are a permutation of the person's index in the master list. Resident IDs and
/// emails depend on the birth date and name, so duplicates among them are redrawn after
/// all people are generated.
struct KeyPermutations {
    count: u64,
    mobile_suffixes: AffinePermutation,
    long_card_digits: AffinePermutation,
    short_card_digits: AffinePermutation,
    member_nos: AffinePermutation,
    record_nos: AffinePermutation,
}

/// The bijection `i → (i × multiplier + offset) mod modulus` of `0..modulus`, with a
/// random multiplier coprime to the modulus. Distinct inputs give distinct outputs, and
/// consecutive inputs give unrelated-looking outputs.
struct AffinePermutation {
    multiplier: u128,
    offset: u128,
    modulus: u128,
}

impl AffinePermutation {
    fn new(modulus: u64, rng: &mut ChaCha8Rng) -> AffinePermutation {
        let multiplier = loop {
            let candidate = rng.random_range(modulus / 3..modulus);
            if greatest_common_divisor(candidate, modulus) == 1 {
                break candidate;
            }
        };
        AffinePermutation {
            multiplier: u128::from(multiplier),
            offset: u128::from(rng.random_range(0..modulus)),
            modulus: u128::from(modulus),
        }
    }

    fn apply(&self, index: u64) -> u64 {
        ((u128::from(index) * self.multiplier + self.offset) % self.modulus) as u64
    }
}

fn greatest_common_divisor(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// People generated from one random stream. Chunks are generated in parallel, each from
/// its own stream, so the master list does not depend on the number of threads.
const CHUNK_PEOPLE: usize = 1 << 16;

/// Random streams of the master list; tables use streams below 2^32.
const PERMUTATION_STREAM: u64 = 1 << 32;
const REPAIR_STREAM: u64 = (1 << 32) + 1;
const FIRST_CHUNK_STREAM: u64 = 1 << 33;

/// Generates `count` people. The first `requests.len()` people get the requested
/// properties; the others are drawn from `population`.
pub fn generate_people(
    count: usize,
    requests: &[PersonRequest],
    population: Population,
    as_of: NaiveDate,
    seed: u64,
) -> Result<Vec<Person>, GenerateError> {
    let keys = KeyPermutations::new(count, &mut stream_rng(seed, PERMUTATION_STREAM));
    let chunks: Vec<Result<Vec<Person>, GenerateError>> = (0..count.div_ceil(CHUNK_PEOPLE))
        .into_par_iter()
        .map(|chunk| {
            let mut rng = stream_rng(seed, FIRST_CHUNK_STREAM + chunk as u64);
            let end = count.min((chunk + 1) * CHUNK_PEOPLE);
            (chunk * CHUNK_PEOPLE..end)
                .map(|index| {
                    let request = requests.get(index).copied().unwrap_or(PersonRequest {
                        minor: rng.random_bool(population.minor_share),
                        ..PersonRequest::default()
                    });
                    generate_person(&request, population, as_of, index as u64, &keys, &mut rng)
                })
                .collect()
        })
        .collect();
    let mut people = Vec::with_capacity(count);
    for chunk in chunks {
        people.extend(chunk?);
    }
    let mut rng = stream_rng(seed, REPAIR_STREAM);
    make_ids_unique(&mut people, &mut rng)?;
    make_emails_unique(&mut people, &mut rng);
    Ok(people)
}

/// Free digits of mobile numbers (8), 19-digit cards (12) and 16-digit cards (9), and
/// the ranges of member and record numbers. Mobile suffixes cover primary and second
/// numbers, so they need room for twice `MAX_PEOPLE`.
const MOBILE_SUFFIXES: u64 = 100_000_000;
const LONG_CARD_DIGITS: u64 = 1_000_000_000_000;
const SHORT_CARD_DIGITS: u64 = 1_000_000_000;
const MEMBER_NO_START: u64 = 10_000_000;
const MEMBER_NOS: u64 = 90_000_000;
const RECORD_NO_START: u64 = 100_000;
const RECORD_NOS: u64 = 99_900_000;

impl KeyPermutations {
    fn new(people: usize, rng: &mut ChaCha8Rng) -> KeyPermutations {
        KeyPermutations {
            count: people as u64,
            mobile_suffixes: AffinePermutation::new(MOBILE_SUFFIXES, rng),
            long_card_digits: AffinePermutation::new(LONG_CARD_DIGITS, rng),
            short_card_digits: AffinePermutation::new(SHORT_CARD_DIGITS, rng),
            member_nos: AffinePermutation::new(MEMBER_NOS, rng),
            record_nos: AffinePermutation::new(RECORD_NOS, rng),
        }
    }
}

fn generate_person(
    request: &PersonRequest,
    population: Population,
    as_of: NaiveDate,
    index: u64,
    keys: &KeyPermutations,
    rng: &mut ChaCha8Rng,
) -> Result<Person, GenerateError> {
    let female = rng.random_bool(0.5);
    let birth = draw_birth_date(request, as_of, rng)?;
    let surname = rng.random_range(0..SURNAMES.len()) as u8;
    let given_name = match request.given_char {
        Some(single) => [single, NO_CHAR],
        None => {
            let first = rng.random_range(0..FIRST_NON_GBK_GIVEN) as u8;
            let second = if rng.random_bool(0.7) {
                rng.random_range(0..FIRST_NON_GBK_GIVEN) as u8
            } else {
                NO_CHAR
            };
            [first, second]
        }
    };
    let id = draw_resident_id(birth, female, request.check_x, rng)?;
    let mobile = draw_mobile(keys.mobile_suffixes.apply(index), rng);
    let alt_mobile = rng
        .random_bool(population.alt_mobile_share)
        .then(|| draw_mobile(keys.mobile_suffixes.apply(keys.count + index), rng));
    let (card, card_len) = draw_card(index, keys, rng)?;
    let member_no = (MEMBER_NO_START + keys.member_nos.apply(index)) as u32;
    let record_no = (RECORD_NO_START + keys.record_nos.apply(index)) as u32;
    let email_style = rng.random_range(0..4u8);
    Ok(Person {
        surname,
        given_name,
        female,
        birth,
        id,
        mobile,
        alt_mobile,
        email_style,
        email_domain: rng.random_range(0..EMAIL_DOMAINS.len()) as u8,
        email_number: draw_email_number(email_style, birth, rng),
        home_district: rng.random_range(0..DISTRICTS.len()) as u8,
        road: rng.random_range(0..ROADS.len()) as u8,
        house: rng.random_range(1..1000u16),
        building: rng.random_range(1..31u8),
        room: rng.random_range(1..29u16) * 100 + rng.random_range(1..7u16),
        card,
        card_len,
        member_no,
        record_no,
        diagnosis: rng.random_range(0..DIAGNOSES.len()) as u8,
    })
}

/// Redraws the resident IDs that an earlier person already has. Sorting finds the
/// duplicates much faster than a hash set of a million random IDs, whose every insert
/// misses the CPU cache.
fn make_ids_unique(people: &mut [Person], rng: &mut ChaCha8Rng) -> Result<(), GenerateError> {
    let mut sorted: Vec<(u64, u32)> = people
        .par_iter()
        .enumerate()
        .map(|(index, person)| (id_number(&person.id), index as u32))
        .collect();
    sorted.par_sort_unstable();
    let mut duplicates: Vec<u32> = sorted
        .windows(2)
        .filter(|pair| pair[0].0 == pair[1].0)
        .map(|pair| pair[1].1)
        .collect();
    duplicates.sort_unstable();
    let mut redrawn = FxHashSet::default();
    for index in duplicates {
        let Some(person) = people.get_mut(index as usize) else {
            continue;
        };
        let check_x = person.id[17] == b'X';
        loop {
            let id = draw_resident_id(person.birth, person.female, check_x, rng)?;
            let number = id_number(&id);
            if sorted
                .binary_search_by_key(&number, |entry| entry.0)
                .is_err()
                && redrawn.insert(number)
            {
                person.id = id;
                break;
            }
        }
    }
    Ok(())
}

/// Redraws the email numbers of people whose email an earlier person already has (or
/// whose email hash equals an earlier one, which only costs a redraw).
fn make_emails_unique(people: &mut [Person], rng: &mut ChaCha8Rng) {
    let mut sorted: Vec<(u64, u32)> = people
        .par_iter()
        .enumerate()
        .map_init(String::new, |email, (index, person)| {
            email.clear();
            person.write_email(email);
            (email_hash(email), index as u32)
        })
        .collect();
    sorted.par_sort_unstable();
    let mut duplicates: Vec<u32> = sorted
        .windows(2)
        .filter(|pair| pair[0].0 == pair[1].0)
        .map(|pair| pair[1].1)
        .collect();
    duplicates.sort_unstable();
    let mut redrawn = FxHashSet::default();
    let mut email = String::new();
    for index in duplicates {
        let Some(person) = people.get_mut(index as usize) else {
            continue;
        };
        loop {
            person.email_number = draw_email_number(person.email_style, person.birth, rng);
            email.clear();
            person.write_email(&mut email);
            let hash = email_hash(&email);
            if sorted.binary_search_by_key(&hash, |entry| entry.0).is_err() && redrawn.insert(hash)
            {
                break;
            }
        }
    }
}

/// Returns the first 17 digits of a resident ID as a number; they determine the check
/// character, so they identify the ID.
fn id_number(id: &[u8; 18]) -> u64 {
    id[..17]
        .iter()
        .fold(0, |number, digit| number * 10 + u64::from(digit - b'0'))
}

fn draw_birth_date(
    request: &PersonRequest,
    as_of: NaiveDate,
    rng: &mut ChaCha8Rng,
) -> Result<NaiveDate, GenerateError> {
    let (min_age, max_age) = if request.minor {
        (1, MINOR_AGE - 1)
    } else if request.born_before_2000 {
        (
            as_of.year().saturating_sub(1999).max(18) as u32,
            as_of.year().saturating_sub(1940) as u32,
        )
    } else {
        (18, 85)
    };
    if min_age > max_age {
        return Err(GenerateError::Config(format!(
            "no birth date fits a person born before 2000 on as-of date {as_of}: choose a later date"
        )));
    }
    for _ in 0..1000 {
        let age = rng.random_range(min_age..=max_age);
        let days_back = u64::from(age) * 365 + rng.random_range(0..365u64);
        let Some(birth) = as_of.checked_sub_days(Days::new(days_back)) else {
            continue;
        };
        // Legal practice and software disagree on the day a person born on 29 February
        // turns 14. Such births are skipped in the one year where that changes the count.
        let ambiguous =
            birth.month() == 2 && birth.day() == 29 && birth.year() + 14 == as_of.year();
        let is_minor = birth_is_minor(birth, as_of);
        if ambiguous || is_minor != request.minor {
            continue;
        }
        if request.born_before_2000 && birth.year() > 1999 {
            continue;
        }
        return Ok(birth);
    }
    Err(GenerateError::Internal(format!(
        "no birth date found in 1000 draws for as-of date {as_of}"
    )))
}

/// Reports whether a person born on `birth` is younger than 14 on `as_of`.
pub fn birth_is_minor(birth: NaiveDate, as_of: NaiveDate) -> bool {
    match birth.with_year(birth.year() + MINOR_AGE as i32) {
        Some(birthday) => as_of < birthday,
        // 29 February in a year whose 14th anniversary is not a leap year: the birthday is
        // taken to be 1 March.
        None => {
            as_of.year() < birth.year() + MINOR_AGE as i32
                || (as_of.year() == birth.year() + MINOR_AGE as i32 && as_of.month() < 3)
        }
    }
}

fn draw_resident_id(
    birth: NaiveDate,
    female: bool,
    check_x: bool,
    rng: &mut ChaCha8Rng,
) -> Result<[u8; 18], GenerateError> {
    let mut first17 = String::with_capacity(17);
    for _ in 0..10_000 {
        let (division, _) = DISTRICTS[rng.random_range(0..DISTRICTS.len())];
        // The 17th digit is odd for men and even for women.
        let order = rng.random_range(0..50u32) * 2 + u32::from(!female);
        let sequence = rng.random_range(0..10u32) * 100 + order;
        first17.clear();
        let _ = write!(
            first17,
            "{division}{:04}{:02}{:02}{sequence:03}",
            birth.year(),
            birth.month(),
            birth.day()
        );
        let check = validate::resident_id_check_char(&first17).ok_or_else(|| {
            GenerateError::Internal(format!(
                "check character rejected a 17-digit prefix of length {}",
                first17.len()
            ))
        })?;
        if check_x && check != 'X' {
            continue;
        }
        let mut id = [0u8; 18];
        id[..17].copy_from_slice(first17.as_bytes());
        id[17] = check as u8;
        return Ok(id);
    }
    Err(GenerateError::Internal(
        "no sequence number gives a resident ID with check character X".to_owned(),
    ))
}

fn draw_mobile(suffix: u64, rng: &mut ChaCha8Rng) -> [u8; 11] {
    let prefix = u64::from(MOBILE_PREFIXES[rng.random_range(0..MOBILE_PREFIXES.len())]);
    let mut digits = [0u8; 11];
    write_digits(prefix * MOBILE_SUFFIXES + suffix, &mut digits);
    digits
}

fn draw_card(
    index: u64,
    keys: &KeyPermutations,
    rng: &mut ChaCha8Rng,
) -> Result<([u8; 19], u8), GenerateError> {
    let (bin, length) = CARD_BINS[rng.random_range(0..CARD_BINS.len())];
    let mut card = [0u8; 19];
    card[..6].copy_from_slice(bin.as_bytes());
    let free = if length == 19 {
        keys.long_card_digits.apply(index)
    } else {
        keys.short_card_digits.apply(index)
    };
    write_digits(free, &mut card[6..length - 1]);
    let check = validate::luhn_check_digit(ascii(&card[..length - 1])).ok_or_else(|| {
        GenerateError::Internal("Luhn check digit rejected a card payload".to_owned())
    })?;
    card[length - 1] = b'0' + check;
    Ok((card, length as u8))
}

fn email_hash(email: &str) -> u64 {
    let mut hasher = FxBuildHasher.build_hasher();
    email.hash(&mut hasher);
    std::hash::Hasher::finish(&hasher)
}

fn draw_email_number(style: u8, birth: NaiveDate, rng: &mut ChaCha8Rng) -> u32 {
    match style {
        0 if rng.random_bool(0.5) => birth.year() as u32,
        0 => rng.random_range(1..10_000),
        1 => rng.random_range(1..1000),
        2 => rng.random_range(100_000..1_000_000),
        _ => rng.random_range(10_000..4_000_000_000),
    }
}

/// Writes `value` as exactly `out.len()` decimal digits (left-padded with zeros).
pub fn write_digits(mut value: u64, out: &mut [u8]) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Appends `value` in decimal, left-padded with zeros to `width` digits. Rendering calls
/// this for every number of every row, and it is several times faster than `write!`.
pub fn push_number(out: &mut String, value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut remaining = value;
    let mut start = digits.len();
    while remaining > 0 || start == digits.len() {
        start -= 1;
        digits[start] = b'0' + (remaining % 10) as u8;
        remaining /= 10;
    }
    let start = start.min(digits.len().saturating_sub(width));
    out.push_str(ascii(&digits[start..]));
}

/// Returns ASCII digits as a `&str`; the arrays in `Person` hold only ASCII.
pub fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("")
}

impl Person {
    pub fn surname(&self) -> &'static str {
        SURNAMES
            .get(usize::from(self.surname))
            .map_or("", |entry| entry.0)
    }

    pub fn write_name(&self, out: &mut String) {
        out.push_str(self.surname());
        for &index in &self.given_name {
            if let Some((character, _)) = GIVEN_CHARS.get(usize::from(index)) {
                out.push_str(character);
            }
        }
    }

    /// Number of characters in the given name (1 or 2).
    pub fn given_len(&self) -> usize {
        self.given_name
            .iter()
            .filter(|&&index| index != NO_CHAR)
            .count()
    }

    pub fn id(&self) -> &str {
        ascii(&self.id)
    }

    pub fn card(&self) -> &str {
        ascii(&self.card[..usize::from(self.card_len)])
    }

    /// Writes the email address in lower case.
    pub fn write_email(&self, out: &mut String) {
        let surname = SURNAMES
            .get(usize::from(self.surname))
            .map_or("", |entry| entry.1);
        let given = self
            .given_name
            .iter()
            .filter_map(|&index| GIVEN_CHARS.get(usize::from(index)));
        let domain = EMAIL_DOMAINS
            .get(usize::from(self.email_domain))
            .copied()
            .unwrap_or("qq.com");
        match self.email_style {
            0 => {
                out.push_str(surname);
                given.for_each(|(_, pinyin)| out.push_str(pinyin));
                push_number(out, u64::from(self.email_number), 0);
            }
            1 => {
                given.for_each(|(_, pinyin)| out.push_str(pinyin));
                out.push('.');
                out.push_str(surname);
                push_number(out, u64::from(self.email_number), 0);
            }
            2 => {
                out.push_str(surname.get(..1).unwrap_or(""));
                given.for_each(|(_, pinyin)| out.push_str(pinyin.get(..1).unwrap_or("")));
                push_number(out, u64::from(self.email_number), 0);
            }
            _ => {
                push_number(out, u64::from(self.email_number), 0);
            }
        }
        out.push('@');
        out.push_str(domain);
    }

    pub fn write_address(&self, out: &mut String) {
        let district = DISTRICTS
            .get(usize::from(self.home_district))
            .map_or("", |entry| entry.1);
        let road = ROADS.get(usize::from(self.road)).copied().unwrap_or("");
        out.push_str(district);
        out.push_str(road);
        push_number(out, u64::from(self.house), 0);
        out.push('号');
        push_number(out, u64::from(self.building), 0);
        out.push('栋');
        push_number(out, u64::from(self.room), 0);
        out.push('室');
    }

    pub fn gender(&self) -> &'static str {
        if self.female { "女" } else { "男" }
    }

    pub fn diagnosis(&self) -> &'static str {
        DIAGNOSES
            .get(usize::from(self.diagnosis))
            .copied()
            .unwrap_or("")
    }
}
