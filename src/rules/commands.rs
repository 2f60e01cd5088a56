//! The `decide` and `rules` subcommands: clap argument structs and the functions that run them.
//!
//! Both run functions return the process exit code (see `OutcomeExit`); an `Err` means exit 2.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::engine::decide;
use super::pack::{Pack, PackOrigin};
use super::profile::ProfileArgs;
use super::render::{render_pack, render_pack_list};
use super::ruleset::{RuleSet, embedded_packs, toml_files};
use super::{OutcomeExit, RulesError};
use crate::identity::Individuals;
use crate::pack::ElementPack;

/// Output format of `decide`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

/// Output format of `rules show`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    /// A readable summary.
    #[default]
    Text,
    /// The pack's TOML source.
    Toml,
    /// The checked pack as JSON.
    Json,
}

/// Decides the procedure for a totals file without scanning any data ("what if").
#[derive(Debug, Clone, clap::Args)]
pub struct DecideArgs {
    /// Totals: the `individuals` object of a scan's JSON report (or the whole report), with
    /// an optional "important_data": true.
    #[arg(long, value_name = "FILE")]
    pub totals: PathBuf,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Directory of rule packs (*.toml) that add to the embedded packs or replace them by id.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Folder of data element definitions (*.toml) that the scan used with --patterns, whose
    /// ids by_element may name; default the built-in pack.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Lists, prints and checks rule packs.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum RulesCommand {
    /// List the loaded rule packs with their editions, zones and dates.
    List {
        /// Directory of rule packs that add to the embedded packs or replace them by id.
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// Print one rule pack.
    Show {
        /// Pack id, e.g. cn-national-2024.
        id: String,
        /// Directory of rule packs that add to the embedded packs or replace them by id.
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Check every *.toml rule pack in a directory, alone and together with the embedded packs.
    Check {
        /// Directory holding the packs to check.
        dir: PathBuf,
    },
}

/// Runs `decide`: prints the decision and returns 0 (exempt), 10 (filing) or 11 (assessment).
/// The transfer date defaults to today's local date.
pub fn run_decide(args: &DecideArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let today = chrono::Local::now().date_naive();
    let profile = args.profile.resolve(today)?;
    let rules = RuleSet::load(args.rules.as_deref())?;
    let totals = read_totals(&args.totals)?;
    let groups: Vec<String> = rules
        .packs()
        .iter()
        .flat_map(|p| p.groups.iter().map(|g| g.id.clone()))
        .collect();
    if let Some(unknown) = totals.by_group.keys().find(|g| !groups.contains(g)) {
        anyhow::bail!(
            "{}: by_group names the unknown group {unknown:?}: the loaded rule packs define {}",
            args.totals.display(),
            groups.join(", ")
        );
    }
    check_elements(&totals, &args.totals, args.patterns.as_deref(), &rules)?;
    let decision = decide(&totals, &profile, &rules)?;
    match args.format {
        OutputFormat::Text => out.write_all(decision.render_text().as_bytes())?,
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &decision)?;
            writeln!(out)?;
        }
    }
    Ok(OutcomeExit::for_outcome(decision.outcome).code())
}

/// Rejects a `by_element` id that is neither an element of the pattern pack (the built-in one,
/// or `patterns`) nor an element that a loaded rule pack names, such as an important-data
/// element. A misspelt id would otherwise drop its count from the decision.
fn check_elements(
    totals: &Individuals,
    file: &Path,
    patterns: Option<&Path>,
    rules: &RuleSet,
) -> anyhow::Result<()> {
    let pack = match patterns {
        Some(dir) => ElementPack::load_dir(dir)?,
        None => ElementPack::builtin().context("the built-in pattern pack is invalid")?,
    };
    let rule_elements = rules.element_ids();
    let known = |id: &String| pack.index_of(id).is_some() || rule_elements.contains(id);
    if let Some(unknown) = totals.by_element.keys().find(|id| !known(id)) {
        anyhow::bail!(
            "{}: by_element names the unknown element {unknown:?}: use an element id of the \
             pattern pack (exportscan patterns list) or of the loaded rule packs",
            file.display()
        );
    }
    Ok(())
}

/// Runs a `rules` subcommand and returns its exit code: 0, or 2 when `check` finds a problem.
pub fn run_rules(command: &RulesCommand, out: &mut dyn Write) -> anyhow::Result<i32> {
    match command {
        RulesCommand::List { rules } => {
            let rules = RuleSet::load(rules.as_deref())?;
            out.write_all(render_pack_list(&rules).as_bytes())?;
            Ok(OutcomeExit::SUCCESS)
        }
        RulesCommand::Show { id, rules, format } => {
            let rules = RuleSet::load(rules.as_deref())?;
            let pack = rules.pack(id)?;
            match format {
                ShowFormat::Text => out.write_all(render_pack(&rules, pack).as_bytes())?,
                ShowFormat::Toml => out.write_all(pack.text.as_bytes())?,
                ShowFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, pack)?;
                    writeln!(out)?;
                }
            }
            Ok(OutcomeExit::SUCCESS)
        }
        RulesCommand::Check { dir } => check_dir(dir, out),
    }
}

