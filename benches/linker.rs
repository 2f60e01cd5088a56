//! Micro-benchmarks of the people index: adding records one by one and in batches, merging
//! the indexes of two chunks, counting totals, and hashing linking keys.
//!
//! The records model an order export in which each person appears in about four records.
//! Every record with a key carries a mobile number. 90% of people have a resident ID, which
//! about 90% of their records carry, and 70% have an email address. 1% of records carry no
//! key.
//!
//! Run with `cargo bench --bench linker`.

mod common;

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use exportscan::identity::{
    ElementSet, KeyHasher, PeopleIndex, RecordBatch, RecordFacts, RecordKeys,
};

use common::{SplitMix, mobile};

const NAME: ElementSet = 1 << 0;
const RESIDENT_ID: ElementSet = 1 << 1;
const MOBILE: ElementSet = 1 << 2;
const EMAIL: ElementSet = 1 << 3;
const ADDRESS: ElementSet = 1 << 4;

const RECORDS_PER_PERSON: usize = 4;
const SIZES: [usize; 2] = [100_000, 1_000_000];

fn element_ids() -> Vec<String> {
    [
        "person_name",
        "resident_id",
        "mobile_phone",
        "email",
        "address",
    ]
    .iter()
    .map(|id| id.to_string())
    .collect()
}

/// Returns the key of `person`'s value of one element: distinct per person and element,
/// like the keyed hash of a normalised value.
fn key(person: u64, namespace: u64) -> u64 {
    SplitMix::new(person * 8 + namespace).next_u64()
}

fn records(people: usize) -> Vec<(RecordKeys, RecordFacts)> {
    let mut rng = SplitMix::new(42);
    let mut out = Vec::with_capacity(people * RECORDS_PER_PERSON);
    for _ in 0..people * RECORDS_PER_PERSON {
        let person = rng.below(people as u64);
        let has_id = person % 10 != 0;
        let has_email = person % 10 < 7;
        let mut keys = RecordKeys::default();
        let mut elements = NAME | ADDRESS;
        if rng.below(100) == 0 {
            out.push((
                keys,
                RecordFacts {
                    elements,
                    minor: false,
                },
            ));
            continue;
        }
        if has_id && rng.below(10) != 0 {
            keys.anchor = Some(key(person, 1));
            elements |= RESIDENT_ID;
        }
        keys.others.push(key(person, 2));
        elements |= MOBILE;
        if has_email && rng.below(2) == 0 {
            keys.others.push(key(person, 3));
            elements |= EMAIL;
        }
        let minor = person % 40 == 0;
        out.push((keys, RecordFacts { elements, minor }));
    }
    out
}

fn build(records: &[(RecordKeys, RecordFacts)]) -> PeopleIndex {
    let mut index = PeopleIndex::new();
    for (keys, facts) in records {
        index.add_record(keys, *facts);
    }
    index
}

fn bench_add_record(c: &mut Criterion) {
    let mut group = c.benchmark_group("people_index");
    group.sample_size(10);
    for people in SIZES {
        let records = records(people);
        group.throughput(Throughput::Elements(records.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("add_record", people),
            &records,
            |b, records| b.iter_with_large_drop(|| build(black_box(records))),
        );
    }
    group.finish();
}

fn bench_add_batch(c: &mut Criterion) {
    let mut group = c.benchmark_group("people_index");
    group.sample_size(10);
    for people in SIZES {
        let records = records(people);
        // The batches that parsing threads hand to the linking thread, 40,000 records each
        // (about one 8 MiB byte range).
        let batches: Vec<RecordBatch> = records
            .chunks(40_000)
            .map(|chunk| {
                let mut batch = RecordBatch::new();
                for (keys, facts) in chunk {
                    batch.push(keys, *facts);
                }
                batch
            })
            .collect();
        group.throughput(Throughput::Elements(records.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("add_batch", people),
            &batches,
            |b, batches| {
                b.iter_with_large_drop(|| {
                    let mut index = PeopleIndex::new();
                    for batch in black_box(batches) {
                        index.add_batch(batch);
                    }
                    index
                })
            },
        );
    }
    group.finish();
}

fn bench_merge(c: &mut Criterion) {
    let mut group = c.benchmark_group("people_index");
    group.sample_size(10);
    for people in SIZES {
        let records = records(people);
        // Two chunks of one file: the same people appear in both halves.
        let (left, right) = records.split_at(records.len() / 2);
        group.throughput(Throughput::Elements(right.len() as u64));
        group.bench_function(BenchmarkId::new("merge", people), |b| {
            b.iter_batched(
                || (build(left), build(right)),
                |(mut left, right)| {
                    left.merge(right);
                    left
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn bench_totals(c: &mut Criterion) {
    let ids = element_ids();
    let groups = vec![("contact".to_string(), MOBILE | EMAIL)];
    let mut group = c.benchmark_group("people_index");
    group.sample_size(10);
    for people in SIZES {
        let mut index = build(&records(people));
        group.throughput(Throughput::Elements(people as u64));
        group.bench_function(BenchmarkId::new("totals", people), |b| {
            b.iter(|| index.totals(&ids, RESIDENT_ID, RESIDENT_ID, &groups).total)
        });
    }
    group.finish();
}

fn bench_key_hash(c: &mut Criterion) {
    let hasher = KeyHasher::new();
    let mut rng = SplitMix::new(9);
    let values: Vec<String> = (0..1024).map(|_| mobile(&mut rng)).collect();
    let mut group = c.benchmark_group("key_hash");
    group.throughput(Throughput::Elements(values.len() as u64));
    group.bench_function("mobile", |b| {
        b.iter(|| {
            values
                .iter()
                .fold(0u64, |acc, value| acc ^ hasher.hash(2, black_box(value)))
        })
    });
    group.finish();
}

criterion_group!(
    linker,
    bench_add_record,
    bench_add_batch,
    bench_merge,
    bench_totals,
    bench_key_hash
);
criterion_main!(linker);
