//! The shipped element pack: every element's samples, the header table from real schema
//! files, linking keys, and packs that must fail to load with a clear error.

use std::path::Path;

use exportscan::pack::{Category, Element, ElementPack, PackError, ValueClass, ValueStrength};

fn pack() -> ElementPack {
    match ElementPack::builtin() {
        Ok(pack) => pack,
        Err(error) => panic!("built-in pack failed to load: {error}"),
    }
}

fn element<'a>(pack: &'a ElementPack, id: &str) -> &'a Element {
    let index = pack
        .index_of(id)
        .unwrap_or_else(|| panic!("element {id} is missing"));
    &pack.elements[index]
}

/// Returns the ids of all header matches, best first.
fn matched_ids<'a>(pack: &'a ElementPack, header: &str) -> Vec<&'a str> {
    pack.match_header(header)
        .iter()
        .map(|m| pack.elements[m.element].id.as_str())
        .collect()
}

fn best_id<'a>(pack: &'a ElementPack, header: &str) -> Option<&'a str> {
    matched_ids(pack, header).first().copied()
}

fn best_score(pack: &ElementPack, header: &str) -> f32 {
    pack.match_header(header).first().map_or(0.0, |m| m.score)
}

// ---- Shipped elements ----

const REQUIRED: [(&str, Category, bool); 22] = [
    ("person_name", Category::Personal, false),
    ("resident_id", Category::Sensitive, true),
    ("passport", Category::Sensitive, true),
    ("travel_permit", Category::Sensitive, true),
    ("mobile_phone", Category::Personal, true),
    ("landline_phone", Category::Personal, false),
    ("email", Category::Personal, true),
    ("address", Category::Personal, false),
    ("birth_date", Category::Personal, false),
    ("gender", Category::Personal, false),
    ("ethnicity", Category::Personal, false),
    ("native_place", Category::Personal, false),
    ("bank_card", Category::Sensitive, true),
    ("member_id", Category::Personal, true),
    ("medical_record_no", Category::Sensitive, true),
    ("diagnosis", Category::Sensitive, false),
    ("licence_plate", Category::Personal, true),
    ("vin", Category::Personal, true),
    ("imei", Category::Personal, false),
    ("ip_address", Category::Personal, false),
    ("geo_location", Category::Sensitive, false),
    ("org_credit_code", Category::Organisation, false),
];

#[test]
fn required_elements_present() {
    let pack = pack();
    for (id, category, linking) in REQUIRED {
        let element = element(&pack, id);
        assert_eq!(element.category, category, "{id} category");
        assert_eq!(element.linking, linking, "{id} linking");
        assert!(!element.name_zh.is_empty(), "{id} name_zh");
        assert!(!element.name_en.is_empty(), "{id} name_en");
    }
}

#[test]
fn element_strengths() {
    let pack = pack();
    let expected = [
        ("resident_id", ValueStrength::Checksum),
        ("bank_card", ValueStrength::Checksum),
        ("vin", ValueStrength::Checksum),
        ("org_credit_code", ValueStrength::Checksum),
        ("imei", ValueStrength::Checksum),
        ("mobile_phone", ValueStrength::Pattern),
        ("landline_phone", ValueStrength::Pattern),
        ("email", ValueStrength::Pattern),
        ("ip_address", ValueStrength::Pattern),
        ("licence_plate", ValueStrength::Pattern),
        ("passport", ValueStrength::Pattern),
        ("travel_permit", ValueStrength::Pattern),
        ("gender", ValueStrength::Pattern),
        ("ethnicity", ValueStrength::Pattern),
        ("geo_location", ValueStrength::Pattern),
        ("birth_date", ValueStrength::Pattern),
        ("person_name", ValueStrength::None),
        ("address", ValueStrength::None),
        ("diagnosis", ValueStrength::None),
        ("native_place", ValueStrength::None),
        ("member_id", ValueStrength::None),
        ("medical_record_no", ValueStrength::None),
    ];
    for (id, strength) in expected {
        assert_eq!(element(&pack, id).strength, strength, "{id}");
    }
}

