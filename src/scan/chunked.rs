//! Counting a large delimited file in parallel: the head is read once to plan the table,
//! then record-aligned byte ranges are counted on all threads and merged in file order.

use rayon::prelude::*;

use super::table::{FileScanner, RowScratch, ScanContext, TablePlan, TableTally};
use crate::read::chunks::{self, RangeItem, TextLayout};
use crate::read::{self, FileRead, Format, Limits, ReadError, TableMeta};

/// Default size from which a delimited file is split: smaller files are read by one
/// thread.
pub const PARALLEL_MIN_BYTES: u64 = 48 * 1024 * 1024;

/// Scans a large delimited file in parallel byte ranges into `scanner`. Returns `None`
/// when the file cannot be split (UTF-16, or quotes that break RFC 4180), so the caller
/// reads it sequentially.
pub fn scan_in_ranges(
    context: &ScanContext,
    path: &std::path::Path,
    display: &str,
    format: Format,
    limits: &Limits,
    parallel_min_bytes: u64,
    scanner: &mut FileScanner,
) -> Option<Result<FileRead, ReadError>> {
    let layout = match chunks::text_layout(path, format) {
        Ok(Some(layout)) => layout,
        Ok(None) => return None,
        Err(error) => return Some(Err(error)),
    };
    // One range per thread: each range's people are merged into the others on one thread,
    // at a cost that grows with the number of ranges. The counts do not depend on where
    // the ranges split (linking is a union of key sets, whatever the order), so the report
    // is the same at any thread count.
    let threads = rayon::current_num_threads().max(1) as u64;
    let range_bytes = layout
        .size
        .div_ceil(threads)
        .max(parallel_min_bytes / 4)
        .max(1);
    let ranges = match chunks::split_ranges(path, &layout, range_bytes) {
        Ok(Some(ranges)) => ranges,
        Ok(None) => {
            log::info!("{display}: quotes do not follow RFC 4180; read by one thread");
            return None;
        }
        Err(error) => return Some(Err(error.into())),
    };
    let mut planner = FileScanner::planner(context, display);
    let file_read = match read::read_file(path, format, limits, &mut planner) {
        Ok(file_read) => file_read,
        Err(error) => return Some(Err(error)),
    };
    let Some(plan) = planner.plan.take() else {
        return None;
    };
    log::debug!(
        "{display}: counting {} byte ranges in parallel",
        ranges.len()
    );
    let tally = count_ranges(context, path, &layout, &ranges, &plan, limits);
    scanner.add_table(&plan, &TableMeta::default(), tally);
    Some(Ok(file_read))
}

/// Counts the ranges a wave of one range per thread at a time, merging each wave in file
/// order, so that only one wave's tallies are held at once.
fn count_ranges(
    context: &ScanContext,
    path: &std::path::Path,
    layout: &TextLayout,
    ranges: &[(u64, u64)],
    plan: &TablePlan,
    limits: &Limits,
) -> TableTally {
    let mut total = TableTally::new(plan.width());
    let wave = rayon::current_num_threads().max(1);
    for (wave_index, group) in ranges.chunks(wave).enumerate() {
        let tallies: Vec<TableTally> = group
            .par_iter()
            .enumerate()
            .map(|(i, range)| {
                let first = wave_index == 0 && i == 0;
                count_range(context, path, layout, *range, plan, limits, first)
            })
            .collect();
        for tally in tallies {
            total.merge(tally);
        }
    }
    total
}

fn count_range(
    context: &ScanContext,
    path: &std::path::Path,
    layout: &TextLayout,
    range: (u64, u64),
    plan: &TablePlan,
    limits: &Limits,
    first: bool,
) -> TableTally {
    let mut tally = TableTally::new(plan.width());
    let mut scratch = RowScratch::new(plan.width());
    // The first range starts at the first record, so its header and the title rows above
    // it are skipped as the sequential reader skips them.
    let skip_through = if first { plan.header_row } else { None };
    let outcome = chunks::read_range(path, layout, range, limits, &mut |item| match item {
        RangeItem::Record(index, record) => {
            if skip_through.is_none_or(|header| index > header) {
                tally.add_row(context, plan, &mut scratch, record);
            }
        }
        RangeItem::Problem(error) => tally.record_problem(error),
    });
    if let Err(error) = outcome {
        tally.record_problem(error);
    }
    tally
}
