//! Schema files: SQL DDL of several dialects and JSON Schema.

mod read_support;

use std::path::PathBuf;

use exportscan::read::{Format, Limits, ReadError, SchemaColumn};
use read_support::{Table, expected, fixture, read_as, read_ok, sniff};

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("temp dir is writable");
    path
}

fn columns(table: &Table) -> &[SchemaColumn] {
    table
        .meta
        .schema_columns
        .as_deref()
        .expect("schema tables carry columns")
}

fn column<'t>(table: &'t Table, name: &str) -> &'t SchemaColumn {
    columns(table)
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("column {name} missing"))
}

fn expected_columns(file: &str) -> Vec<String> {
    let case = expected("case-20");
    let entry = &case["files"][file];
    let map = entry["columns"]
        .as_object()
        .or_else(|| entry["properties"].as_object())
        .expect("column map");
    map.keys().cloned().collect()
}

#[test]
fn mysql_ddl_with_comments() {
    let path = fixture("case-20", "schema_mysql.sql");
    assert_eq!(sniff(&path).format, Format::Sql);
    let (file, collect) = read_ok(&path);
    assert_eq!(collect.tables.len(), 1);
    let table = collect.table("t_ry_jbxx");
    assert!(table.items.is_empty());
    let mut names: Vec<String> = columns(table).iter().map(|c| c.name.clone()).collect();
    assert_eq!(names.first().map(String::as_str), Some("RYBH"));
    names.sort();
    let mut expected_names = expected_columns("schema_mysql.sql");
    expected_names.sort();
    assert_eq!(names, expected_names);
    assert_eq!(column(table, "XM").comment.as_deref(), Some("姓名"));
    assert_eq!(column(table, "SFZH").comment, None);
    assert_eq!(column(table, "SFZH").data_type.as_deref(), Some("char(18)"));
    assert_eq!(column(table, "ZDMC").comment.as_deref(), Some("诊断名称"));
    assert!(file.notes.iter().any(|n| n.contains("人员基本信息")));
}

#[test]
fn oracle_ddl_with_comment_on() {
    let (_, collect) = read_ok(&fixture("case-20", "schema_oracle.sql"));
    let table = collect.table("T_ZA_DJXX");
    let mut names: Vec<String> = columns(table).iter().map(|c| c.name.clone()).collect();
    assert_eq!(names.first().map(String::as_str), Some("id"));
    names.sort();
    let mut expected_names = expected_columns("schema_oracle.sql");
    expected_names.sort();
    assert_eq!(names, expected_names);
    assert_eq!(
        column(table, "djrxm").comment.as_deref(),
        Some("登记人姓名")
    );
    assert_eq!(
        column(table, "djrsfzh").comment.as_deref(),
        Some("登记人身份证号码")
    );
    assert_eq!(column(table, "djrlxdh").comment, None);
    assert_eq!(
        column(table, "djdwmc").data_type.as_deref(),
        Some("varchar2(120)")
    );
}

#[test]
fn json_schema_nested_properties() {
    let path = fixture("case-20", "customer.schema.json");
    assert_eq!(sniff(&path).format, Format::JsonSchema);
    let (_, collect) = read_ok(&path);
    let table = collect.table("客户");
    assert!(table.items.is_empty());
    let mut names: Vec<String> = columns(table).iter().map(|c| c.name.clone()).collect();
    names.sort();
    let mut expected_names = expected_columns("customer.schema.json");
    expected_names.sort();
    assert_eq!(names, expected_names);
    assert_eq!(
        column(table, "contact.name").comment.as_deref(),
        Some("联系人姓名")
    );
    assert_eq!(column(table, "mobile").comment, None);
    assert_eq!(column(table, "idNo").data_type.as_deref(), Some("string"));
}

#[test]
fn gbk_oracle_script_with_several_tables() {
    let script = "prompt Creating table\ncreate table A_RY\n(\n  XM VARCHAR2(50),\n  SFZH VARCHAR2(18)\n)\ntablespace USERS\n  pctfree 10;\n\
        comment on column A_RY.XM is '姓名';\n\
        create table A_CL (CPH varchar2(10));\ncomment on column A_CL.CPH\n  is '车牌号';\n\
        insert into A_RY values ('张三', '110105198503120011');\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(script);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_temp(&dir, "export.sql", &gbk);
    let (file, collect) = read_ok(&path);
    assert_eq!(file.encoding, Some("gb18030"));
    assert_eq!(collect.tables.len(), 2);
    assert_eq!(
        column(collect.table("A_RY"), "XM").comment.as_deref(),
        Some("姓名")
    );
    assert_eq!(
        column(collect.table("A_CL"), "CPH").comment.as_deref(),
        Some("车牌号")
    );
    assert!(
        file.unread
            .iter()
            .any(|n| n.starts_with("1 INSERT statements"))
    );
}

#[test]
fn sql_without_tables_is_noted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_temp(&dir, "data.sql", b"INSERT INTO t VALUES (1);\n");
    let (file, collect) = read_ok(&path);
    assert!(collect.tables.is_empty());
    assert!(
        file.notes
            .iter()
            .any(|n| n == "no CREATE TABLE statement found")
    );
}

#[test]
fn deep_json_schema_is_an_error_item() {
    let mut schema = String::from(r#"{"title": "deep", "#);
    for _ in 0..40 {
        schema.push_str(r#""properties": {"a": {"type": "object", "#);
    }
    schema.push_str(r#""description": "leaf""#);
    for _ in 0..40 {
        schema.push_str("}}");
    }
    schema.push('}');
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_temp(&dir, "deep.json", schema.as_bytes());
    let (_, collect) = read_ok(&path);
    let table = collect.table("deep");
    assert!(table.rows().is_empty());
    assert!(matches!(table.errors()[..], [ReadError::Limit(_)]));
}

#[test]
fn very_deep_json_is_corrupt_not_a_crash() {
    let schema = format!(
        r#"{{"properties": {}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_temp(&dir, "bomb.json", schema.as_bytes());
    let (result, _) = read_as(&path, Format::JsonSchema, &Limits::default());
    assert!(matches!(result, Err(ReadError::Corrupt(_))), "{result:?}");
}

#[test]
fn definitions_bundle_gives_one_table_each() {
    let schema = r##"{"$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {
            "person": {"properties": {"name": {"type": "string"}, "idNo": {"type": "string"}}},
            "order": {"type": "array", "items": {"properties": {"orderNo": {"type": "string"}}}}
        }}"##;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_temp(&dir, "bundle.json", schema.as_bytes());
    let (_, collect) = read_ok(&path);
    assert_eq!(collect.tables.len(), 2);
    assert_eq!(columns(collect.table("person")).len(), 2);
    assert_eq!(columns(collect.table("order"))[0].name, "orderNo");
}
