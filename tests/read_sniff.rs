//! Format sniffing of every shared case file, as the scanner calls it.

mod read_support;

use exportscan::read::Format;
use read_support::{fixture, sniff};

#[test]
fn case_files_sniff_to_their_format() {
    let cases = [
        ("case-01", "input.xlsx", Format::Xlsx),
        ("case-03", "input.csv", Format::Csv),
        ("case-04", "input.csv", Format::Csv),
        ("case-06", "导出数据.txt", Format::Txt),
        ("case-07", "input.csv", Format::Csv),
        ("case-09", "input.xlsx", Format::Xlsx),
        ("case-11", "input.xlsx", Format::Xlsx),
        ("case-11", "legacy.xls", Format::Xls),
        ("case-12", "工资表_加密.xlsx", Format::Xlsx),
        ("case-12", "客户名单.xlsx", Format::Xlsx),
        ("case-12", "只有表头.csv", Format::Csv),
        ("case-12", "正常.csv", Format::Csv),
        ("case-12", "空文件.csv", Format::Csv),
        ("case-14", "input.csv", Format::Csv),
        ("case-16", "input.csv", Format::Csv),
        ("case-19", "input.xlsx", Format::Xlsx),
        ("case-20", "schema_mysql.sql", Format::Sql),
        ("case-20", "schema_oracle.sql", Format::Sql),
        ("case-20", "customer.schema.json", Format::JsonSchema),
    ];
    for (case, name, format) in cases {
        let sniffed = sniff(&fixture(case, name));
        assert_eq!(sniffed.format, format, "{case}/{name}");
        assert_eq!(sniffed.mismatch, None, "{case}/{name}");
    }
}
