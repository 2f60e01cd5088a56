//! The `decide` and `rules` commands, called through their run functions and parsed through
//! clap as the CLI will embed them.

use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand};
use exportscan::rules::{
    DecideArgs, OutcomeExit, OutputFormat, ProfileArgs, Purpose, RulesCommand, ShowFormat,
    run_decide, run_rules,
};

/// The shape the CLI gives these commands: `decide ...` and `rules list|show|check`.
#[derive(Parser)]
struct TestCli {
    #[command(subcommand)]
    command: TestCommand,
}

#[derive(Subcommand)]
enum TestCommand {
    Decide(DecideArgs),
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

fn decide_args(totals: PathBuf, profile: Option<PathBuf>, format: OutputFormat) -> DecideArgs {
    DecideArgs {
        totals,
        profile: ProfileArgs {
            profile,
            date: Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 31).expect("valid date")),
            ..ProfileArgs::default()
        },
        rules: None,
        patterns: None,
        format,
    }
}

fn run_to_string(args: &DecideArgs) -> (i32, String) {
    let mut out = Vec::new();
    let code = run_decide(args, &mut out).expect("decide runs");
    (code, String::from_utf8(out).expect("UTF-8 output"))
}

const RETAIL_PROFILE: &str = r#"
[handler]
cii = false
zone = "beijing-ftz"
[transfer]
date = "2026-03-31"
industry = "retail"
scenario = "retail-membership"
purpose = "none"
id_number_sensitive = true
"#;

#[test]
fn clap_definitions_are_valid() {
    TestCli::command().debug_assert();
}

#[test]
fn clap_parses_decide_flags() {
    let cli = TestCli::try_parse_from([
        "exportscan",
        "decide",
        "--totals",
        "t.json",
        "--zone",
        "beijing-ftz",
        "--scenario",
        "retail-membership",
        "--cii",
        "true",
        "--purpose",
        "hr",
        "--date",
        "2026-03-31",
        "--id-number-sensitive",
        "false",
        "--format",
        "json",
        "--rules",
        "packs",
    ])
    .expect("decide flags parse");
    let TestCommand::Decide(args) = cli.command else {
        panic!("decide expected");
    };
    assert_eq!(args.totals, PathBuf::from("t.json"));
    assert_eq!(args.profile.zone.as_deref(), Some("beijing-ftz"));
    assert_eq!(args.profile.cii, Some(true));
    assert_eq!(args.profile.purpose, Some(Purpose::Hr));
    assert_eq!(args.profile.id_number_sensitive, Some(false));
    assert_eq!(args.format, OutputFormat::Json);
    assert_eq!(args.rules, Some(PathBuf::from("packs")));

    let bad = TestCli::try_parse_from([
        "exportscan",
        "decide",
        "--totals",
        "t.json",
        "--purpose",
        "sales",
    ]);
    assert!(bad.is_err(), "purpose values are checked by clap");
}

#[test]
fn clap_parses_rules_commands() {
    let cli = TestCli::try_parse_from([
        "exportscan",
        "rules",
        "show",
        "cn-national-2024",
        "--format",
        "toml",
    ])
    .expect("rules show parses");
    let TestCommand::Rules {
        command: RulesCommand::Show { id, format, .. },
    } = cli.command
    else {
        panic!("rules show expected");
    };
    assert_eq!(id, "cn-national-2024");
    assert_eq!(format, ShowFormat::Toml);
    assert!(TestCli::try_parse_from(["exportscan", "rules", "check", "dir"]).is_ok());
    assert!(TestCli::try_parse_from(["exportscan", "rules", "list"]).is_ok());
}

