//! Table tests of the decision engine on the embedded packs: every band edge of the national
//! rules and of the Beijing FTZ list, CII operators, important data, exempt purposes, unknown
//! and unlisted scenarios, headroom and edition choice.

use chrono::NaiveDate;
use exportscan::identity::Individuals;
use exportscan::rules::{Decision, Outcome, Profile, Purpose, RuleSet, RulesError, decide};

const NATIONAL: &str = "cn-national-2024";
const FTZ: &str = "beijing-ftz-2024";

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
}

fn rules() -> RuleSet {
    RuleSet::load(None).expect("embedded packs load")
}

fn totals(total: u64, sensitive: u64) -> Individuals {
    Individuals {
        total,
        sensitive,
        ..Individuals::default()
    }
}

fn with_group(mut totals: Individuals, group: &str, count: u64) -> Individuals {
    totals.by_group.insert(group.to_string(), count);
    totals
}

fn national_profile() -> Profile {
    Profile::national(date("2026-03-31"))
}

fn ftz_profile(scenario: Option<&str>) -> Profile {
    Profile {
        zone: Some("beijing-ftz".to_string()),
        scenario: scenario.map(str::to_string),
        ..national_profile()
    }
}

fn run(totals: &Individuals, profile: &Profile) -> Decision {
    decide(totals, profile, &rules()).expect("decision succeeds")
}

struct Case {
    name: &'static str,
    totals: Individuals,
    outcome: Outcome,
    rule: &'static str,
}

fn check_cases(profile: &Profile, cases: Vec<Case>) {
    let rules = rules();
    for case in cases {
        let decision = decide(&case.totals, profile, &rules)
            .unwrap_or_else(|err| panic!("{}: decide failed: {err}", case.name));
        assert_eq!(decision.outcome, case.outcome, "{}: outcome", case.name);
        assert_eq!(decision.rule, case.rule, "{}: deciding rule", case.name);
    }
}

#[test]
fn national_band_edges() {
    #[rustfmt::skip]
    let cases = vec![
        Case { name: "nobody", totals: totals(0, 0), outcome: Outcome::Exempt, rule: "cn-national-2024/no-band-met" },
        Case { name: "99,999 people", totals: totals(99_999, 0), outcome: Outcome::Exempt, rule: "cn-national-2024/no-band-met" },
        Case { name: "100,000 people", totals: totals(100_000, 0), outcome: Outcome::Filing, rule: "cn-national-2024/filing-total" },
        Case { name: "999,999 people", totals: totals(999_999, 0), outcome: Outcome::Filing, rule: "cn-national-2024/filing-total" },
        Case { name: "1,000,000 people", totals: totals(1_000_000, 0), outcome: Outcome::Assessment, rule: "cn-national-2024/assessment-total" },
        Case { name: "1 sensitive", totals: totals(10, 1), outcome: Outcome::Filing, rule: "cn-national-2024/filing-sensitive" },
        Case { name: "9,999 sensitive", totals: totals(9_999, 9_999), outcome: Outcome::Filing, rule: "cn-national-2024/filing-sensitive" },
        Case { name: "10,000 sensitive", totals: totals(10_000, 10_000), outcome: Outcome::Assessment, rule: "cn-national-2024/assessment-sensitive" },
        Case { name: "99,999 people, 9,999 sensitive", totals: totals(99_999, 9_999), outcome: Outcome::Filing, rule: "cn-national-2024/filing-sensitive" },
        Case { name: "999,999 people, 10,000 sensitive", totals: totals(999_999, 10_000), outcome: Outcome::Assessment, rule: "cn-national-2024/assessment-sensitive" },
    ];
    check_cases(&national_profile(), cases);
}

#[test]
fn national_exempt_shows_unmet_bands() {
    let decision = run(&totals(99_999, 0), &national_profile());
    assert_eq!(decision.pack, NATIONAL);
    assert!(!decision.unverified, "national figures are verified");
    let rules: Vec<&str> = decision.reasons.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "cn-national-2024/filing-total",
            "cn-national-2024/filing-sensitive"
        ]
    );
    let total = &decision.reasons[0];
    assert!(!total.met);
    assert_eq!(total.comparison, "<");
    assert_eq!(total.count, 99_999);
    assert_eq!(total.threshold, 100_000);
    assert_eq!(decision.national_outcome, None, "no zone, no comparison");
}

