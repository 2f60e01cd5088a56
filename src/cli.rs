//! Command-line interface: arguments (clap derive; doc comments are the --help text) and the
//! `run` function that maps every outcome to an exit code in one place.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::inventory::Inventory;
use crate::pack::ElementPack;
use crate::read::Limits;
use crate::report::{self, OutputFormat};
use crate::rules::{self, DecideArgs, Outcome, ProfileArgs, RuleSet, RulesCommand};
use crate::scan::{self, ScanOptions};

/// Exit codes of every command.
pub mod exit {
    /// Every file was read (and, with --fail-on, the outcome is below the gate).
    pub const OK: i32 = 0;
    /// A usage, pattern-pack, rule-pack or profile error; nothing was scanned.
    pub const USAGE: i32 = 2;
    /// Some input could not be fully read; the counts cover what was read.
    pub const INCOMPLETE: i32 = 4;
    /// With --fail-on: the transfer needs a standard-contract filing or certification.
    pub const FILING: i32 = crate::rules::OutcomeExit::Filing as i32;
    /// With --fail-on: the transfer needs a CAC security assessment.
    pub const ASSESSMENT: i32 = crate::rules::OutcomeExit::Assessment as i32;
}

/// Inventory personal information in outbound data exports and decide which cross-border
/// transfer procedure (CAC 2024 Provisions) the transfer needs.
#[derive(Debug, Parser)]
#[command(name = "exportscan", version, about)]
pub struct Cli {
    /// Log decisions (why a file was skipped, why a column was tagged) to stderr; repeat for
    /// more detail. Values are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories of exports: tag columns, count people, decide.
    Scan(ScanArgs),
    /// Decide the procedure for given totals without scanning data ("what if").
    Decide(DecideArgs),
    /// List, print or check rule packs.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Write a synthetic export with its ground truth, for tests and benchmarks.
    Generate(crate::generate::GenerateArgs),
    /// List the data elements of a pattern pack, or check a user's pack.
    Patterns {
        #[command(subcommand)]
        command: PatternsCommand,
    },
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,

    /// Write the report to this file (atomically, mode 0600) instead of standard output;
    /// `-` means standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    /// Date on which ages are computed (YYYY-MM-DD); default the transfer date (--date or
    /// the profile), else today.
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Transfer profile: who sends the data, from which zone, in which scenario.
    #[command(flatten)]
    pub profile: ProfileArgs,

    /// Folder of rule packs (*.toml) that add to the built-in packs or replace them by id.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,

    /// Exit with 10 (filing) or 11 (assessment) when the transfer needs this procedure or a
    /// stricter one, so a pipeline stops before the data leaves.
    #[arg(long, value_enum, value_name = "OUTCOME")]
    pub fail_on: Option<FailOn>,

    /// Folder of data element definitions (*.toml) used instead of the built-in pack.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,

    /// Also scan hidden files and folders and version-control folders.
    #[arg(long)]
    pub hidden: bool,

    /// Worker threads, 1 to 256; default one per core.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Delimited files of this many bytes or more are split into one byte range per thread.
    #[arg(long, value_name = "BYTES", default_value_t = scan::PARALLEL_MIN_BYTES, hide = true)]
    pub parallel_min_bytes: u64,

    /// Largest sheet, in cells (the used cells, and the empty cells before them in each row).
    #[arg(long, value_name = "CELLS", default_value_t = Limits::default().max_cells_per_sheet)]
    pub max_sheet_cells: u64,

    /// Longest record of a delimited text file, largest SQL statement and largest JSON Schema
    /// file, in bytes (suffixes K, M, G: powers of 1024; at least 1M). A text file without
    /// line breaks reaches it; the rest of that file is not read.
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = parse_line_bytes)]
    pub max_line_bytes: u64,

    /// Largest total uncompressed size of one workbook package (.xlsx, .xlsm, .xlsb, .ods), in
    /// bytes (suffixes K, M, G: powers of 1024). Larger workbooks, and zip bombs, are listed
    /// as not read.
    #[arg(long, value_name = "BYTES", default_value = "2G", value_parser = parse_bytes)]
    pub max_unpacked_bytes: u64,
}

