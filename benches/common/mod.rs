//! Synthetic inputs shared by the micro-benchmarks. Every value is generated here from a fixed
//! seed, so two runs time the same work and no real person's data is involved.

// Each benchmark binary compiles this module and uses only part of it.
#![allow(dead_code)]

use exportscan::validate::{luhn_check_digit, resident_id_check_char};

/// SplitMix64: a small deterministic generator. The benchmarks need reproducible inputs
/// only, not statistical quality, so this avoids tying them to a random crate's API.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

const DIVISIONS: [&str; 6] = ["110101", "310115", "440305", "330106", "510107", "420102"];

/// Returns an 18-character resident ID number with a valid division code, birth date and
/// check character.
pub fn resident_id(rng: &mut SplitMix) -> String {
    let division = DIVISIONS[rng.below(DIVISIONS.len() as u64) as usize];
    let year = 1950 + rng.below(70);
    let month = 1 + rng.below(12);
    let day = 1 + rng.below(28);
    let first17 = format!("{division}{year:04}{month:02}{day:02}{}", rng.digits(3));
    let check = resident_id_check_char(&first17).expect("17 ASCII digits");
    format!("{first17}{check}")
}

/// Returns a bare 11-digit mobile number.
pub fn mobile(rng: &mut SplitMix) -> String {
    format!("1{}{}", 3 + rng.below(7), rng.digits(9))
}

/// Returns a bank card number of 16 or 19 digits with a valid Luhn check digit.
pub fn bank_card(rng: &mut SplitMix) -> String {
    let length = if rng.below(2) == 0 { 16 } else { 19 };
    let payload = format!("622{}", rng.digits(length - 4));
    let check = luhn_check_digit(&payload).expect("ASCII digits");
    format!("{payload}{check}")
}

/// Returns an email address of the shape exports carry (`given.family123@domain`).
pub fn email(rng: &mut SplitMix) -> String {
    const LOCALS: [&str; 5] = ["zhang.wei", "li_na", "wangfang", "chen.jie", "Liu.Yang"];
    const DOMAINS: [&str; 5] = [
        "qq.com",
        "163.com",
        "gmail.com",
        "example.cn",
        "mail.example.com.cn",
    ];
    let local = LOCALS[rng.below(LOCALS.len() as u64) as usize];
    let domain = DOMAINS[rng.below(DOMAINS.len() as u64) as usize];
    format!("{local}{}@{domain}", rng.below(1000))
}

/// Replaces the last character of a number with another digit, which breaks its check digit
/// in most cases.
pub fn corrupt_last_digit(value: &str) -> String {
    let mut text = value[..value.len() - 1].to_owned();
    let last = value.as_bytes()[value.len() - 1];
    text.push(if last == b'0' { '1' } else { '0' });
    text
}