#[test]
fn cii_operator_needs_assessment() {
    let profile = Profile {
        cii: true,
        ..national_profile()
    };
    let decision = run(&totals(1, 0), &profile);
    assert_eq!(decision.outcome, Outcome::Assessment);
    assert_eq!(decision.rule, "cn-national-2024/cii-operator");

    let nobody = run(&totals(0, 0), &profile);
    assert_eq!(
        nobody.outcome,
        Outcome::Exempt,
        "no personal information, no important data"
    );
}

#[test]
fn important_data_needs_assessment() {
    let mut flagged = totals(0, 0);
    flagged.important_data = true;
    let decision = run(&flagged, &national_profile());
    assert_eq!(decision.outcome, Outcome::Assessment);
    assert_eq!(decision.rule, "cn-national-2024/important-data");
    assert_eq!(decision.reasons[0].metric, "important_data");
}

#[test]
fn exempt_purposes_ignore_volume() {
    for purpose in [Purpose::Contract, Purpose::Hr, Purpose::Emergency] {
        let profile = Profile {
            purpose,
            ..national_profile()
        };
        let decision = run(&totals(5_000_000, 500_000), &profile);
        assert_eq!(decision.outcome, Outcome::Exempt, "{purpose:?}");
        assert_eq!(
            decision.rule,
            format!("cn-national-2024/purpose-{}", purpose.as_str()),
            "{purpose:?}"
        );
        assert!(
            decision
                .notes
                .iter()
                .any(|n| n.contains("exempt purpose is left out of the yearly count")),
            "{purpose:?}: the unverified counting question is noted"
        );
    }
}

#[test]
fn exempt_purpose_covers_cii_but_not_important_data() {
    let profile = Profile {
        cii: true,
        purpose: Purpose::Contract,
        ..national_profile()
    };
    let decision = run(&totals(200_000, 0), &profile);
    assert_eq!(decision.outcome, Outcome::Exempt);

    let mut important = totals(200_000, 0);
    important.important_data = true;
    let decision = run(&important, &profile);
    assert_eq!(decision.outcome, Outcome::Assessment);
    assert_eq!(decision.rule, "cn-national-2024/important-data");
}

#[test]
fn retail_membership_band_edges() {
    let profile = ftz_profile(Some("retail-membership"));
    #[rustfmt::skip]
    let cases = vec![
        // National exempt. The zone's filing line would be stricter, so exempt remains.
        Case { name: "50,000 people", totals: totals(50_000, 0), outcome: Outcome::Exempt, rule: "cn-national-2024/no-band-met" },
        Case { name: "100,000 people", totals: totals(100_000, 0), outcome: Outcome::Filing, rule: "beijing-ftz-2024/retail-filing" },
        Case { name: "4,999,999 people", totals: totals(4_999_999, 0), outcome: Outcome::Filing, rule: "beijing-ftz-2024/retail-filing" },
        Case { name: "5,000,000 people", totals: totals(5_000_000, 0), outcome: Outcome::Assessment, rule: "beijing-ftz-2024/retail-assessment-total" },
        Case { name: "999,999 sensitive", totals: totals(2_000_000, 999_999), outcome: Outcome::Filing, rule: "beijing-ftz-2024/retail-filing" },
        Case { name: "1,000,000 sensitive", totals: totals(2_000_000, 1_000_000), outcome: Outcome::Assessment, rule: "beijing-ftz-2024/important-sensitive" },
    ];
    check_cases(&profile, cases);
}

#[test]
fn retail_relaxation_reports_both_outcomes() {
    let decision = run(
        &totals(4_999_999, 0),
        &ftz_profile(Some("retail-membership")),
    );
    assert_eq!(decision.outcome, Outcome::Filing);
    assert_eq!(decision.national_outcome, Some(Outcome::Assessment));
    assert_eq!(decision.zone_outcome, Some(Outcome::Filing));
    assert_eq!(
        decision.national_reasons[0].rule,
        "cn-national-2024/assessment-total"
    );
    assert!(decision.unverified);
    assert!(
        decision
            .unverified_figures
            .iter()
            .any(|f| f.starts_with("beijing-ftz-2024/retail-assessment-total")),
        "the unmet assessment line is a figure the decision relies on"
    );
    assert!(decision.obligations.iter().any(|o| o.id == "zone-platform"));
    assert!(
        decision
            .obligations
            .iter()
            .any(|o| o.id == "filing-deadline")
    );
}