/// The procedure from which `scan --fail-on` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// A standard-contract filing, certification or a security assessment.
    Filing,
    /// A security assessment.
    Assessment,
}

#[derive(Debug, Subcommand)]
pub enum PatternsCommand {
    /// List the data elements of the built-in pack (or of --patterns DIR).
    List {
        #[arg(long, value_name = "DIR")]
        patterns: Option<PathBuf>,
    },
    /// Check a folder of data element definitions, including every sample value.
    Check { dir: PathBuf },
}

/// Parses a YYYY-MM-DD date.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("invalid date {text:?}: expected YYYY-MM-DD, e.g. 2026-06-30"))
}

/// Parses `--max-line-bytes`: a byte count of at least 1M, because text is read and
/// checked in buffers of up to 1 MiB, so a smaller limit would not hold.
pub fn parse_line_bytes(text: &str) -> Result<u64, String> {
    let bytes = parse_bytes(text)?;
    if bytes < 1 << 20 {
        return Err(format!(
            "invalid size {text:?}: the record limit must be at least 1M, because text is read in buffers of up to 1 MiB"
        ));
    }
    Ok(bytes)
}

/// Parses a byte count with an optional suffix K, M, G or T (powers of 1024), such as `64M`.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let invalid = || {
        format!("invalid size {text:?}: expected a number of bytes such as 65536, 64K, 64M or 2G")
    };
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, suffix) = trimmed.split_at(split);
    let shift = match suffix.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(invalid()),
    };
    let number: u64 = digits.parse().map_err(|_| invalid())?;
    number
        .checked_mul(1u64 << shift)
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| format!("invalid size {text:?}: give a positive size below 16E"))
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = match &cli.command {
        Command::Scan(args) => run_scan(args, &mut out),
        Command::Decide(args) => rules::run_decide(args, &mut out),
        Command::Rules { command } => rules::run_rules(command, &mut out),
        Command::Generate(args) => crate::generate::run_generate(args).map(|()| exit::OK),
        Command::Patterns { command } => run_patterns(command, &mut out),
    };
    match result {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => exit::OK,
        Err(error) => {
            eprintln!("exportscan: {error:#}");
            exit::USAGE
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn load_pack(dir: Option<&PathBuf>) -> anyhow::Result<ElementPack> {
    let pack = match dir {
        Some(dir) => ElementPack::load_dir(dir)?,
        None => ElementPack::builtin().context("the built-in pattern pack is invalid")?,
    };
    Ok(pack)
}

fn run_scan(args: &ScanArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let pack = load_pack(args.patterns.as_ref())?;
    let today = chrono::Local::now().date_naive();
    let profile = args.profile.resolve(args.as_of.unwrap_or(today))?;
    let as_of = args.as_of.unwrap_or(profile.date);
    let rule_set = RuleSet::load(args.rules.as_deref())?;
    // Deciding on empty totals first reports a bad profile or rule pack before any file
    // is read.
    rules::decide(&Default::default(), &profile, &rule_set)?;

    let id_numbers = vec![
        "resident_id".to_string(),
        "passport".into(),
        "travel_permit".into(),
    ];
    let mut sensitive = default_sensitive(&pack);
    if !profile.id_number_sensitive() {
        sensitive.retain(|id| !id_numbers.contains(id));
    }
    let options = ScanOptions {
        paths: args.paths.clone(),
        as_of,
        limits: Limits {
            max_cells_per_sheet: args.max_sheet_cells,
            max_line_bytes: usize::try_from(args.max_line_bytes).unwrap_or(usize::MAX),
            max_unpacked_bytes: args.max_unpacked_bytes,
        },
        include_hidden: args.hidden,
        sensitive,
        id_numbers,
        groups: rule_set.element_groups(&profile),
        parallel_min_bytes: args.parallel_min_bytes,
    };
    let mut inventory = run_in_pool(args.threads, || scan::scan(&pack, &options))??;
    let decision = rules::decide(&inventory.individuals, &profile, &rule_set)?;
    let outcome = decision.outcome;
    inventory.decision = Some(decision);
    write_report(args, &inventory, out)?;
    Ok(scan_exit_code(&inventory, outcome, args.fail_on))
}

/// Maps a finished scan to its exit code: an outcome at or above `--fail-on` wins over an
/// incomplete scan, because it is the reason to stop the transfer.
fn scan_exit_code(inventory: &Inventory, outcome: Outcome, fail_on: Option<FailOn>) -> i32 {
    let gate = match fail_on {
        Some(FailOn::Filing) => Some(Outcome::Filing),
        Some(FailOn::Assessment) => Some(Outcome::Assessment),
        None => None,
    };
    match gate {
        Some(gate) if outcome >= gate && outcome == Outcome::Assessment => exit::ASSESSMENT,
        Some(gate) if outcome >= gate => exit::FILING,
        _ if !inventory.complete => exit::INCOMPLETE,
        _ => exit::OK,
    }
}

fn default_sensitive(pack: &ElementPack) -> Vec<String> {
    pack.elements
        .iter()
        .filter(|e| e.category == crate::pack::Category::Sensitive)
        .map(|e| e.id.clone())
        .collect()
}

/// Maximum number of worker threads that `--threads` accepts.
const MAX_THREADS: usize = 256;

fn run_in_pool<T: Send>(
    threads: Option<usize>,
    job: impl FnOnce() -> T + Send,
) -> anyhow::Result<T> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        anyhow::ensure!(
            (1..=MAX_THREADS).contains(&threads),
            "invalid --threads {threads}: give 1 to {MAX_THREADS}"
        );
        builder = builder.num_threads(threads);
    }
    let pool = builder.build().context("cannot start worker threads")?;
    Ok(pool.install(job))
}