#[test]
fn every_element_has_samples() {
    for element in &pack().elements {
        let samples = &element.samples;
        assert!(
            !samples.valid.is_empty(),
            "{}: no valid samples",
            element.id
        );
        assert!(
            !samples.masked.is_empty(),
            "{}: no masked samples",
            element.id
        );
        assert!(
            !samples.headers.is_empty(),
            "{}: no sample headers",
            element.id
        );
        if element.strength != ValueStrength::None {
            assert!(
                !samples.invalid.is_empty(),
                "{}: no invalid samples",
                element.id
            );
        }
    }
}

#[test]
fn every_element_has_each_header_script() {
    for element in &pack().elements {
        let headers = &element.headers;
        assert!(
            !headers.zh.is_empty(),
            "{}: no simplified Chinese patterns",
            element.id
        );
        assert!(
            !headers.zh_hant.is_empty(),
            "{}: no traditional Chinese patterns",
            element.id
        );
        assert!(
            !headers.en.is_empty(),
            "{}: no English patterns",
            element.id
        );
        assert!(
            !headers.pinyin.is_empty(),
            "{}: no pinyin patterns",
            element.id
        );
    }
}

#[test]
fn every_sample_classifies_as_listed() {
    let pack = pack();
    for element in &pack.elements {
        let lists = [
            (&element.samples.valid, ValueClass::Valid),
            (&element.samples.invalid, ValueClass::Invalid),
            (&element.samples.masked, ValueClass::Masked),
            (&element.samples.damaged, ValueClass::Damaged),
        ];
        for (values, expected) in lists {
            for value in values {
                assert_eq!(
                    element.classify(value),
                    expected,
                    "{}: sample {value:?}",
                    element.id
                );
            }
        }
    }
}

#[test]
fn every_sample_header_matches_its_element() {
    let pack = pack();
    for element in &pack.elements {
        for header in &element.samples.headers {
            assert_eq!(
                best_id(&pack, header),
                Some(element.id.as_str()),
                "header {header:?}"
            );
        }
        for header in &element.samples.not_headers {
            assert!(
                !matched_ids(&pack, header).contains(&element.id.as_str()),
                "{}: header {header:?}",
                element.id
            );
        }
    }
}

#[test]
fn linking_keys_only_from_valid_values() {
    let pack = pack();
    for element in &pack.elements {
        for value in &element.samples.valid {
            assert_eq!(
                element.link_key(value).is_some(),
                element.linking,
                "{}: {value:?}",
                element.id
            );
        }
        let not_valid = element
            .samples
            .masked
            .iter()
            .chain(&element.samples.invalid)
            .chain(&element.samples.damaged);
        for value in not_valid {
            assert_eq!(element.link_key(value), None, "{}: {value:?}", element.id);
        }
    }
}

#[test]
fn empty_and_placeholder_values() {
    let pack = pack();
    for element in &pack.elements {
        for value in ["", "   ", "NULL", "-", "N/A", "无"] {
            assert_eq!(
                element.classify(value),
                ValueClass::Empty,
                "{}: {value:?}",
                element.id
            );
        }
    }
}

// ---- Values ----

#[test]
fn resident_id_keys_join_both_forms() {
    let pack = pack();
    let id = element(&pack, "resident_id");
    let key = Some("110105198503120119".to_owned());
    assert_eq!(id.link_key("110105198503120119"), key);
    assert_eq!(id.link_key("110105850312011"), key);
    assert_eq!(id.link_key(" 110105198503120119\t"), key);
    assert_eq!(
        id.link_key("44030519781130035x").as_deref(),
        Some("44030519781130035X")
    );
}

#[test]
fn resident_id_damage_and_masks() {
    let pack = pack();
    let id = element(&pack, "resident_id");
    assert_eq!(id.classify("1.10105E+17"), ValueClass::Damaged);
    assert_eq!(id.classify("1.10105e+17"), ValueClass::Damaged);
    assert_eq!(id.classify("310104199007250000"), ValueClass::Damaged);
    assert_eq!(id.classify("110105********0123"), ValueClass::Masked);
    assert_eq!(id.classify("5101072001********"), ValueClass::Masked);
    assert_eq!(id.classify("110105XXXXXXXX0123"), ValueClass::Masked);
    assert_eq!(id.classify("51010720010209018X"), ValueClass::Valid);
    assert_eq!(id.classify("110105198503120118"), ValueClass::Invalid);
}