#[test]
fn zone_never_tightens_national_outcome() {
    let decision = run(&totals(50_000, 0), &ftz_profile(Some("retail-membership")));
    assert_eq!(decision.outcome, Outcome::Exempt);
    assert_eq!(decision.national_outcome, Some(Outcome::Exempt));
    assert_eq!(decision.zone_outcome, Some(Outcome::Filing));
    assert_eq!(decision.conflicts.len(), 1);
    assert!(decision.conflicts[0].contains("beijing-ftz-2024/retail-filing"));
    assert!(decision.conflicts[0].contains("so the national outcome exempt applies"));
}

#[test]
fn medical_band_edges() {
    let profile = ftz_profile(Some("medical-health"));
    let medical = |count: u64| with_group(totals(count, count), "medical_health", count);
    #[rustfmt::skip]
    let cases = vec![
        // Below the list's lowest line the national rule decides: sensitive data needs filing.
        Case { name: "9,999 people", totals: medical(9_999), outcome: Outcome::Filing, rule: "cn-national-2024/filing-sensitive" },
        Case { name: "10,000 people", totals: medical(10_000), outcome: Outcome::Filing, rule: "beijing-ftz-2024/medical-filing" },
        Case { name: "49,999 people", totals: medical(49_999), outcome: Outcome::Filing, rule: "beijing-ftz-2024/medical-filing" },
        Case { name: "50,000 people", totals: medical(50_000), outcome: Outcome::Assessment, rule: "beijing-ftz-2024/medical-assessment" },
    ];
    check_cases(&profile, cases);
}

#[test]
fn medical_fallback_is_reported() {
    let profile = ftz_profile(Some("medical-health"));
    let decision = run(
        &with_group(totals(9_999, 9_999), "medical_health", 9_999),
        &profile,
    );
    assert_eq!(decision.zone_outcome, None);
    assert_eq!(decision.fallbacks.len(), 1);
    assert!(decision.fallbacks[0].contains("gives no band for scenario medical-health"));
    assert!(decision.fallbacks[0].contains("medical_health 9,999 < 10,000"));
}

#[test]
fn medical_clinical_trial_line_is_verified() {
    let profile = ftz_profile(Some("medical-health"));
    let decision = run(
        &with_group(totals(60_000, 60_000), "medical_health", 60_000),
        &profile,
    );
    let deciding = &decision.reasons[0];
    assert_eq!(deciding.rule, "beijing-ftz-2024/medical-assessment");
    assert!(
        deciding.verified,
        "the 50,000 clinical-trial figure is confirmed"
    );
    assert!(
        decision.unverified,
        "the pack and its other figures are not"
    );
}

#[test]
fn civil_aviation_band_edges() {
    let profile = ftz_profile(Some("civil-aviation-passenger"));
    #[rustfmt::skip]
    let cases = vec![
        // Below 50,000 the list is silent: national, 10,000+ sensitive needs assessment.
        Case { name: "49,999 passengers", totals: totals(49_999, 49_999), outcome: Outcome::Assessment, rule: "cn-national-2024/assessment-sensitive" },
        Case { name: "50,000 passengers", totals: totals(50_000, 50_000), outcome: Outcome::Filing, rule: "beijing-ftz-2024/aviation-filing" },
        Case { name: "4,999,999 passengers", totals: totals(4_999_999, 0), outcome: Outcome::Filing, rule: "beijing-ftz-2024/aviation-filing" },
        Case { name: "5,000,000 passengers", totals: totals(5_000_000, 0), outcome: Outcome::Assessment, rule: "beijing-ftz-2024/aviation-assessment" },
    ];
    check_cases(&profile, cases);
}