/// Checks each pack file on its own, then the valid ones together with the embedded packs.
fn check_dir(dir: &Path, out: &mut dyn Write) -> anyhow::Result<i32> {
    let files = toml_files(dir)?;
    let mut valid: Vec<Pack> = Vec::new();
    let mut failed = 0usize;
    for path in &files {
        let origin = PackOrigin::File {
            path: path.clone(),
            replaces_embedded: false,
        };
        let result = std::fs::read_to_string(path)
            .map_err(|error| RulesError::Io {
                path: path.display().to_string(),
                error,
            })
            .and_then(|text| Pack::parse(&text, origin));
        match result {
            Ok(pack) => {
                writeln!(
                    out,
                    "ok      {}: pack {} ({} scenarios)",
                    path.display(),
                    pack.id,
                    pack.scenarios.len()
                )?;
                valid.push(pack);
            }
            Err(err) => {
                failed += 1;
                writeln!(out, "invalid {err}")?;
            }
        }
    }
    if failed == 0 {
        match combine_with_embedded(valid) {
            Ok(summary) => writeln!(out, "{summary}")?,
            Err(err) => {
                failed += 1;
                writeln!(out, "invalid {err}")?;
            }
        }
    }
    if failed == 0 {
        writeln!(out, "{} pack file(s) valid", files.len())?;
        Ok(OutcomeExit::SUCCESS)
    } else {
        writeln!(out, "{failed} problem(s) in {}", dir.display())?;
        Ok(OutcomeExit::Error.code())
    }
}

/// Loads user packs over the embedded ones, as `--rules` would, and names the replaced ones.
fn combine_with_embedded(user: Vec<Pack>) -> Result<String, RulesError> {
    let mut packs = embedded_packs()?;
    let mut replaced = Vec::new();
    for pack in user {
        if let Some(position) = packs.iter().position(|p| p.id == pack.id) {
            replaced.push(pack.id.clone());
            packs.remove(position);
        }
        packs.push(pack);
    }
    let set = RuleSet::from_packs(packs)?;
    let replaced = if replaced.is_empty() {
        "none".to_string()
    } else {
        replaced.join(", ")
    };
    Ok(format!(
        "ok      together with the embedded packs: {} packs loaded; embedded packs replaced: {replaced}",
        set.packs().len()
    ))
}

/// Keys of `Individuals` that a totals file may contain.
const TOTALS_KEYS: [&str; 11] = [
    "total",
    "sensitive",
    "upper_bound",
    "unlinked_records",
    "minors_under_14",
    "conflicts",
    "by_element",
    "by_group",
    "sensitive_id_number_only",
    "important_data",
    "note",
];

/// Reads a totals file: an `individuals` object, or a whole report that contains one.
/// Counts that do not affect the decision (unlinked records, minors, conflicts, per-element
/// counts) may be left out. A key that is not a field of the totals is an error, so that a
/// misspelt `important_data` cannot be dropped silently.
pub fn read_totals(path: &Path) -> anyhow::Result<Individuals> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the totals file", path.display()))?;
    let parsed =
        parse_unique_keys(&text).with_context(|| format!("{}: invalid JSON", path.display()))?;
    let mut object = match parsed {
        serde_json::Value::Object(mut map) => match map.remove("individuals") {
            Some(serde_json::Value::Object(inner)) => inner,
            Some(_) => anyhow::bail!("{}: \"individuals\" must be an object", path.display()),
            None => map,
        },
        _ => anyhow::bail!(
            "{}: the totals must be a JSON object such as {{\"total\": 1200, \"sensitive\": 30}}",
            path.display()
        ),
    };
    if let Some(key) = object.keys().find(|k| !TOTALS_KEYS.contains(&k.as_str())) {
        anyhow::bail!(
            "{}: unknown key {key:?}: allowed keys are {}",
            path.display(),
            TOTALS_KEYS.join(", ")
        );
    }
    for key in ["total", "sensitive"] {
        if !object.contains_key(key) {
            anyhow::bail!(
                "{}: missing key {key:?}: the totals need total and sensitive",
                path.display()
            );
        }
    }
    object.remove("note");
    for key in ["unlinked_records", "minors_under_14", "conflicts"] {
        object.entry(key).or_insert(serde_json::Value::from(0));
    }
    object
        .entry("by_element")
        .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
    let totals: Individuals = serde_json::from_value(serde_json::Value::Object(object))
        .with_context(|| format!("{}: invalid totals", path.display()))?;
    super::decision::check_totals(&totals).map_err(|message| RulesError::Totals {
        file: path.display().to_string(),
        message,
    })?;
    Ok(totals)
}

/// Parses JSON text like `serde_json::from_str`, but rejects an object that repeats a key:
/// serde_json keeps the last of two equal keys, so a totals file could state two counts and
/// have one of them ignored.
fn parse_unique_keys(text: &str) -> serde_json::Result<serde_json::Value> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = UniqueKeys { path: "" }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Builds a `serde_json::Value` and fails on the first repeated key of an object.
struct UniqueKeys<'p> {
    /// Dotted keys of the object being read, for the error message; empty at the top level.
    path: &'p str,
}

impl<'de> DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = serde_json::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys<'_> {
    type Value = serde_json::Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::from(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(serde_json::Value::from(value))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(serde_json::Value::String(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(UniqueKeys { path: self.path })? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let within = if self.path.is_empty() {
                    String::new()
                } else {
                    format!(" in {}", self.path)
                };
                return Err(de::Error::custom(format!("duplicate key {key:?}{within}")));
            }
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            let value = map.next_value_seed(UniqueKeys { path: &path })?;
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}