#[test]
fn mobile_keys_join_written_forms() {
    let pack = pack();
    let mobile = element(&pack, "mobile_phone");
    for raw in [
        "+86 139 0000 1401",
        "0086-139-0000-1401",
        "86 13900001401",
        "(+86)13900001401",
        "１３９００００１４０１",
        "13900001401.0",
        "8613900001401",
        "139-0000-1401",
    ] {
        assert_eq!(
            mobile.link_key(raw).as_deref(),
            Some("13900001401"),
            "{raw}"
        );
    }
    assert_eq!(mobile.classify("1700000000000"), ValueClass::Invalid);
    assert_eq!(mobile.classify("139****1601"), ValueClass::Masked);
    assert_eq!(mobile.classify("139-XXXX-1603"), ValueClass::Masked);
    assert_eq!(mobile.classify("1.39E+10"), ValueClass::Damaged);
}

#[test]
fn other_linking_keys_normalised() {
    let pack = pack();
    let cases = [
        ("email", " Zhang.San@Example.COM ", "zhang.san@example.com"),
        (
            "bank_card",
            "6222 0210 0000 0000 017",
            "6222021000000000017",
        ),
        ("passport", "e 1234 5678", "E12345678"),
        ("travel_permit", "h1234-5678", "H12345678"),
        ("licence_plate", "京a·12345", "京A12345"),
        ("vin", " lsvau218xn2183294 ", "LSVAU218XN2183294"),
        ("member_id", "  m20240001 ", "M20240001"),
        ("medical_record_no", "zy-0012345", "ZY-0012345"),
    ];
    for (id, raw, key) in cases {
        assert_eq!(
            element(&pack, id).link_key(raw).as_deref(),
            Some(key),
            "{id}: {raw:?}"
        );
    }
}

#[test]
fn non_linking_elements_give_no_key() {
    let pack = pack();
    assert_eq!(
        element(&pack, "landline_phone").link_key("010-60001402"),
        None
    );
    assert_eq!(element(&pack, "person_name").link_key("张三"), None);
    assert_eq!(element(&pack, "imei").link_key("490154203237518"), None);
}

#[test]
fn birth_dates_from_ids_and_dates() {
    let pack = pack();
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let id = element(&pack, "resident_id");
    assert_eq!(id.birth_date("110105198503120119"), date(1985, 3, 12));
    assert_eq!(id.birth_date("110105850312011"), date(1985, 3, 12));
    assert_eq!(id.birth_date("110105********0123"), None);
    assert_eq!(id.birth_date("110105198503120118"), None);
    let birth = element(&pack, "birth_date");
    assert_eq!(birth.birth_date("1990年7月25日"), date(1990, 7, 25));
    assert_eq!(birth.birth_date("19900725"), date(1990, 7, 25));
    assert_eq!(birth.birth_date("1990-02-30"), None);
    assert_eq!(
        element(&pack, "mobile_phone").birth_date("13900001401"),
        None
    );
}

#[test]
fn vin_check_digit_rule() {
    let pack = pack();
    let vin = element(&pack, "vin");
    let chinese = vin.check("LSVAU218XN2183294");
    assert_eq!(chinese.class, ValueClass::Valid);
    assert_eq!(chinese.strength, ValueStrength::Checksum);
    assert_eq!(vin.classify("LSVAU2180N2183294"), ValueClass::Invalid);
    let foreign = vin.check("WVWZZZ1JZ3W386752");
    assert_eq!(foreign.class, ValueClass::Valid);
    assert_eq!(foreign.strength, ValueStrength::Pattern);
}

#[test]
fn vocabulary_codes_prove_nothing() {
    let pack = pack();
    let gender = element(&pack, "gender");
    assert_eq!(gender.check("男").strength, ValueStrength::Pattern);
    assert_eq!(gender.check("1").class, ValueClass::Valid);
    assert_eq!(gender.check("1").strength, ValueStrength::None);
    let ethnicity = element(&pack, "ethnicity");
    assert_eq!(ethnicity.check("汉族").strength, ValueStrength::Pattern);
    assert_eq!(ethnicity.check("01").strength, ValueStrength::None);
    assert_eq!(ethnicity.classify("火星族"), ValueClass::Invalid);
}