#[test]
fn ai_voice_image_band_edges() {
    let profile = ftz_profile(Some("ai-voice-image"));
    let voices = |count: u64| with_group(totals(count, count), "voice_image", count);
    #[rustfmt::skip]
    let cases = vec![
        Case { name: "49,999 people", totals: voices(49_999), outcome: Outcome::Filing, rule: "beijing-ftz-2024/ai-filing" },
        Case { name: "50,000 people", totals: voices(50_000), outcome: Outcome::Assessment, rule: "beijing-ftz-2024/ai-assessment" },
    ];
    check_cases(&profile, cases);
}

#[test]
fn ai_assessment_line_cannot_tighten() {
    // 50,000 people's voices with no sensitive data: national filing, zone assessment.
    let profile = ftz_profile(Some("ai-voice-image"));
    let decision = run(
        &with_group(totals(200_000, 0), "voice_image", 50_000),
        &profile,
    );
    assert_eq!(decision.outcome, Outcome::Filing);
    assert_eq!(decision.rule, "cn-national-2024/filing-total");
    assert_eq!(decision.zone_outcome, Some(Outcome::Assessment));
    assert_eq!(decision.conflicts.len(), 1);
}

#[test]
fn automotive_keeps_national_thresholds() {
    let profile = ftz_profile(Some("automotive"));
    let decision = run(&totals(150_000, 0), &profile);
    assert_eq!(decision.outcome, Outcome::Filing);
    assert_eq!(decision.rule, "cn-national-2024/filing-total");
    assert!(
        decision
            .fallbacks
            .iter()
            .any(|f| f.contains("keeps the national thresholds"))
    );

    let mut video = totals(10, 0);
    video.by_element.insert("exterior_video".to_string(), 10);
    let decision = run(&video, &profile);
    assert_eq!(decision.outcome, Outcome::Assessment);
    assert_eq!(
        decision.rule,
        "beijing-ftz-2024/important-element-exterior_video"
    );
}

#[test]
fn important_data_triggers_of_zone() {
    let profile = ftz_profile(Some("retail-membership"));
    #[rustfmt::skip]
    let cases = vec![
        Case { name: "10,000,000 people", totals: totals(10_000_000, 0), outcome: Outcome::Assessment, rule: "beijing-ftz-2024/important-total" },
        Case { name: "99,999 bank/health", totals: with_group(totals(200_000, 0), "bank_insurance_health", 99_999), outcome: Outcome::Filing, rule: "beijing-ftz-2024/retail-filing" },
        Case { name: "100,000 bank/health", totals: with_group(totals(200_000, 0), "bank_insurance_health", 100_000), outcome: Outcome::Assessment, rule: "beijing-ftz-2024/important-bank-insurance-health" },
    ];
    check_cases(&profile, cases);
}

#[test]
fn zone_triggers_apply_outside_scenarios() {
    let profile = ftz_profile(Some("other"));
    let decision = run(
        &with_group(totals(200_000, 0), "bank_insurance_health", 100_000),
        &profile,
    );
    assert_eq!(decision.outcome, Outcome::Assessment);
    assert_eq!(
        decision.rule,
        "beijing-ftz-2024/important-bank-insurance-health"
    );
}

#[test]
fn group_count_falls_back_to_elements() {
    let mut bank = totals(200_000, 120_000);
    bank.by_element.insert("bank_card".to_string(), 120_000);
    let decision = run(&bank, &ftz_profile(Some("other")));
    assert_eq!(
        decision.rule,
        "beijing-ftz-2024/important-bank-insurance-health"
    );
    let group = &decision.counts.groups["bank_insurance_health"];
    assert_eq!(group.count, 120_000);
    assert!(!group.exact);
    assert!(decision.notes.iter().any(|n| n.contains("lower bound")));
}

#[test]
fn cii_operator_in_zone_follows_national() {
    let profile = Profile {
        cii: true,
        ..ftz_profile(Some("retail-membership"))
    };
    let decision = run(&totals(4_000_000, 0), &profile);
    assert_eq!(decision.outcome, Outcome::Assessment);
    assert_eq!(decision.rule, "cn-national-2024/cii-operator");
    assert_eq!(decision.zone_outcome, None);
    assert!(
        decision
            .fallbacks
            .iter()
            .any(|f| f
                .contains("does not apply to operators of critical information infrastructure"))
    );
}