#[test]
fn decide_json_and_exit_codes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = write(dir.path(), "profile.toml", RETAIL_PROFILE);
    #[rustfmt::skip]
    let cases = [
        (r#"{"total": 50000, "sensitive": 0}"#, "exempt", OutcomeExit::Exempt),
        (r#"{"total": 4812337, "sensitive": 0}"#, "filing", OutcomeExit::Filing),
        (r#"{"total": 5000000, "sensitive": 0}"#, "assessment", OutcomeExit::Assessment),
        (r#"{"total": 10, "sensitive": 0, "important_data": true}"#, "assessment", OutcomeExit::Assessment),
    ];
    for (totals, outcome, exit) in cases {
        let path = write(dir.path(), "totals.json", totals);
        let args = decide_args(path, Some(profile.clone()), OutputFormat::Json);
        let (code, out) = run_to_string(&args);
        assert_eq!(code, exit.code(), "{totals}");
        let json: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
        assert_eq!(json["outcome"], outcome, "{totals}");
        assert!(json["pack"].is_string(), "{totals}");
        assert!(json["reasons"].is_array(), "{totals}");
        assert!(json["headroom"].is_array(), "{totals}");
        assert_eq!(
            json["unverified"], true,
            "{totals}: the FTZ figures are unverified"
        );
    }
}

#[test]
fn exit_codes_are_fixed() {
    assert_eq!(OutcomeExit::Exempt.code(), 0);
    assert_eq!(OutcomeExit::Error.code(), 2);
    assert_eq!(OutcomeExit::Filing.code(), 10);
    assert_eq!(OutcomeExit::Assessment.code(), 11);
}

#[test]
fn decide_text_without_profile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let totals = write(
        dir.path(),
        "totals.json",
        r#"{"total": 150000, "sensitive": 20, "sensitive_id_number_only": 20}"#,
    );
    let (code, out) = run_to_string(&decide_args(totals, None, OutputFormat::Text));
    assert_eq!(code, 10);
    assert!(out.starts_with("Outcome: filing"), "{out}");
    assert!(
        out.contains("Decided by: cn-national-2024/filing-total"),
        "{out}"
    );
    assert!(out.contains("sensitive only via ID number"), "{out}");
    assert!(out.contains("Headroom:"), "{out}");
    assert!(!out.contains("UNVERIFIED"), "{out}");
}

#[test]
fn decide_overrides_profile_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = write(dir.path(), "profile.toml", RETAIL_PROFILE);
    let totals = write(
        dir.path(),
        "totals.json",
        r#"{"total": 4812337, "sensitive": 0}"#,
    );
    let mut args = decide_args(totals, Some(profile), OutputFormat::Json);
    args.profile.zone = Some("none".to_string());
    let (code, _) = run_to_string(&args);
    assert_eq!(
        code, 11,
        "national rules: 1,000,000 or more needs assessment"
    );

    args.profile.zone = None;
    args.profile.purpose = Some(Purpose::Contract);
    let (code, _) = run_to_string(&args);
    assert_eq!(code, 0);
}

#[test]
fn decide_reads_whole_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = r#"{"files": [], "individuals": {"total": 120000, "sensitive": 0, "unlinked_records": 3,
        "minors_under_14": 0, "conflicts": 0, "by_element": {"person_name": 120000}}}"#;
    let totals = write(dir.path(), "report.json", report);
    let (code, out) = run_to_string(&decide_args(totals, None, OutputFormat::Json));
    assert_eq!(code, 10, "{out}");
}

