//! Damaged inputs: truncated and bit-flipped copies of every case file must give rows or
//! errors, never a panic.

mod read_support;

use exportscan::read::{Format, Limits};
use read_support::{fixture, read_as, sniff};

const CASE_FILES: [(&str, &str); 12] = [
    ("case-01", "input.xlsx"),
    ("case-03", "input.csv"),
    ("case-04", "input.csv"),
    ("case-06", "导出数据.txt"),
    ("case-07", "input.csv"),
    ("case-09", "input.xlsx"),
    ("case-11", "input.xlsx"),
    ("case-11", "legacy.xls"),
    ("case-12", "工资表_加密.xlsx"),
    ("case-19", "input.xlsx"),
    ("case-20", "schema_mysql.sql"),
    ("case-20", "customer.schema.json"),
];

/// Deterministic pseudo-random numbers (64-bit LCG, Knuth's constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn damaged_copies(bytes: &[u8], rng: &mut Lcg) -> Vec<Vec<u8>> {
    let mut copies = Vec::new();
    for cut in [
        1,
        4,
        8,
        30,
        100,
        bytes.len() / 2,
        bytes.len().saturating_sub(1),
    ] {
        copies.push(bytes[..cut.min(bytes.len())].to_vec());
    }
    for flips in [1, 4, 32] {
        for _ in 0..8 {
            let mut copy = bytes.to_vec();
            for _ in 0..flips {
                let at = (rng.next() as usize) % copy.len().max(1);
                if let Some(byte) = copy.get_mut(at) {
                    *byte ^= 1 << (rng.next() % 8);
                }
            }
            copies.push(copy);
        }
    }
    copies
}

#[test]
fn damaged_files_never_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Lcg(0x5EED);
    let limits = Limits {
        max_cells_per_sheet: 1_000_000,
        max_line_bytes: 1024 * 1024,
        ..Limits::default()
    };
    for (case, name) in CASE_FILES {
        let original = std::fs::read(fixture(case, name)).expect("fixture");
        let extension = name.rsplit('.').next().unwrap_or("");
        for (i, copy) in damaged_copies(&original, &mut rng).into_iter().enumerate() {
            let path = dir.path().join(format!("{i}.{extension}"));
            std::fs::write(&path, &copy).expect("temp dir is writable");
            let sniffed = sniff(&path).format;
            for format in [
                sniffed,
                Format::Csv,
                Format::Xlsx,
                Format::Xls,
                Format::Sql,
                Format::JsonSchema,
            ] {
                // Any outcome but a panic is acceptable here.
                let _ = read_as(&path, format, &limits);
            }
        }
    }
}