#[test]
fn cii_holdings_trigger_beats_purpose() {
    let profile = Profile {
        cii: true,
        purpose: Purpose::Contract,
        ..ftz_profile(Some("retail-membership"))
    };
    let held_by_cii = run(&totals(100_000, 0), &profile);
    assert_eq!(held_by_cii.outcome, Outcome::Assessment);
    assert_eq!(held_by_cii.rule, "beijing-ftz-2024/important-cii-holdings");

    let fewer = run(&totals(99_999, 0), &profile);
    assert_eq!(fewer.outcome, Outcome::Exempt);

    let not_cii = Profile {
        cii: false,
        ..profile
    };
    let decision = run(&totals(100_000, 0), &not_cii);
    assert_eq!(
        decision.outcome,
        Outcome::Exempt,
        "the trigger applies only to CII operators"
    );
}

#[test]
fn zone_handler_with_unlisted_scenario() {
    for scenario in [None, Some("other")] {
        let decision = run(&totals(4_000_000, 0), &ftz_profile(scenario));
        assert_eq!(decision.outcome, Outcome::Assessment, "{scenario:?}");
        assert_eq!(
            decision.rule, "cn-national-2024/assessment-total",
            "{scenario:?}"
        );
        assert_eq!(
            decision.national_outcome,
            Some(Outcome::Assessment),
            "{scenario:?}"
        );
        assert_eq!(decision.zone_outcome, None, "{scenario:?}");
        assert_eq!(decision.fallbacks.len(), 1, "{scenario:?}");
        assert!(
            decision.unverified,
            "{scenario:?}: the zone's triggers were still applied"
        );
    }
}

#[test]
fn listed_scenario_without_zone() {
    let profile = Profile {
        scenario: Some("retail-membership".to_string()),
        ..national_profile()
    };
    let decision = run(&totals(4_000_000, 0), &profile);
    assert_eq!(decision.outcome, Outcome::Assessment);
    assert!(decision.fallbacks[0].contains("applies only to handlers registered in its zone"));
    assert!(!decision.unverified);
}

#[test]
fn unknown_scenario_lists_known_ones() {
    let err = decide(
        &totals(10, 0),
        &ftz_profile(Some("retail-loyalty")),
        &rules(),
    )
    .expect_err("unknown scenario is an error");
    let RulesError::UnknownScenario { scenario, known } = &err else {
        panic!("unexpected error: {err}");
    };
    assert_eq!(scenario, "retail-loyalty");
    for id in [
        "retail-membership",
        "medical-health",
        "civil-aviation-passenger",
        "ai-voice-image",
        "automotive",
        "other",
    ] {
        assert!(known.iter().any(|k| k == id), "{id} listed");
    }
    assert!(err.to_string().contains("transfer.scenario"));
}

#[test]
fn unknown_industry_and_mismatch() {
    let mut profile = ftz_profile(Some("retail-membership"));
    profile.industry = Some("mining".to_string());
    let err = decide(&totals(10, 0), &profile, &rules()).expect_err("unknown industry");
    assert!(matches!(err, RulesError::UnknownIndustry { .. }), "{err}");

    profile.industry = Some("medical".to_string());
    let err = decide(&totals(10, 0), &profile, &rules()).expect_err("industry mismatch");
    let message = err.to_string();
    assert!(message.contains("transfer.industry"), "{message}");
    assert!(message.contains("retail-membership"), "{message}");

    profile.industry = Some("retail".to_string());
    assert!(decide(&totals(10, 0), &profile, &rules()).is_ok());
}

#[test]
fn unknown_zone_is_error() {
    let profile = Profile {
        zone: Some("shanghai-ftz".to_string()),
        ..national_profile()
    };
    let err = decide(&totals(10, 0), &profile, &rules()).expect_err("unknown zone");
    let RulesError::UnknownZone { known, .. } = &err else {
        panic!("unexpected error: {err}");
    };
    assert_eq!(known, &["none", "beijing-ftz"]);
}

