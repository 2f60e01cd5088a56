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
use crate::inventory::{FileReport, FileStatus, Inventory, SCHEMA_VERSION, TableReport};
use crate::mask::mask_value;
use crate::pack::{Category, ElementPack, ValueClass, ValueStrength};
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

/// Options of a scan: the paths to read and the rules for counting.
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

/// Returns the result of a file that was not read, with `problem` as the reason.
fn unread(display: &str, status: FileStatus, problem: String) -> FileResult {
    FileResult {
        report: FileReport {
            path: display.to_string(),
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
    }
}

/// Runs `scan` for one file. A panic inside it (a bug here or in a dependency) fails this
/// file only, and its message is left out because it can quote a cell.
fn isolate(display: &str, scan: impl FnOnce() -> FileResult) -> FileResult {
    catch_unwind(AssertUnwindSafe(scan)).unwrap_or_else(|_| {
        log::error!("{display}: reader panicked");
        unread(
            display,
            FileStatus::Failed,
            "the reader crashed on this file (a bug in exportscan or a library it uses); \
             please report it. The panic message is withheld because it may contain data"
                .to_string(),
        )
    })
}

fn scan_candidate(
    context: &ScanContext,
    options: &ScanOptions,
    candidate: &Candidate,
) -> FileResult {
    let display = candidate.display.as_str();
    match &candidate.kind {
        CandidateKind::NotOpened(reason) => unread(display, FileStatus::Skipped, reason.clone()),
        CandidateKind::Error(reason) => unread(display, FileStatus::Failed, reason.clone()),
        CandidateKind::File { size } => {
            isolate(display, || scan_file(context, options, candidate, *size))
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
        let problem = format!(
            "content is {}, which exportscan does not read: not examined; check it by other means",
            sniffed.description
        );
        let known_unread = extension
            .as_deref()
            .is_some_and(|e| UNREAD_EXTENSIONS.contains(&e));
        let status = if known_unread || sniffed.description != "binary data" {
            FileStatus::Skipped
        } else {
            FileStatus::Failed
        };
        return failed(report, status, problem);
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
    mask_value_headers(context.pack, &mut report.tables);
    match outcome {
        Ok(read) => {
            report.encoding = read.encoding.map(str::to_string);
            report.delimiter = read.delimiter.map(|d| d.to_string());
            report.notes.extend(read.notes);
            let is_workbook = matches!(
                report.format,
                Format::Xlsx | Format::Xlsm | Format::Xlsb | Format::Xls | Format::Ods
            );
            if is_workbook && report.tables.is_empty() {
                let problem = "the workbook lists no sheets: it is damaged or not a workbook; \
                               open it in a spreadsheet program and save it again";
                return failed(report, FileStatus::Failed, problem.to_string());
            }
            let mut unread = read.unread;
            unread.append(&mut scanner.unread);
            if !unread.is_empty() {
                report.status = FileStatus::Partial;
                report.problem = Some(unread.join("; "));
            } else if scanner.incomplete {
                report.status = FileStatus::Partial;
                report.problem = Some("some rows or sheets could not be read".into());
            }
        }
        Err(error) if report.tables.is_empty() => {
            return failed(report, FileStatus::Failed, error.to_string());
        }
        Err(error) => {
            report.status = FileStatus::Partial;
            let mut problems = vec![error.to_string()];
            problems.append(&mut scanner.unread);
            report.problem = Some(problems.join("; "));
        }
    }
    FileResult {
        report,
        possible_other_people: scanner.possible_other_people,
        people: Some(scanner.people),
    }
}

/// Masks column headers that are valid values of a checked personal element; see
/// `mask_value_header`.
fn mask_value_headers(pack: &ElementPack, tables: &mut [TableReport]) {
    for column in tables.iter_mut().flat_map(|t| t.columns.iter_mut()) {
        if let Some(masked) = mask_value_header(pack, &column.header) {
            column.header = masked;
        }
    }
}

/// Returns the masked form of a column header that is a valid value of a checked personal
/// element, or `None` for any other header. Such a header is a data row taken as the header,
/// as in a one-row file. A real header is never a valid ID number, phone or card number, so
/// only values are masked.
fn mask_value_header(pack: &ElementPack, header: &str) -> Option<String> {
    let header = header.trim();
    let is_value = !header.is_empty()
        && pack
            .elements
            .iter()
            .filter(|e| e.strength != ValueStrength::None && e.category != Category::Organisation)
            .any(|e| e.classify(header) == ValueClass::Valid);
    is_value.then(|| mask_value(header))
}

fn read_head(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let file = read::open_input(path)?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    file.take(SNIFF_BYTES as u64).read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{ReadError, Row, TableMeta, TableVisitor};

    /// Panics on the second row, with a message that quotes it as a slicing panic would.
    struct PanickingVisitor;

    impl TableVisitor for PanickingVisitor {
        fn table(&mut self, _: &TableMeta, rows: &mut dyn Iterator<Item = Result<Row, ReadError>>) {
            if let Some(row) = rows.flatten().find(|row| row.index == 1) {
                let text: Vec<&str> = row.cells.iter().map(|c| c.text.as_str()).collect();
                panic!("byte index 3 is out of bounds of `{}`", text.join(","));
            }
        }
    }

    /// Scans one discovered candidate with the built-in pack and default options.
    fn scan_one(candidate: &Candidate, root: PathBuf) -> FileResult {
        let pack = ElementPack::builtin().expect("the built-in pack loads");
        let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date");
        let context = ScanContext {
            pack: &pack,
            hasher: KeyHasher::new(),
            as_of,
            resident_id: pack.index_of("resident_id"),
        };
        let options = ScanOptions {
            paths: vec![root],
            as_of,
            limits: Limits::default(),
            include_hidden: false,
            sensitive: Vec::new(),
            id_numbers: Vec::new(),
            groups: Vec::new(),
            parallel_min_bytes: PARALLEL_MIN_BYTES,
        };
        scan_candidate(&context, &options, candidate)
    }

    #[test]
    fn file_removed_after_discovery_fails_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gone.csv");
        std::fs::write(&path, "姓名,手机号\n张三,13900000101\n").expect("temp dir is writable");
        let candidates = discover::discover(&[dir.path().to_path_buf()], false).expect("found");
        std::fs::remove_file(&path).expect("file is removed");
        let result = scan_one(&candidates[0], dir.path().to_path_buf());
        assert_eq!(result.report.path, "gone.csv");
        assert_eq!(result.report.status, FileStatus::Failed);
        let problem = result.report.problem.unwrap_or_default();
        assert!(problem.starts_with("cannot open"), "{problem}");
        assert_eq!(problem.matches("(os error 2)").count(), 1, "{problem}");
    }

    /// A file replaced by a named pipe after discovery fails alone, instead of blocking the
    /// scan until a writer opens the pipe.
    #[cfg(unix)]
    #[test]
    fn file_replaced_by_pipe_fails_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("swapped.csv");
        std::fs::write(&path, "姓名,手机号\n张三,13900000101\n").expect("temp dir is writable");
        let candidates = discover::discover(&[dir.path().to_path_buf()], false).expect("found");
        std::fs::remove_file(&path).expect("file is removed");
        let created = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .is_ok_and(|status| status.success());
        if !created {
            eprintln!("skipping file_replaced_by_pipe_fails_alone: mkfifo is not available");
            return;
        }

        let (sender, receiver) = std::sync::mpsc::channel();
        let candidate = candidates[0].clone();
        let root = dir.path().to_path_buf();
        std::thread::spawn(move || {
            let _ = sender.send(scan_one(&candidate, root).report);
        });
        let report = match receiver.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(report) => report,
            Err(_) => {
                // Releases the blocked open before the test fails.
                let _ = std::fs::OpenOptions::new().write(true).open(&path);
                panic!("the scan of a named pipe did not return within 60 s");
            }
        };
        assert_eq!(report.path, "swapped.csv");
        assert_eq!(report.status, FileStatus::Failed);
        let problem = report.problem.unwrap_or_default();
        assert!(problem.contains("swapped.csv is a named pipe"), "{problem}");
    }

    fn column(header: &str) -> crate::inventory::ColumnReport {
        crate::inventory::ColumnReport {
            index: 0,
            letter: None,
            header: header.to_string(),
            element: None,
            category: None,
            masked: false,
            confidence: 0.0,
            non_empty: 0,
            valid: 0,
            masked_values: 0,
            damaged_values: 0,
            linking: false,
            examples: Vec::new(),
            note: None,
        }
    }

    #[test]
    fn value_headers_are_masked() {
        let pack = ElementPack::builtin().expect("the built-in pack loads");
        let mut tables = vec![TableReport {
            name: None,
            visibility: None,
            header_row: Some(0),
            rows: 0,
            columns: vec![
                column("110105198503120119"),
                column("13900000101"),
                column("身份证号"),
                column("2024"),
            ],
            problems: Vec::new(),
        }];
        mask_value_headers(&pack, &mut tables);
        let headers: Vec<&str> = tables[0]
            .columns
            .iter()
            .map(|c| c.header.as_str())
            .collect();
        assert!(!headers[0].contains("198503120119"), "{headers:?}");
        assert!(!headers[1].contains("00000101"), "{headers:?}");
        assert_eq!(headers[2], "身份证号");
        assert_eq!(headers[3], "2024");
    }

    fn read_with(path: &std::path::Path, visitor: &mut dyn TableVisitor) -> FileResult {
        let outcome = read::read_file(path, Format::Csv, &Limits::default(), visitor);
        let status = match outcome {
            Ok(_) => FileStatus::Scanned,
            Err(_) => FileStatus::Failed,
        };
        let mut result = unread("file.csv", status, String::new());
        result.report.problem = None;
        result
    }

    #[test]
    fn panicking_file_fails_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("people.csv");
        std::fs::write(&path, "姓名,身份证号\n张三,11010519850312011X\n")
            .expect("temp dir is writable");
        let failed = isolate("people.csv", || read_with(&path, &mut PanickingVisitor));

        assert_eq!(failed.report.status, FileStatus::Failed);
        let problem = failed.report.problem.unwrap_or_default();
        assert!(
            problem.starts_with("the reader crashed on this file"),
            "{problem}"
        );
        assert!(!problem.contains("11010519850312011X"), "{problem}");
        assert!(failed.people.is_none());

        struct Counter(u64);
        impl TableVisitor for Counter {
            fn table(
                &mut self,
                _: &TableMeta,
                rows: &mut dyn Iterator<Item = Result<Row, ReadError>>,
            ) {
                self.0 += rows.count() as u64;
            }
        }
        let mut counter = Counter(0);
        let next = isolate("people.csv", || read_with(&path, &mut counter));
        assert_eq!(next.report.status, FileStatus::Scanned);
        assert_eq!(counter.0, 2);
    }
}
