//! Micro-benchmarks of the per-value work of a scan: validators and normalisers, header
//! matching and element classification. Each benchmark times a batch of synthetic values and
//! reports throughput in values per second.
//!
//! Run with `cargo bench --bench validators`.

mod common;

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use exportscan::pack::ElementPack;
use exportscan::validate::{
    bank_card_valid, check_resident_id, email_valid, luhn_valid, mobile_valid, normalise_email,
    normalise_mobile, normalise_resident_id,
};

use common::{SplitMix, bank_card, corrupt_last_digit, email, mobile, resident_id};

const BATCH: usize = 1024;

fn batch(seed: u64, make: impl Fn(&mut SplitMix) -> String) -> Vec<String> {
    let mut rng = SplitMix::new(seed);
    (0..BATCH).map(|_| make(&mut rng)).collect()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("valid date")
}

fn bench_resident_id(c: &mut Criterion) {
    let valid = batch(1, resident_id);
    let bad_check: Vec<String> = valid.iter().map(|id| corrupt_last_digit(id)).collect();
    // A legacy 15-digit number: division code, YYMMDD and sequence, without the century.
    let legacy: Vec<String> = valid
        .iter()
        .map(|id| format!("{}{}", &id[..6], &id[8..17]))
        .collect();
    let mut group = c.benchmark_group("resident_id");
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, values) in [
        ("valid", &valid),
        ("bad_check_char", &bad_check),
        ("legacy_15_digit", &legacy),
    ] {
        group.bench_with_input(
            BenchmarkId::new("normalise_check", name),
            values,
            |b, values| {
                b.iter(|| {
                    let mut passed = 0usize;
                    for value in values {
                        if let Some(id) = normalise_resident_id(black_box(value)) {
                            passed += usize::from(check_resident_id(&id, today()).is_ok());
                        }
                    }
                    passed
                })
            },
        );
    }
    group.finish();
}

fn bench_mobile(c: &mut Criterion) {
    let bare = batch(2, mobile);
    let formatted: Vec<String> = bare
        .iter()
        .map(|m| format!("+86 {} {} {}", &m[..3], &m[3..7], &m[7..]))
        .collect();
    // Full-width digits, as typed with a Chinese input method.
    let full_width: Vec<String> = bare
        .iter()
        .map(|m| {
            m.chars()
                .map(|c| char::from_u32(u32::from(c) - u32::from('0') + 0xFF10).unwrap_or(c))
                .collect()
        })
        .collect();
    let mut group = c.benchmark_group("mobile");
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, values) in [
        ("bare", &bare),
        ("formatted", &formatted),
        ("full_width", &full_width),
    ] {
        group.bench_with_input(
            BenchmarkId::new("normalise_valid", name),
            values,
            |b, values| {
                b.iter(|| {
                    values
                        .iter()
                        .filter(|value| {
                            normalise_mobile(black_box(value)).is_some_and(|m| mobile_valid(&m))
                        })
                        .count()
                })
            },
        );
    }
    group.finish();
}

fn bench_bank_card(c: &mut Criterion) {
    let valid = batch(3, bank_card);
    let bad_check: Vec<String> = valid.iter().map(|card| corrupt_last_digit(card)).collect();
    let mut group = c.benchmark_group("bank_card");
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, values) in [("valid", &valid), ("bad_check_digit", &bad_check)] {
        group.bench_with_input(
            BenchmarkId::new("bank_card_valid", name),
            values,
            |b, values| {
                b.iter(|| {
                    values
                        .iter()
                        .filter(|v| bank_card_valid(black_box(v)))
                        .count()
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("luhn_valid", name), values, |b, values| {
            b.iter(|| values.iter().filter(|v| luhn_valid(black_box(v))).count())
        });
    }
    group.finish();
}

fn bench_email(c: &mut Criterion) {
    let values = batch(4, email);
    let mut group = c.benchmark_group("email");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("normalise_valid", |b| {
        b.iter(|| {
            values
                .iter()
                .filter(|value| email_valid(&normalise_email(black_box(value))))
                .count()
        })
    });
    group.finish();
}

/// Headers of the kinds exports carry: Chinese, English, pinyin initials, role-prefixed
/// codes, and decoys that must not match.
const HEADERS: [&str; 24] = [
    "姓名",
    "客户姓名",
    "手机号",
    "联系电话（必填）",
    "身份证号",
    "证件号码",
    "收货地址",
    "邮箱",
    "银行卡号",
    "订单号",
    "下单时间戳",
    "商品条码",
    "商品名称",
    "金额",
    "备注",
    "customer_mobile",
    "id_card_no",
    "email_verified",
    "order_id",
    "created_at",
    "SJHM",
    "djrsfzh",
    "mobile_count",
    "手机号码归属地",
];

fn bench_header(c: &mut Criterion) {
    let pack = ElementPack::builtin().expect("built-in pack loads");
    let mut group = c.benchmark_group("header");
    group.throughput(Throughput::Elements(HEADERS.len() as u64));
    group.bench_function("match_header", |b| {
        b.iter(|| {
            HEADERS
                .iter()
                .map(|header| pack.match_header(black_box(header)).len())
                .sum::<usize>()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("pack");
    group.sample_size(20);
    group.bench_function("builtin", |b| b.iter(ElementPack::builtin));
    group.finish();
}

fn bench_classify(c: &mut Criterion) {
    let pack = ElementPack::builtin().expect("built-in pack loads");
    let columns: [(&str, Vec<String>); 4] = [
        ("resident_id", batch(5, resident_id)),
        ("mobile_phone", batch(6, mobile)),
        ("bank_card", batch(7, bank_card)),
        ("email", batch(8, email)),
    ];
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Elements(BATCH as u64));
    for (id, valid) in &columns {
        let element = &pack.elements[pack.index_of(id).expect("built-in element")];
        // A column as exports have it: mostly valid values, some masked, some empty.
        let mixed: Vec<String> = valid
            .iter()
            .enumerate()
            .map(|(i, value)| match i % 10 {
                0 => String::new(),
                1 => format!("{}****{}", &value[..3], &value[value.len() - 4..]),
                _ => value.clone(),
            })
            .collect();
        group.bench_with_input(BenchmarkId::new(*id, "valid"), valid, |b, values| {
            b.iter(|| {
                values
                    .iter()
                    .map(|v| element.classify(black_box(v)) as usize)
                    .sum::<usize>()
            })
        });
        group.bench_with_input(BenchmarkId::new(*id, "mixed"), &mixed, |b, values| {
            b.iter(|| {
                values
                    .iter()
                    .map(|v| element.classify(black_box(v)) as usize)
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(
    validators,
    bench_resident_id,
    bench_mobile,
    bench_bank_card,
    bench_email,
    bench_header,
    bench_classify
);
criterion_main!(validators);