#[test]
fn superseded_zone_edition_is_refused() {
    let profile = Profile {
        date: date("2026-06-30"),
        ..ftz_profile(Some("retail-membership"))
    };
    let err = decide(&totals(10, 0), &profile, &rules()).expect_err("2024 list superseded");
    let message = err.to_string();
    assert!(message.contains("beijing-2025"), "{message}");
    assert!(message.contains("--rules"), "{message}");

    let last_day = Profile {
        date: date("2026-05-10"),
        ..profile
    };
    assert!(decide(&totals(10, 0), &last_day, &rules()).is_ok());
}

#[test]
fn dates_before_editions_are_refused() {
    let before_national = Profile::national(date("2024-03-21"));
    let err = decide(&totals(10, 0), &before_national, &rules()).expect_err("before 2024 rules");
    assert!(
        err.to_string().contains("takes effect on 2024-03-22"),
        "{err}"
    );

    let before_zone = Profile {
        date: date("2024-08-29"),
        ..ftz_profile(None)
    };
    let err = decide(&totals(10, 0), &before_zone, &rules()).expect_err("before the FTZ list");
    assert!(err.to_string().contains("beijing-ftz"), "{err}");
}

#[test]
fn headroom_to_next_band() {
    let decision = run(
        &totals(4_812_337, 0),
        &ftz_profile(Some("retail-membership")),
    );
    let total = decision
        .headroom
        .iter()
        .find(|h| h.metric == "total")
        .expect("headroom on total");
    assert_eq!(total.count, 4_812_337);
    assert_eq!(total.threshold, 5_000_000);
    assert_eq!(total.more, 187_663);
    assert_eq!(total.outcome, Outcome::Assessment);
    assert_eq!(total.rule, "beijing-ftz-2024/retail-assessment-total");
    let text = decision.render_text();
    assert!(
        text.contains(
            "4,812,337 of 5,000,000: 187,663 more people this year require a security assessment"
        ),
        "{text}"
    );
}

#[test]
fn headroom_lists_each_stricter_outcome() {
    let decision = run(&totals(30_000, 0), &national_profile());
    let entries: Vec<(&str, u64, Outcome)> = decision
        .headroom
        .iter()
        .map(|h| (h.metric.as_str(), h.more, h.outcome))
        .collect();
    assert_eq!(
        entries,
        [
            ("total", 70_000, Outcome::Filing),
            ("total", 970_000, Outcome::Assessment),
            ("sensitive", 1, Outcome::Filing),
            ("sensitive", 10_000, Outcome::Assessment),
        ]
    );
}

#[test]
fn headroom_skips_lines_that_cannot_tighten() {
    // Civil aviation, 30,000 passengers without sensitive data: the zone's 50,000 filing line
    // would be stricter than national exempt, so the next change is national filing at 100,000.
    let decision = run(
        &totals(30_000, 0),
        &ftz_profile(Some("civil-aviation-passenger")),
    );
    assert_eq!(decision.outcome, Outcome::Exempt);
    let total = decision
        .headroom
        .iter()
        .find(|h| h.metric == "total")
        .expect("headroom on total");
    assert_eq!(total.threshold, 100_000);
    assert_eq!(total.outcome, Outcome::Filing);
    assert_eq!(total.rule, "cn-national-2024/filing-total");
}

#[test]
fn id_number_reading_is_reported() {
    let mut ids = totals(50_000, 5);
    ids.sensitive_id_number_only = 5;
    let decision = run(&ids, &national_profile());
    assert_eq!(decision.outcome, Outcome::Filing);
    assert!(
        decision
            .notes
            .iter()
            .any(|n| n.contains("5 people, included in the sensitive count"))
    );
    assert!(
        decision
            .notes
            .iter()
            .any(|n| n.contains("With id_number_sensitive = false") && n.contains("outcome exempt")),
        "{:?}",
        decision.notes
    );

    let profile = Profile {
        id_number_sensitive: false,
        ..national_profile()
    };
    let mut not_counted = totals(50_000, 0);
    not_counted.sensitive_id_number_only = 5;
    let decision = run(&not_counted, &profile);
    assert_eq!(decision.outcome, Outcome::Exempt);
    assert!(
        decision
            .notes
            .iter()
            .any(|n| n.contains("not included in the sensitive count"))
    );
    assert!(
        decision
            .notes
            .iter()
            .any(|n| n.contains("With id_number_sensitive = true"))
    );
}