fn write_report(args: &ScanArgs, inventory: &Inventory, out: &mut dyn Write) -> anyhow::Result<()> {
    let writer = args.format.writer();
    match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            report::write_file(path, writer.as_ref(), inventory)
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
            eprintln!("exportscan: report written to {}", path.display());
        }
        _ => {
            writer.write(inventory, out)?;
            out.flush()?;
        }
    }
    Ok(())
}

fn run_patterns(command: &PatternsCommand, out: &mut dyn Write) -> anyhow::Result<i32> {
    match command {
        PatternsCommand::List { patterns } => {
            let pack = load_pack(patterns.as_ref())?;
            for element in &pack.elements {
                let category = serde_json::to_value(element.category)?;
                writeln!(
                    out,
                    "{:<18} {:<13} {}{}  {} / {}",
                    element.id,
                    category.as_str().unwrap_or_default(),
                    if element.linking { "linking key" } else { "" },
                    if element.linking { "" } else { "           " },
                    element.name_zh,
                    element.name_en
                )?;
            }
            Ok(exit::OK)
        }
        PatternsCommand::Check { dir } => {
            let pack = ElementPack::load_dir(dir)?;
            writeln!(
                out,
                "{}: {} elements, all samples pass",
                dir.display(),
                pack.elements.len()
            )?;
            Ok(exit::OK)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_parse() {
        assert_eq!(parse_bytes("65536"), Ok(65536));
        assert_eq!(parse_bytes("64K"), Ok(64 * 1024));
        assert_eq!(parse_bytes("64m"), Ok(64 * 1024 * 1024));
        assert_eq!(parse_bytes("2GiB"), Ok(2 * 1024 * 1024 * 1024));
        assert!(parse_bytes("0").is_err());
        assert!(parse_bytes("12X").is_err());
        assert!(parse_bytes("M").is_err());
        assert!(parse_bytes("99999999999T").is_err());
    }

    #[test]
    fn limit_defaults_match_the_library() {
        let cli = Cli::parse_from(["exportscan", "scan", "."]);
        let Command::Scan(args) = cli.command else {
            panic!("parsed as scan");
        };
        let defaults = Limits::default();
        assert_eq!(args.max_sheet_cells, defaults.max_cells_per_sheet);
        assert_eq!(args.max_line_bytes, defaults.max_line_bytes as u64);
        assert_eq!(args.max_unpacked_bytes, defaults.max_unpacked_bytes);
    }
}
