//! The scan: discovers files, reads and tags them in parallel, links people across files
//! and counts them.

mod chunked;
mod table;

pub use chunked::PARALLEL_MIN_BYTES;
pub use table::is_under_14;

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::discover::{self, Candidate, CandidateKind, DiscoverError};
use crate::identity::{ElementSet, Individuals, KeyHasher, MAX_ELEMENTS, PeopleIndex};
use crate::inventory::{FileReport, FileStatus, Inventory, SCHEMA_VERSION};
use crate::pack::ElementPack;
use crate::read::{self, Format, Limits};
use table::{FileScanner, ScanContext};

/// Bytes read from the start of each file to identify its format.
const SNIFF_BYTES: usize = 8 * 1024;

/// Extensions of formats that hold no table exportscan reads; such files are listed as
/// skipped, and the scan as incomplete, because they may still hold personal data.
const UNREAD_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "ppt", "pptx", "rtf", "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff",
    "webp", "zip", "7z", "rar", "gz", "tgz", "bz2", "xz", "tar", "parquet", "avro", "orc", "db",
    "sqlite", "mdb", "accdb", "dbf", "mp3", "mp4", "wav", "exe", "dll", "so",
];

/// What to scan and how to count.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub as_of: NaiveDate,
    pub limits: Limits,
    pub include_hidden: bool,
    /// Element ids that make a person sensitive.
    pub sensitive: Vec<String>,
    /// Identity-document element ids, counted apart in `sensitive_id_number_only`.
    pub id_numbers: Vec<String>,
    /// Named element groups counted into `Individuals::by_group`.
    pub groups: Vec<(String, Vec<String>)>,
    /// Delimited files of this size or more are counted in parallel byte ranges.
    pub parallel_min_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error("the element pack has {0} elements; at most {MAX_ELEMENTS} are supported")]
    TooManyElements(usize),
}

/// Scans every file under the options' paths and returns the inventory, without a decision.
pub fn scan(pack: &ElementPack, options: &ScanOptions) -> Result<Inventory, ScanError> {
    if pack.elements.len() > MAX_ELEMENTS {
        return Err(ScanError::TooManyElements(pack.elements.len()));
    }
    let candidates = discover::discover(&options.paths, options.include_hidden)?;
    let context = ScanContext {
        pack,
        hasher: KeyHasher::new(),
        as_of: options.as_of,
        resident_id: pack.index_of("resident_id"),
    };
    let results: Vec<FileResult> = candidates
        .par_iter()
        .map(|candidate| scan_candidate(&context, options, candidate))
        .collect();

    // Merging in file order keeps the counts identical at any thread count.
    let mut people = PeopleIndex::new();
    let mut possible_other_people = 0;
    let mut files = Vec::with_capacity(results.len());
    for result in results {
        if let Some(file_people) = result.people {
            people.merge(file_people);
        }
        possible_other_people += result.possible_other_people;
        files.push(result.report);
    }
    let individuals = count_people(pack, options, &mut people, possible_other_people);
    let not_examined = not_examined(&files);
    Ok(Inventory {
        schema_version: SCHEMA_VERSION,
        as_of: options.as_of.format("%Y-%m-%d").to_string(),
        complete: files.iter().all(|f| f.status == FileStatus::Scanned),
        files,
        individuals,
        decision: None,
        not_examined,
    })
}

fn count_people(
    pack: &ElementPack,
    options: &ScanOptions,
    people: &mut PeopleIndex,
    possible_other_people: u64,
) -> Individuals {
    let ids: Vec<String> = pack.elements.iter().map(|e| e.id.clone()).collect();
    let set_of = |names: &[String]| -> ElementSet {
        names
            .iter()
            .filter_map(|name| pack.index_of(name))
            .fold(0, |set, index| set | (1u128 << index))
    };
    let groups: Vec<(String, ElementSet)> = options
        .groups
        .iter()
        .map(|(name, members)| (name.clone(), set_of(members)))
        .collect();
    let mut individuals = people.totals(
        &ids,
        set_of(&options.sensitive),
        set_of(&options.id_numbers),
        &groups,
    );
    individuals.upper_bound = individuals.total + possible_other_people;
    individuals
}

fn not_examined(files: &[FileReport]) -> Vec<String> {
    let mut lines = Vec::new();
    for file in files {
        if file.status != FileStatus::Scanned {
            let problem = file.problem.as_deref().unwrap_or("not fully read");
            lines.push(format!("{}: {}", file.path, problem));
        }
        if file.status == FileStatus::Partial {
            for table in &file.tables {
                let name = table
                    .name
                    .as_deref()
                    .map(|n| format!(" sheet {n}"))
                    .unwrap_or_default();
                for problem in &table.problems {
                    lines.push(format!("{}{}: {}", file.path, name, problem));
                }
            }
        }
    }
    lines
}