#[test]
fn header_only_elements_accept_text() {
    let pack = pack();
    for id in ["person_name", "address", "diagnosis", "native_place"] {
        let element = element(&pack, id);
        assert_eq!(element.classify("任意文本"), ValueClass::Valid, "{id}");
        assert_eq!(element.classify("张*"), ValueClass::Masked, "{id}");
        assert_eq!(element.classify(""), ValueClass::Empty, "{id}");
    }
}

// ---- Headers ----

/// Headers from real schema files and spreadsheets with the element they must match first.
const HEADER_TABLE: &[(&str, &str)] = &[
    ("XM", "person_name"),
    ("XM 姓名", "person_name"),
    ("SFZH", "resident_id"),
    ("XBM", "gender"),
    ("XBM 性别码", "gender"),
    ("CSRQ", "birth_date"),
    ("MZM", "ethnicity"),
    ("MZM 民族码", "ethnicity"),
    ("JG", "native_place"),
    ("TXDZ", "address"),
    ("CPH", "licence_plate"),
    ("CPH 车牌号", "licence_plate"),
    ("CLSBDH", "vin"),
    ("CLSBDH 车辆识别代号", "vin"),
    ("ZDMC", "diagnosis"),
    ("ZDMC 诊断名称", "diagnosis"),
    ("djrxm", "person_name"),
    ("djrxm 登记人姓名", "person_name"),
    ("djrsfzh", "resident_id"),
    ("djrsfzh 登记人身份证号码", "resident_id"),
    ("idNo", "resident_id"),
    ("idNo 证件号码", "resident_id"),
    ("mobile", "mobile_phone"),
    ("plateNo", "licence_plate"),
    ("plateNo 车牌号", "licence_plate"),
    ("vin", "vin"),
    ("vin 车架号", "vin"),
    ("name", "person_name"),
    ("contact.name 联系人姓名", "person_name"),
    ("addr", "address"),
    ("contact.addr 详细地址", "address"),
    ("custNo", "member_id"),
    ("custNo 客户编号", "member_id"),
    ("联系电话（必填）", "mobile_phone"),
    ("联系电话(必填)", "mobile_phone"),
    ("家庭\n住址", "address"),
    ("身份证号码", "resident_id"),
    ("身分證字號", "resident_id"),
    ("證件號碼", "resident_id"),
    ("联系方式", "mobile_phone"),
    ("备用电话", "landline_phone"),
    ("IP地址", "ip_address"),
    ("邮箱地址", "email"),
    ("联系人姓名", "person_name"),
    ("姓名", "person_name"),
    ("手机号", "mobile_phone"),
    ("银行卡号", "bank_card"),
    ("身份证号", "resident_id"),
];

/// Headers that must match no element at all.
const NO_MATCH: &[&str] = &[
    "RYBH",
    "RYBH 人员编号",
    "ZT",
    "ZT 状态",
    "id",
    "djsj",
    "djsj 登记时间",
    "djdwmc",
    "djdwmc 登记单位名称",
    "登记单位名称",
    "orderNo",
    "orderNo 订单号",
    "订单号",
    "序号",
    "备注",
    "acid_level",
    "email_verified",
    "has_email",
    "email_count",
    "手机号是否验证",
    "",
    "   ",
];

#[test]
fn header_table_best_matches() {
    let pack = pack();
    for (header, id) in HEADER_TABLE {
        assert_eq!(
            best_id(&pack, header),
            Some(*id),
            "header {header:?}: {:?}",
            matched_ids(&pack, header)
        );
    }
}

#[test]
fn headers_without_element() {
    let pack = pack();
    for header in NO_MATCH {
        assert_eq!(
            matched_ids(&pack, header),
            Vec::<&str>::new(),
            "header {header:?}"
        );
    }
}

