//! Synthetic export directories with their ground truth, for tests and benchmarks.
//!
//! A master list of synthetic people is rendered into files whose keys are formatted
//! differently per file (mobile numbers with +86 or dashes, legacy 15-digit IDs, mixed-case
//! emails). The expected result of a scan is computed from the rendered values with the
//! counting rules and returned as a [`GroundTruth`]. The same configuration always writes
//! byte-identical files. ID numbers and bank cards carry valid check characters but are
//! drawn at random.

mod layout;
mod people;
mod render;
mod truth;
mod vocab;
mod write;

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::identity::Individuals;

pub use truth::{ColumnTruth, Element, FileTruth, GroundTruth, TableTruth};

/// Version of the ground-truth file layout.
pub const TRUTH_FORMAT_VERSION: u32 = 1;

/// Largest master list accepted. Generation needs about 300 bytes of memory per person
/// (310 MB peak for the bench-csv defaults of 1,000,000 people and 4,600,000 rows).
pub const MAX_PEOPLE: u64 = 20_000_000;

/// Date on which ages are computed unless `--as-of` is given. A fixed date keeps the
/// output identical from one day to the next.
pub const DEFAULT_AS_OF: (i32, u32, u32) = (2025, 7, 1);

/// Accepted as-of dates. People with legacy 15-digit IDs are adults born before 2000,
/// which needs an as-of date after 1958; the range leaves a margin on both sides.
pub const AS_OF_RANGE: ((i32, u32, u32), (i32, u32, u32)) = ((1990, 1, 1), (2100, 12, 31));

/// Set of files to generate.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// A small realistic export: orders, a GB18030 member list, a workbook with a
    /// report-style sheet, a patient list, a masked service log and a README.
    Sample,
    /// One large UTF-8 CSV of orders with decoy and personal-data columns.
    BenchCsv,
    /// One large xlsx workbook with the same columns, split into sheets of 1,000,000 rows.
    BenchXlsx,
    /// A directory tree of CSV (UTF-8 and GB18030), TSV and xlsx files.
    Mixed,
}

/// Generation parameters. [`GenerateConfig::new`] fills in the defaults of a layout.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GenerateConfig {
    pub layout: Layout,
    pub seed: u64,
    /// Size of the master list of people.
    pub people: u64,
    /// Total data rows; `None` for the sample layout, whose row counts follow from the
    /// people count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Date on which ages (minors under 14) are computed.
    #[serde(with = "iso_date")]
    pub as_of: NaiveDate,
}

impl GenerateConfig {
    /// Returns the default configuration of `layout` with seed 1.
    pub fn new(layout: Layout) -> GenerateConfig {
        let (people, rows) = match layout {
            Layout::Sample => (60, None),
            Layout::BenchCsv => (1_000_000, Some(4_600_000)),
            Layout::BenchXlsx => (400_000, Some(1_750_000)),
            Layout::Mixed => (20_000, Some(100_000)),
        };
        let (year, month, day) = DEFAULT_AS_OF;
        GenerateConfig {
            layout,
            seed: 1,
            people,
            rows,
            as_of: NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default(),
        }
    }

    fn check(&self) -> Result<(), GenerateError> {
        let (earliest, latest) = AS_OF_RANGE;
        let earliest =
            NaiveDate::from_ymd_opt(earliest.0, earliest.1, earliest.2).unwrap_or_default();
        let latest = NaiveDate::from_ymd_opt(latest.0, latest.1, latest.2).unwrap_or_default();
        if self.as_of < earliest || self.as_of > latest {
            return Err(GenerateError::Config(format!(
                "as-of date {} is out of range: choose a date from {earliest} to {latest}",
                self.as_of
            )));
        }
        let minimum = if self.layout == Layout::Sample { 10 } else { 1 };
        if self.people < minimum || self.people > MAX_PEOPLE {
            return Err(GenerateError::Config(format!(
                "people count {} is out of range: the {} layout needs {minimum} to {MAX_PEOPLE}",
                self.people,
                self.layout.name()
            )));
        }
        match (self.layout, self.rows) {
            (Layout::Sample, Some(_)) => Err(GenerateError::Config(
                "a row count does not apply to the sample layout: omit --rows or pick another layout".to_owned(),
            )),
            (Layout::Sample, None) => Ok(()),
            (_, None | Some(0)) => Err(GenerateError::Config(format!(
                "the {} layout needs a row count of 1 or more",
                self.layout.name()
            ))),
            (_, Some(_)) => Ok(()),
        }
    }
}

impl Layout {
    /// Returns the name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Sample => "sample",
            Layout::BenchCsv => "bench-csv",
            Layout::BenchXlsx => "bench-xlsx",
            Layout::Mixed => "mixed",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{0}")]
    Config(String),
    /// The OS error is part of the message and not the `source()`, so that printing the
    /// error chain shows it once.
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Write { path: PathBuf, message: String },
    /// A generated value failed its own check: a bug in the generator, not in the input.
    #[error("generator bug: {0}")]
    Internal(String),
}

/// Command-line options of `exportscan generate`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// Number of people in the master list [default: 60 for sample, 1000000 for bench-csv,
    /// 400000 for bench-xlsx, 20000 for mixed]
    #[arg(long, value_name = "N")]
    pub people: Option<u64>,

    /// Seed of the random generator; the same seed and options give byte-identical files
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,

    /// Directory to write the export into; it must be new or empty
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// File to write the ground truth to (JSON); it must lie outside --out, where a scan
    /// would read it as part of the export
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,

    /// Set of files to generate
    #[arg(long, value_enum, default_value_t = Layout::Sample)]
    pub layout: Layout,

    /// Total data rows of the bench-csv, bench-xlsx and mixed layouts [default: 4600000
    /// (about 1 GB), 1750000 (about 200 MB) and 100000]
    #[arg(long, value_name = "N")]
    pub rows: Option<u64>,

    /// Date on which ages are computed, for the count of minors under 14 [default: 2025-07-01]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    pub as_of: Option<NaiveDate>,
}