struct FileResult {
    report: FileReport,
    people: Option<PeopleIndex>,
    possible_other_people: u64,
}

fn scan_candidate(
    context: &ScanContext,
    options: &ScanOptions,
    candidate: &Candidate,
) -> FileResult {
    let unread = |status: FileStatus, problem: String| FileResult {
        report: FileReport {
            path: candidate.display.clone(),
            format: Format::Unknown,
            encoding: None,
            status,
            problem: Some(problem),
            size_bytes: 0,
            delimiter: None,
            notes: Vec::new(),
            tables: Vec::new(),
        },
        people: None,
        possible_other_people: 0,
    };
    match &candidate.kind {
        CandidateKind::NotOpened(reason) => unread(FileStatus::Skipped, reason.clone()),
        CandidateKind::Error(reason) => unread(FileStatus::Failed, reason.clone()),
        CandidateKind::File { size } => {
            // A panic inside a reader (a bug here or in a dependency) fails this file only.
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                scan_file(context, options, candidate, *size)
            }));
            outcome.unwrap_or_else(|_| {
                log::error!("{}: reader panicked", candidate.display);
                unread(
                    FileStatus::Failed,
                    "the reader crashed on this file (a bug in exportscan or a library it \
                     uses); please report it. The panic message is withheld because it may \
                     contain data"
                        .to_string(),
                )
            })
        }
    }
}

fn scan_file(
    context: &ScanContext,
    options: &ScanOptions,
    candidate: &Candidate,
    size: u64,
) -> FileResult {
    let mut report = FileReport {
        path: candidate.display.clone(),
        format: Format::Unknown,
        encoding: None,
        status: FileStatus::Scanned,
        problem: None,
        size_bytes: size,
        delimiter: None,
        notes: Vec::new(),
        tables: Vec::new(),
    };
    let failed = |mut report: FileReport, status: FileStatus, problem: String| {
        log::info!("{}: {}", report.path, problem);
        report.status = status;
        report.problem = Some(problem);
        FileResult {
            report,
            people: None,
            possible_other_people: 0,
        }
    };
    let extension = candidate
        .path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase());
    let head = match read_head(&candidate.path) {
        Ok(head) => head,
        Err(error) => return failed(report, FileStatus::Failed, format!("cannot open: {error}")),
    };
    if head.is_empty() {
        return failed(
            report,
            FileStatus::Failed,
            "empty file (0 bytes): nothing to scan".into(),
        );
    }
    let sniffed = read::sniff_format(&head, extension.as_deref());
    report.format = sniffed.format;
    report.notes.extend(sniffed.mismatch);
    if sniffed.format == Format::Unknown {
        let known_unread = extension
            .as_deref()
            .is_some_and(|e| UNREAD_EXTENSIONS.contains(&e));
        return if known_unread {
            let problem = format!(
                "{} files are not read: not examined; check it by other means",
                extension.unwrap_or_default().to_uppercase()
            );
            failed(report, FileStatus::Skipped, problem)
        } else {
            failed(
                report,
                FileStatus::Failed,
                "unknown binary format: not examined".into(),
            )
        };
    }

    let mut scanner = FileScanner::new(context, &candidate.display);
    let (path, display) = (&candidate.path, &candidate.display);
    let delimited = matches!(sniffed.format, Format::Csv | Format::Tsv | Format::Txt);
    let in_ranges = if delimited && size >= options.parallel_min_bytes {
        let limits = &options.limits;
        let min = options.parallel_min_bytes;
        chunked::scan_in_ranges(
            context,
            path,
            display,
            sniffed.format,
            limits,
            min,
            &mut scanner,
        )
    } else {
        None
    };
    let outcome = match in_ranges {
        Some(outcome) => outcome,
        None => read::read_file(path, sniffed.format, &options.limits, &mut scanner),
    };
    report.tables = std::mem::take(&mut scanner.tables);
    match outcome {
        Ok(read) => {
            report.encoding = read.encoding.map(str::to_string);
            report.delimiter = read.delimiter.map(|d| d.to_string());
            report.notes.extend(read.notes);
            if scanner.incomplete {
                report.status = FileStatus::Partial;
                report.problem = Some("some rows or sheets could not be read".into());
            }
        }
        Err(error) if report.tables.is_empty() => {
            return failed(report, FileStatus::Failed, error.to_string());
        }
        Err(error) => {
            report.status = FileStatus::Partial;
            report.problem = Some(error.to_string());
        }
    }
    FileResult {
        report,
        possible_other_people: scanner.possible_other_people,
        people: Some(scanner.people),
    }
}

fn read_head(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    file.take(SNIFF_BYTES as u64).read_to_end(&mut head)?;
    Ok(head)
}