#[test]
fn decide_rejects_bad_totals() {
    let dir = tempfile::tempdir().expect("temp dir");
    #[rustfmt::skip]
    let cases = [
        (r#"{"total": 10, "sensitive": 0, "important_dat": true}"#, "unknown key \"important_dat\""),
        (r#"{"total": 10}"#, "missing key \"sensitive\""),
        (r#"{"total": -1, "sensitive": 0}"#, "invalid totals"),
        (r#"{"total": 10, "sensitive": 20}"#, "sensitive (20) exceeds total (10)"),
        (r#"[1, 2]"#, "must be a JSON object"),
        ("{", "invalid JSON"),
        (r#"{"total": 10, "sensitive": 0, "total": 20}"#, "duplicate key \"total\""),
        (r#"{"total": 10, "sensitive": 0, "by_element": {"email": 1, "email": 2}}"#, "duplicate key \"email\" in by_element"),
        (r#"{"individuals": {"total": 10, "sensitive": 0, "sensitive": 1}}"#, "duplicate key \"sensitive\" in individuals"),
        (r#"{"total": 10, "sensitive": 0, "by_element": {"mobile_phon": 5}}"#, "by_element names the unknown element \"mobile_phon\""),
    ];
    for (text, expected) in cases {
        let totals = write(dir.path(), "totals.json", text);
        let err = match run_decide(
            &decide_args(totals, None, OutputFormat::Text),
            &mut Vec::new(),
        ) {
            Ok(code) => panic!("{text}: accepted with exit code {code}"),
            Err(err) => err,
        };
        let message = format!("{err:#}");
        assert!(message.contains("totals.json"), "{text}: {message}");
        assert!(message.contains(expected), "{text}: {message}");
    }
}

/// Element ids of the pattern pack and of the rule packs (important-data elements) are both
/// accepted in by_element.
#[test]
fn decide_accepts_known_elements() {
    let dir = tempfile::tempdir().expect("temp dir");
    let totals = write(
        dir.path(),
        "totals.json",
        r#"{"total": 10, "sensitive": 0, "by_element": {"person_name": 10, "exterior_video": 0}}"#,
    );
    let (code, out) = run_to_string(&decide_args(totals, None, OutputFormat::Text));
    assert_eq!(code, 0, "{out}");
}

/// A pattern pack element with its header and sample values, as `scan --patterns` loads it.
const BADGE_ELEMENT: &str = r#"
[[element]]
id = "badge_no"
name_zh = "工牌号"
name_en = "Badge number"
category = "personal"
linking = true
normaliser = "upper"
pattern = '(?-u)^EMP[0-9]{6}$'

[element.headers]
zh = ["工牌号"]
en = ["badge no"]

[element.samples]
valid = ["EMP123456"]
invalid = ["EMP12345"]
masked = ["EMP***456"]
headers = ["工牌号"]
"#;

#[test]
fn decide_accepts_given_pattern_elements() {
    let dir = tempfile::tempdir().expect("temp dir");
    let patterns = dir.path().join("patterns");
    std::fs::create_dir(&patterns).expect("folder is created");
    write(&patterns, "badge.toml", BADGE_ELEMENT);
    let totals = write(
        dir.path(),
        "totals.json",
        r#"{"total": 3, "sensitive": 0, "by_element": {"badge_no": 3}}"#,
    );
    let mut args = decide_args(totals, None, OutputFormat::Text);
    let err = run_decide(&args, &mut Vec::new()).expect_err("badge_no is not built in");
    let message = format!("{err:#}");
    assert!(
        message.contains("unknown element \"badge_no\""),
        "{message}"
    );

    args.patterns = Some(patterns);
    let (code, out) = run_to_string(&args);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn decide_rejects_bad_profile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = write(
        dir.path(),
        "profile.toml",
        "[transfer]\npurpose = \"sales\"\n",
    );
    let totals = write(
        dir.path(),
        "totals.json",
        r#"{"total": 10, "sensitive": 0}"#,
    );
    let err = run_decide(
        &decide_args(totals, Some(profile), OutputFormat::Text),
        &mut Vec::new(),
    )
    .expect_err("bad profile fails");
    let message = err.to_string();
    assert!(message.contains("profile.toml"), "{message}");
    assert!(message.contains("transfer.purpose"), "{message}");
    assert!(
        message.contains("none, contract, hr, emergency"),
        "{message}"
    );
}

#[test]
fn rules_list_shows_packs() {
    let mut out = Vec::new();
    let code = run_rules(&RulesCommand::List { rules: None }, &mut out).expect("list runs");
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(code, 0);
    assert!(text.contains("cn-national-2024"), "{text}");
    assert!(text.contains("from 2024-03-22"), "{text}");
    assert!(text.contains("beijing-ftz-2024"), "{text}");
    assert!(text.contains("2024-08-30 to 2026-05-10"), "{text}");
}

#[test]
fn rules_show_formats() {
    let show = |id: &str, format| {
        let mut out = Vec::new();
        let command = RulesCommand::Show {
            id: id.to_string(),
            rules: None,
            format,
        };
        run_rules(&command, &mut out).map(|code| (code, String::from_utf8(out).expect("UTF-8")))
    };
    let (code, text) = show("beijing-ftz-2024", ShowFormat::Text).expect("show runs");
    assert_eq!(code, 0);
    assert!(text.contains("Scenario retail-membership"), "{text}");
    assert!(
        text.contains("retail-assessment-total: total >= 5,000,000 gives assessment [unverified]"),
        "{text}"
    );
    assert!(text.contains("registration:    required"), "{text}");

    let (_, toml) = show("cn-national-2024", ShowFormat::Toml).expect("show toml");
    assert!(toml.contains("id = \"cn-national-2024\""));

    let (_, json) = show("cn-national-2024", ShowFormat::Json).expect("show json");
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(value["bands"][0]["comparison"], ">=");
    assert_eq!(value["effective_from"], "2024-03-22");

    let err = show("cn-national-2099", ShowFormat::Text).expect_err("unknown id");
    assert!(err.to_string().contains("cn-national-2024"), "{err}");
}

#[test]
fn rules_check_reports_each_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let national = exportscan::rules::embedded_packs()
        .expect("embedded packs")
        .into_iter()
        .find(|p| p.id == "cn-national-2024")
        .expect("national pack")
        .text;
    write(dir.path(), "national.toml", &national);
    let mut out = Vec::new();
    let code = run_rules(
        &RulesCommand::Check {
            dir: dir.path().to_path_buf(),
        },
        &mut out,
    )
    .expect("check runs");
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("embedded packs replaced: cn-national-2024"),
        "{text}"
    );

    write(
        dir.path(),
        "zbroken.toml",
        &national.replace("outcome = \"filing\"", "outcome = \"contract\""),
    );
    let mut out = Vec::new();
    let code = run_rules(
        &RulesCommand::Check {
            dir: dir.path().to_path_buf(),
        },
        &mut out,
    )
    .expect("check runs");
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(code, OutcomeExit::Error.code(), "{text}");
    assert!(text.contains("ok      "), "{text}");
    assert!(text.contains("zbroken.toml"), "{text}");
    assert!(
        text.contains("band filing-total: outcome \"contract\" is invalid"),
        "{text}"
    );
}

#[test]
fn rules_check_finds_conflicts_with_embedded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let national = exportscan::rules::embedded_packs()
        .expect("embedded packs")
        .into_iter()
        .find(|p| p.id == "cn-national-2024")
        .expect("national pack")
        .text
        .replace("id = \"cn-national-2024\"", "id = \"cn-national-2025\"");
    write(dir.path(), "national.toml", &national);
    let mut out = Vec::new();
    let code = run_rules(
        &RulesCommand::Check {
            dir: dir.path().to_path_buf(),
        },
        &mut out,
    )
    .expect("check runs");
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("in force on common days"), "{text}");
}