fn parse_as_of(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|error| format!("invalid date {value:?} ({error}): write it as YYYY-MM-DD"))
}

/// Generates the export that `args` describe and writes its ground truth.
pub fn run_generate(args: &GenerateArgs) -> anyhow::Result<()> {
    let mut config = GenerateConfig::new(args.layout);
    config.seed = args.seed;
    if let Some(people) = args.people {
        config.people = people;
    }
    if args.rows.is_some() || args.layout == Layout::Sample {
        config.rows = args.rows;
    }
    if let Some(as_of) = args.as_of {
        config.as_of = as_of;
    }
    if let Some(truth_path) = &args.truth {
        let out = std::path::absolute(&args.out)?;
        let truth = std::path::absolute(truth_path)?;
        if truth.starts_with(&out) {
            anyhow::bail!(
                "truth file {} is inside the output directory {}: a scan of the export would read it; \
                 write it elsewhere",
                truth_path.display(),
                args.out.display()
            );
        }
    }
    let truth = generate(&config, &args.out)?;
    if let Some(truth_path) = &args.truth {
        let mut json = serde_json::to_vec_pretty(&truth)?;
        json.push(b'\n');
        std::fs::write(truth_path, json)
            .map_err(|error| anyhow::anyhow!("{}: {error}", truth_path.display()))?;
    }
    let individuals = &truth.individuals;
    println!(
        "wrote {} files to {}: {} people ({} sensitive, {} under 14, {} unlinked records)",
        truth.files.len(),
        args.out.display(),
        individuals.total,
        individuals.sensitive,
        individuals.minors_under_14,
        individuals.unlinked_records
    );
    Ok(())
}

/// Writes the export that `config` describes into `out` (created if missing, and it must
/// be empty) and returns its ground truth.
pub fn generate(config: &GenerateConfig, out: &Path) -> Result<GroundTruth, GenerateError> {
    config.check()?;
    prepare_directory(out)?;

    let people = people::generate_people(
        config.people as usize,
        &layout::person_requests(config.layout),
        layout::population(config.layout),
        config.as_of,
        config.seed,
    )?;
    let (files, individuals, people_appearing) = write_and_link(config, out, &people)?;

    Ok(GroundTruth {
        format_version: TRUTH_FORMAT_VERSION,
        config: config.clone(),
        individuals,
        master_people: people.len() as u64,
        people_appearing,
        files,
    })
}

/// Writes the files on this thread while another thread links their rows, so that the
/// two halves of the work use two cores. Returns the file truths, the people counts and
/// the number of master-list people who appeared.
fn write_and_link(
    config: &GenerateConfig,
    out: &Path,
    people: &[people::Person],
) -> Result<(Vec<FileTruth>, Individuals, u64), GenerateError> {
    let (full_sender, full_receiver) = mpsc::sync_channel::<truth::RowBatch>(4);
    let (empty_sender, empty_receiver) = mpsc::channel::<truth::RowBatch>();

    let (written, flushed, linked) = std::thread::scope(|scope| {
        let linker = scope.spawn(move || {
            let mut builder = truth::TruthBuilder::new(people.len());
            for mut batch in full_receiver {
                builder.add_batch(&batch);
                batch.clear();
                // The writer may have finished already; then the batch is simply dropped.
                let _ = empty_sender.send(batch);
            }
            builder.finish()
        });

        let mut batches = write::BatchSender::new(full_sender, empty_receiver);
        let written = write_files(config, out, people, &mut batches);
        let flushed = batches.flush();
        // Closing the channel ends the linking thread's loop.
        drop(batches);
        (written, flushed, linker.join())
    });

    let files = written?;
    flushed?;
    let (individuals, people_appearing) =
        linked.map_err(|_| GenerateError::Internal("the linking thread panicked".to_owned()))??;
    Ok((files, individuals, people_appearing))
}

fn write_files(
    config: &GenerateConfig,
    out: &Path,
    people: &[people::Person],
    batches: &mut write::BatchSender,
) -> Result<Vec<FileTruth>, GenerateError> {
    let mut files = Vec::new();
    for (file_index, spec) in layout::files(config).iter().enumerate() {
        let path = out.join(&spec.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| GenerateError::Io {
                path: parent.to_path_buf(),
                error,
            })?;
        }
        let mut run = write::TableRun {
            people,
            as_of: config.as_of,
            batches,
            file: &spec.path,
        };
        let mut table_rng = |table_index: usize| {
            stream_rng(config.seed, (file_index as u64) * 64 + table_index as u64)
        };
        files.push(write::write_file(spec, &path, &mut run, &mut table_rng)?);
    }
    Ok(files)
}

/// Returns the random stream `stream` of `seed`. Every table and every chunk of the master
/// list has its own stream, so changing one part leaves the others' values alone.
fn stream_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

fn prepare_directory(out: &Path) -> Result<(), GenerateError> {
    let io_error = |error: std::io::Error| GenerateError::Io {
        path: out.to_path_buf(),
        error,
    };
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(GenerateError::Config(format!(
                    "output directory {} is not empty: a generated export needs a directory of its own, \
                     so remove it or choose another",
                    out.display()
                )));
            }
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(out).map_err(io_error)
        }
        Err(error) => Err(io_error(error)),
    }
}

/// Serialises dates as `YYYY-MM-DD` (chrono is built without its serde feature here).
mod iso_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&date.format("%Y-%m-%d"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(deserializer)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(serde::de::Error::custom)
    }
}