#[test]
fn counting_window_is_calendar_year() {
    let decision = run(&totals(10, 0), &national_profile());
    assert_eq!(decision.counting_window.from, date("2026-01-01"));
    assert_eq!(decision.counting_window.to, date("2026-03-31"));
    assert!(decision.notes[0].contains("from 2026-01-01 to the transfer date 2026-03-31"));
}

#[test]
fn obligations_follow_outcome() {
    let exempt = run(&totals(10, 0), &national_profile());
    let ids: Vec<&str> = exempt.obligations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["separate-consent", "impact-assessment"]);

    let assessment = run(&totals(1_000_000, 0), &national_profile());
    assert!(
        assessment
            .obligations
            .iter()
            .any(|o| o.id == "assessment-validity")
    );

    let nobody = run(&totals(0, 0), &national_profile());
    assert!(nobody.obligations.is_empty());
}

#[test]
fn inconsistent_totals_are_rejected() {
    let err =
        decide(&totals(10, 11), &national_profile(), &rules()).expect_err("sensitive > total");
    assert!(
        err.to_string()
            .contains("sensitive (11) exceeds total (10)"),
        "{err}"
    );
}

#[test]
fn decision_json_has_report_fields() {
    let decision = run(&totals(150_000, 0), &national_profile());
    let json = serde_json::to_value(&decision).expect("decision serializes");
    assert_eq!(json["outcome"], "filing");
    assert_eq!(json["pack"], NATIONAL);
    assert_eq!(json["unverified"], false);
    let reason = &json["reasons"][0];
    assert_eq!(reason["rule"], "cn-national-2024/filing-total");
    assert_eq!(reason["metric"], "total");
    assert_eq!(reason["count"], 150_000);
    assert_eq!(reason["threshold"], 100_000);
    assert!(json["headroom"].is_array());
    assert_eq!(json["profile"]["date"], "2026-03-31");

    let zone = run(&totals(150_000, 0), &ftz_profile(Some("retail-membership")));
    let json = serde_json::to_value(&zone).expect("decision serializes");
    assert_eq!(json["pack"], FTZ);
    assert_eq!(json["national_outcome"], "filing");
    assert_eq!(json["unverified"], true);
}

#[test]
fn zone_none_in_profile_is_national() {
    let profile = Profile {
        zone: Some("none".to_string()),
        ..national_profile()
    };
    let decision = run(&totals(150_000, 0), &profile);
    assert_eq!(decision.packs, [NATIONAL]);
    assert_eq!(decision.national_outcome, None);
}

#[test]
fn cii_rule_named_before_important_data() {
    let profile = Profile {
        cii: true,
        ..national_profile()
    };
    let mut flagged = totals(10, 0);
    flagged.important_data = true;
    let decision = run(&flagged, &profile);
    let rules: Vec<&str> = decision.reasons.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "cn-national-2024/cii-operator",
            "cn-national-2024/important-data"
        ]
    );
}

#[test]
fn headroom_names_deciding_rule() {
    // At 100,000 people both the national filing band and the CII-holdings trigger start;
    // with an exempt purpose only the trigger changes the outcome.
    let profile = Profile {
        cii: true,
        purpose: Purpose::Contract,
        ..ftz_profile(Some("civil-aviation-passenger"))
    };
    let decision = run(&totals(30_000, 0), &profile);
    let total = decision
        .headroom
        .iter()
        .find(|h| h.metric == "total")
        .expect("headroom on total");
    assert_eq!(total.threshold, 100_000);
    assert_eq!(total.outcome, Outcome::Assessment);
    assert_eq!(total.rule, "beijing-ftz-2024/important-cii-holdings");
}

#[test]
fn purpose_reason_reads_as_text() {
    let profile = Profile {
        purpose: Purpose::Hr,
        ..national_profile()
    };
    let text = run(&totals(30_000, 0), &profile).render_text();
    assert!(
        text.contains("purpose hr exempts personal information whatever the volume: exempt"),
        "{text}"
    );
}