#[test]
fn phone_headers_offer_both_kinds() {
    let pack = pack();
    for header in ["LXDH", "LXDH 联系电话", "djrlxdh", "电话", "联系电话"] {
        let ids = matched_ids(&pack, header);
        let best = ids.first().copied();
        assert!(
            matches!(best, Some("mobile_phone" | "landline_phone")),
            "{header:?}: {ids:?}"
        );
    }
    assert!(matched_ids(&pack, "电话").contains(&"mobile_phone"));
    assert!(matched_ids(&pack, "电话").contains(&"landline_phone"));
    assert!(matched_ids(&pack, "联系电话").contains(&"landline_phone"));
}

#[test]
fn header_scores_rank_match_kinds() {
    let pack = pack();
    assert_eq!(best_score(&pack, "XM"), 1.0);
    assert_eq!(best_score(&pack, "身份证号码"), 1.0);
    assert_eq!(best_score(&pack, "id_card_no"), 1.0);
    let token = best_score(&pack, "customer_mobile");
    let role = best_score(&pack, "djrsfzh");
    let native = best_score(&pack, "JG");
    assert!(token < 1.0, "token match {token}");
    assert!(role < token, "role prefix {role} vs token {token}");
    assert!(native > 0.0, "JG {native}");
    assert!(native < 1.0, "JG {native}");
    assert!(best_score(&pack, "申请人姓名") < 1.0);
}

#[test]
fn longest_chinese_pattern_wins() {
    let pack = pack();
    assert!(!matched_ids(&pack, "IP地址").contains(&"address"));
    assert!(!matched_ids(&pack, "邮箱地址").contains(&"address"));
    assert!(!matched_ids(&pack, "会员卡号").contains(&"bank_card"));
    assert_eq!(best_id(&pack, "收货人地址"), Some("address"));
    let phone = matched_ids(&pack, "收货人电话");
    assert!(
        matches!(phone.first(), Some(&"landline_phone" | &"mobile_phone")),
        "{phone:?}"
    );
}

#[test]
fn whole_tokens_only() {
    let pack = pack();
    assert_eq!(best_id(&pack, "acid_level"), None);
    assert_eq!(best_id(&pack, "xmlid"), None);
    assert_eq!(best_id(&pack, "vinyl"), None);
    assert_eq!(best_id(&pack, "mobile_no"), Some("mobile_phone"));
    assert_eq!(best_id(&pack, "MobilePhone"), Some("mobile_phone"));
    assert_eq!(best_id(&pack, "mobilephone"), Some("mobile_phone"));
    assert_eq!(best_id(&pack, "ID_CARD_NO"), Some("resident_id"));
    assert_eq!(best_id(&pack, "idcardno"), Some("resident_id"));
}

// ---- Broken packs ----

const MINIMAL_ELEMENT: &str = r#"
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
valid = ["EMP123456", "emp654321"]
invalid = ["EMP12345"]
masked = ["EMP***456"]
headers = ["工牌号", "badgeNo"]
"#;

fn write_pack(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write pack file");
    }
    dir
}

fn load_error(files: &[(&str, &str)]) -> PackError {
    let dir = write_pack(files);
    match ElementPack::load_dir(dir.path()) {
        Ok(_) => panic!("pack loaded but should fail"),
        Err(error) => error,
    }
}

/// Returns the file name, element and message of an element error.
fn element_error(error: &PackError) -> (String, String, String) {
    match error {
        PackError::Element {
            file,
            element,
            message,
        } => {
            let name = Path::new(file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, element.clone(), message.clone())
        }
        other => panic!("expected an element error, got {other}"),
    }
}

#[test]
fn user_pack_loads_and_classifies() {
    let dir = write_pack(&[
        ("badge.toml", MINIMAL_ELEMENT),
        ("notes.txt", "not a pack file"),
    ]);
    let pack = ElementPack::load_dir(dir.path()).expect("minimal pack loads");
    assert_eq!(pack.elements.len(), 1);
    let badge = &pack.elements[0];
    assert_eq!(badge.strength, ValueStrength::Pattern);
    assert_eq!(badge.link_key("emp123456").as_deref(), Some("EMP123456"));
    assert_eq!(best_id(&pack, "badge_no"), Some("badge_no"));
}

