//! Counting a large delimited file in parallel: the head is read once to plan the table,
//! then record-aligned byte ranges are counted on all threads and linked in file order.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError, mpsc};

use super::table::{FileScanner, RangeRow, RowScratch, ScanContext, TablePlan, TableTally};
use crate::read::chunks::{self, RangeItem, TextLayout};
use crate::read::{self, FileRead, Format, Limits, ReadError, TableMeta};

/// Default size from which a delimited file is split: smaller files are read by one
/// thread.
pub const PARALLEL_MIN_BYTES: u64 = 48 * 1024 * 1024;

/// Largest byte range one worker counts at a time.
const RANGE_BYTES: u64 = 8 * 1024 * 1024;

/// Ranges per thread that may be counted ahead of the merge.
const WINDOW_PER_THREAD: usize = 4;

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
    // Ranges of a few megabytes: enough to keep every thread busy to the end of the file,
    // and small enough that the records waiting to be linked stay few.
    let range_bytes = RANGE_BYTES.min(parallel_min_bytes / 6).max(1);
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
    let plan = planner.plan.take()?;
    log::debug!(
        "{display}: counting {} byte ranges in parallel",
        ranges.len()
    );
    let tally = count_ranges(context, path, &layout, &ranges, &plan, limits);
    scanner.add_table(&plan, &TableMeta::default(), tally);
    Some(Ok(file_read))
}

/// Counts the ranges on the scan's threads and links their records on this one, in file
/// order, so the result equals reading the file from start to end.
///
/// Each worker takes the next range, counts it into a tally that collects its records'
/// keys, and sends the tally here. This thread merges the tallies in range order, so it
/// links their records into one people index while the workers parse. A worker waits while
/// it would run more than `WINDOW_PER_THREAD` ranges per thread ahead of the merge, which
/// bounds the records held in memory.
fn count_ranges(
    context: &ScanContext,
    path: &std::path::Path,
    layout: &TextLayout,
    ranges: &[(u64, u64)],
    plan: &TablePlan,
    limits: &Limits,
) -> TableTally {
    let mut total = TableTally::new(plan.width());
    let threads = rayon::current_num_threads().max(1);
    if threads == 1 || ranges.len() == 1 {
        for (index, range) in ranges.iter().enumerate() {
            count_range(
                context,
                path,
                layout,
                *range,
                plan,
                limits,
                index == 0,
                &mut total,
            );
        }
        return total;
    }
    let window = threads * WINDOW_PER_THREAD;
    let next_range = AtomicUsize::new(0);
    let gate = Gate::default();
    let (sender, receiver) = mpsc::sync_channel::<(usize, std::thread::Result<TableTally>)>(window);
    let mut failure = None;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let sender = sender.clone();
            let (next_range, gate) = (&next_range, &gate);
            scope.spawn(move || {
                loop {
                    let index = next_range.fetch_add(1, Ordering::Relaxed);
                    if index >= ranges.len() || !gate.wait_for(index, window) {
                        break;
                    }
                    let counted = panic::catch_unwind(AssertUnwindSafe(|| {
                        let mut tally = TableTally::collecting(plan.width());
                        let range = ranges[index];
                        count_range(
                            context,
                            path,
                            layout,
                            range,
                            plan,
                            limits,
                            index == 0,
                            &mut tally,
                        );
                        tally
                    }));
                    if sender.send((index, counted)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // Should this thread unwind, waiting workers must not wait for a merge that never
        // comes, because the scope joins them before the panic goes on.
        let _release = StopOnDrop(&gate);
        let mut waiting = BTreeMap::new();
        let mut expected = 0;
        for (index, counted) in receiver {
            match counted {
                Ok(tally) => {
                    waiting.insert(index, tally);
                }
                Err(payload) => {
                    failure = Some(payload);
                    gate.stop();
                    break;
                }
            }
            while let Some(tally) = waiting.remove(&expected) {
                total.merge(tally);
                expected += 1;
                gate.advance(expected);
            }
        }
    });
    if let Some(payload) = failure {
        // The scan catches this per file and reports the file as failed.
        panic::resume_unwind(payload);
    }
    total
}

/// Holds workers back while they run too far ahead of the merge.
#[derive(Default)]
struct Gate {
    /// Ranges merged so far, and whether the count was stopped.
    state: Mutex<(usize, bool)>,
    changed: Condvar,
}

impl Gate {
    /// Waits until range `index` is within `window` of the merge; false once stopped.
    fn wait_for(&self, index: usize, window: usize) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while !state.1 && index >= state.0 + window {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !state.1
    }

    fn advance(&self, merged: usize) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0 = merged;
        self.changed.notify_all();
    }

    fn stop(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
        self.changed.notify_all();
    }
}

/// Stops the gate when dropped.
struct StopOnDrop<'g>(&'g Gate);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

#[allow(clippy::too_many_arguments)]
fn count_range(
    context: &ScanContext,
    path: &std::path::Path,
    layout: &TextLayout,
    range: (u64, u64),
    plan: &TablePlan,
    limits: &Limits,
    first: bool,
    tally: &mut TableTally,
) {
    let mut scratch = RowScratch::new(plan.width());
    // The first range starts at the first record, so its header and the title rows above
    // it are skipped as the sequential reader skips them.
    let skip_through = if first { plan.header_row } else { None };
    let outcome = chunks::read_range(path, layout, range, limits, &mut |item| match item {
        RangeItem::Record(index, record) => {
            if skip_through.is_none_or(|header| index > header) {
                tally.add_row(context, plan, &mut scratch, &record);
            }
        }
        RangeItem::Replaced(row, offset) => {
            if skip_through.is_none_or(|header| row.index > header) {
                let row = RangeRow { row: &row, offset };
                tally.add_row(context, plan, &mut scratch, &row);
            }
        }
        RangeItem::Problem(error) => tally.record_problem(error),
    });
    if let Err(error) = outcome {
        tally.record_problem(error);
    }
}