#[test]
fn broken_toml_names_file() {
    let error = load_error(&[("broken.toml", "[[element]\nid = ")]);
    match &error {
        PackError::Invalid { file, message } => {
            assert!(file.ends_with("broken.toml"), "{file}");
            assert!(message.contains("invalid TOML"), "{message}");
        }
        other => panic!("expected invalid file, got {other}"),
    }
}

#[test]
fn unknown_validator_names_element() {
    let text = MINIMAL_ELEMENT.replace(
        "normaliser = \"upper\"",
        "normaliser = \"upper\"\nvalidator = \"badge\"",
    );
    let error = load_error(&[("badge.toml", &text)]);
    let (file, element, message) = element_error(&error);
    assert_eq!(file, "badge.toml");
    assert_eq!(element, "badge_no");
    assert!(message.contains("unknown validator `badge`"), "{message}");
    assert!(
        message.contains("resident_id"),
        "lists known validators: {message}"
    );
}

#[test]
fn unknown_normaliser_names_element() {
    let text = MINIMAL_ELEMENT.replace("normaliser = \"upper\"", "normaliser = \"shout\"");
    let (_, element, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert_eq!(element, "badge_no");
    assert!(message.contains("unknown normaliser `shout`"), "{message}");
}

#[test]
fn invalid_regex_names_element() {
    let text = MINIMAL_ELEMENT.replace("'(?-u)^EMP[0-9]{6}$'", "'^EMP[0-9'");
    let (file, element, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert_eq!(file, "badge.toml");
    assert_eq!(element, "badge_no");
    assert!(message.contains("invalid pattern"), "{message}");
}

#[test]
fn duplicate_id_names_both_files() {
    let error = load_error(&[("a.toml", MINIMAL_ELEMENT), ("b.toml", MINIMAL_ELEMENT)]);
    let (file, element, message) = element_error(&error);
    assert_eq!(file, "b.toml");
    assert_eq!(element, "badge_no");
    assert!(message.contains("duplicate element id"), "{message}");
    assert!(message.contains("a.toml"), "{message}");
}

#[test]
fn failing_sample_names_element_not_value() {
    let text = MINIMAL_ELEMENT.replace(
        "valid = [\"EMP123456\", \"emp654321\"]",
        "valid = [\"EMP123456\", \"XYZ999\"]",
    );
    let (file, element, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert_eq!(file, "badge.toml");
    assert_eq!(element, "badge_no");
    assert!(message.contains("valid[1]"), "{message}");
    assert!(message.contains("Invalid"), "{message}");
    assert!(
        !message.contains("XYZ999"),
        "sample value must not appear: {message}"
    );
}

#[test]
fn failing_sample_header_names_element() {
    let text = MINIMAL_ELEMENT.replace(
        "headers = [\"工牌号\", \"badgeNo\"]",
        "headers = [\"工牌号\", \"手机号\"]",
    );
    let (_, element, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert_eq!(element, "badge_no");
    assert!(message.contains("手机号"), "{message}");
}

#[test]
fn unknown_field_names_element() {
    let text = MINIMAL_ELEMENT.replace("linking = true", "linking = true\nlinkage = true");
    let (_, element, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert_eq!(element, "badge_no");
    assert!(message.contains("linkage"), "{message}");
}

#[test]
fn bad_category_names_element() {
    let text = MINIMAL_ELEMENT.replace("category = \"personal\"", "category = \"secret\"");
    let (_, element, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert_eq!(element, "badge_no");
    assert!(message.contains("secret"), "{message}");
}

#[test]
fn linking_without_normaliser_fails() {
    let text = MINIMAL_ELEMENT.replace("normaliser = \"upper\"\n", "");
    let (_, element, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert_eq!(element, "badge_no");
    assert!(message.contains("normaliser"), "{message}");
}

#[test]
fn bad_element_id_fails() {
    let text = MINIMAL_ELEMENT.replace("id = \"badge_no\"", "id = \"Badge No\"");
    let (_, element, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert_eq!(element, "Badge No");
    assert!(message.contains("lowercase"), "{message}");
}

#[test]
fn element_without_id_is_numbered() {
    let text = MINIMAL_ELEMENT.replace("id = \"badge_no\"\n", "");
    let (_, element, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert_eq!(element, "#1 (no id)");
    assert!(message.contains("id"), "{message}");
}

#[test]
fn misplaced_header_patterns_fail() {
    let text = MINIMAL_ELEMENT.replace("zh = [\"工牌号\"]", "zh = [\"badge\"]");
    let (_, _, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert!(message.contains("no Chinese characters"), "{message}");
    let text = MINIMAL_ELEMENT.replace(
        "en = [\"badge no\"]",
        "en = [\"badge no\"]\npinyin = [\"GP1\"]",
    );
    let (_, _, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert!(message.contains("pinyin code"), "{message}");
}

#[test]
fn vocabulary_needs_its_validator() {
    let text = MINIMAL_ELEMENT.replace("linking = true", "linking = true\nvocabulary = [\"A\"]");
    let (_, _, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert!(message.contains("vocabulary"), "{message}");
    let text = MINIMAL_ELEMENT.replace(
        "linking = true",
        "linking = true\nvalidator = \"vocabulary\"",
    );
    let (_, _, message) = element_error(&load_error(&[("badge.toml", &text)]));
    assert!(message.contains("vocabulary"), "{message}");
}

#[test]
fn element_must_be_array_of_tables() {
    let error = load_error(&[("odd.toml", "element = \"resident_id\"\n")]);
    assert!(
        matches!(&error, PackError::Invalid { file, .. } if file.ends_with("odd.toml")),
        "{error}"
    );
    let error = load_error(&[("odd.toml", "[elements]\nid = \"x\"\n")]);
    assert!(
        error.to_string().contains("unknown table `elements`"),
        "{error}"
    );
}

#[test]
fn multi_word_exclude_token_fails() {
    let text = format!("[header_rules]\nexclude_tokens = [\"bank name\"]\n{MINIMAL_ELEMENT}");
    let error = load_error(&[("badge.toml", &text)]);
    assert!(error.to_string().contains("bank name"), "{error}");
}

#[test]
fn empty_directory_fails() {
    let error = load_error(&[("readme.txt", "no packs here")]);
    assert!(
        matches!(&error, PackError::Invalid { message, .. } if message.contains("no *.toml")),
        "{error}"
    );
}

#[test]
fn missing_directory_fails() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let missing = dir.path().join("absent");
    let error = ElementPack::load_dir(&missing).expect_err("missing directory fails");
    assert!(
        matches!(&error, PackError::Io { path, .. } if path.ends_with("absent")),
        "{error}"
    );
}

#[test]
fn file_without_elements_fails() {
    let error = load_error(&[("rules.toml", "[header_rules]\nrole_prefixes = [\"djr\"]\n")]);
    assert!(
        error.to_string().contains("no [[element]] tables"),
        "{error}"
    );
}

#[test]
fn shipped_files_load_from_directory() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns/elements");
    let pack = ElementPack::load_dir(&dir).expect("shipped directory loads");
    assert_eq!(pack.elements.len(), self::pack().elements.len());
}

// ---- Robustness ----

/// Characters that exercise byte boundaries and every validator's alphabet.
const ALPHABET: &[char] = &[
    '0', '1', '3', '8', '9', 'X', 'x', 'E', 'L', 'a', '*', '+', '-', '.', '(', ')', ' ', '@', '年',
    '月', '日', '京', '族', '１', '＋', 'é', '·', ',', 'e', ':', 'T', '转',
];

/// Generates deterministic pseudo-random strings (xorshift64) over `ALPHABET`.
fn arbitrary_strings(count: usize) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = (next() % 24) as usize;
            (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[test]
fn arbitrary_text_never_panics() {
    let pack = pack();
    for text in arbitrary_strings(3000) {
        for element in &pack.elements {
            let class = element.classify(&text);
            let key = element.link_key(&text);
            assert!(
                key.is_none() || class == ValueClass::Valid,
                "{}: key from {class:?}",
                element.id
            );
            let _ = element.birth_date(&text);
        }
        let _ = pack.match_header(&text);
    }
}
