//! The files that each layout consists of: their names, formats, tables and columns, and
//! which people each table draws its rows from.

use std::ops::Range;

use super::people::{PersonRequest, Population};
use super::render::{ColumnKind, IdStyle, MobileStyle};
use super::vocab::{FIRST_NON_GBK_GIVEN, REPORT_SUBTITLE, REPORT_TITLE};
use super::{GenerateConfig, Layout};

/// Text encodings the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Gb18030,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Gb18030 => "gb18030",
        }
    }
}

#[derive(Debug, Clone)]
pub enum FileKind {
    Delimited {
        encoding: TextEncoding,
        bom: bool,
        delimiter: u8,
        crlf: bool,
    },
    /// An xlsx workbook; `constant_memory` streams each sheet to a temporary file.
    Workbook { constant_memory: bool },
    /// A plain text file that is not a table.
    Text(String),
}

#[derive(Debug, Clone)]
pub struct FileSpec {
    pub path: String,
    pub kind: FileKind,
    pub tables: Vec<TableSpec>,
}

#[derive(Debug, Clone)]
pub struct ColumnSpec {
    pub header: &'static str,
    pub kind: ColumnKind,
    /// Probability that a cell is left empty.
    pub blank: f64,
    /// Write the value as a numeric cell in workbooks.
    pub number_cell: bool,
}

const fn column(header: &'static str, kind: ColumnKind) -> ColumnSpec {
    ColumnSpec {
        header,
        kind,
        blank: 0.0,
        number_cell: false,
    }
}

const fn number(header: &'static str, kind: ColumnKind) -> ColumnSpec {
    ColumnSpec {
        header,
        kind,
        blank: 0.0,
        number_cell: true,
    }
}

const fn sometimes_blank(header: &'static str, kind: ColumnKind, blank: f64) -> ColumnSpec {
    ColumnSpec {
        header,
        kind,
        blank,
        number_cell: false,
    }
}

/// Source of a table's rows: which people, how many rows, and how many are masked.
#[derive(Debug, Clone)]
pub enum RowPlan {
    /// Each person is included with probability `share` (always when listed in `forced`)
    /// with 1 to `max_repeats` rows; the rows are shuffled.
    Subset {
        share: f64,
        forced: Vec<usize>,
        max_repeats: u32,
    },
    /// `rows` rows, each for a person drawn uniformly from `people`; `masked_share` of
    /// them are written as partial masks.
    Draw {
        rows: u64,
        people: Range<usize>,
        masked_share: f64,
    },
}

#[derive(Debug, Clone)]
pub struct TableSpec {
    pub sheet: Option<String>,
    /// Rows above the header: a title, or an empty string for a blank row.
    pub title_rows: Vec<String>,
    /// 0-based column where the table starts.
    pub first_column: u16,
    pub columns: Vec<ColumnSpec>,
    pub rows: RowPlan,
    /// People whose resident ID this table writes in the legacy 15-digit form.
    pub legacy_id_people: Vec<usize>,
    /// People whose check character `X` this table writes in lower case.
    pub lowercase_x_people: Vec<usize>,
}

impl TableSpec {
    fn new(sheet: Option<&str>, columns: Vec<ColumnSpec>, rows: RowPlan) -> TableSpec {
        TableSpec {
            sheet: sheet.map(str::to_owned),
            title_rows: Vec::new(),
            first_column: 0,
            columns,
            rows,
            legacy_id_people: Vec::new(),
            lowercase_x_people: Vec::new(),
        }
    }
}

/// Master-list requests of the sample layout, by index: two minors, two names outside
/// GBK, IDs with check character X, and people born before 2000 for the legacy form.
pub const SAMPLE_MINORS: [usize; 2] = [0, 5];
const SAMPLE_NON_GBK: [usize; 2] = [1, 2];
const SAMPLE_CHECK_X: [usize; 2] = [3, 6];
const SAMPLE_LEGACY: usize = 4;

/// Returns the people whose properties the layout relies on.
pub fn person_requests(layout: Layout) -> Vec<PersonRequest> {
    if layout != Layout::Sample {
        return Vec::new();
    }
    let mut requests = vec![PersonRequest::default(); 7];
    for index in SAMPLE_MINORS {
        requests[index].minor = true;
    }
    for (offset, index) in SAMPLE_NON_GBK.into_iter().enumerate() {
        requests[index].given_char = Some((FIRST_NON_GBK_GIVEN + offset) as u8);
    }
    for index in SAMPLE_CHECK_X {
        requests[index].check_x = true;
        requests[index].born_before_2000 = true;
    }
    requests[SAMPLE_LEGACY].born_before_2000 = true;
    requests
}

pub fn population(layout: Layout) -> Population {
    match layout {
        Layout::Sample => Population {
            minor_share: 0.06,
            alt_mobile_share: 0.1,
        },
        _ => Population {
            minor_share: 0.04,
            alt_mobile_share: 0.05,
        },
    }
}

/// Returns the files of a layout.
pub fn files(config: &GenerateConfig) -> Vec<FileSpec> {
    // `GenerateConfig::check` has made sure that the other layouts have a row count.
    let rows = config.rows.unwrap_or(0);
    match config.layout {
        Layout::Sample => sample_files(config.people as usize),
        Layout::BenchCsv => vec![bench_csv_file(rows, config.people as usize)],
        Layout::BenchXlsx => vec![bench_xlsx_file(rows, config.people as usize)],
        Layout::Mixed => mixed_files(rows, config.people as usize),
    }
}

fn order_columns() -> Vec<ColumnSpec> {
    vec![
        column("order_no", ColumnKind::OrderNo),
        number("created_at_ms", ColumnKind::CreatedAtMs),
        column("barcode", ColumnKind::Barcode),
        column("customer_name", ColumnKind::Name),
        column("mobile", ColumnKind::OrderMobile(MobileStyle::Mixed)),
        column("shipping_address", ColumnKind::Address),
        number("amount", ColumnKind::Amount),
    ]
}

fn member_columns() -> Vec<ColumnSpec> {
    vec![
        column("姓名", ColumnKind::Name),
        column("身份证号", ColumnKind::ResidentId(IdStyle::Varied)),
        column("手机号", ColumnKind::Mobile(MobileStyle::Plain)),
        column("出生日期", ColumnKind::BirthDate),
        column("性别", ColumnKind::Gender),
        sometimes_blank("电子邮箱", ColumnKind::Email(true), 0.1),
        column("家庭住址", ColumnKind::Address),
    ]
}

fn customer_columns() -> Vec<ColumnSpec> {
    vec![
        column("客户编号", ColumnKind::MemberNo),
        column("姓名", ColumnKind::Name),
        column("手机", ColumnKind::Mobile(MobileStyle::Dashed)),
        column("银行卡号", ColumnKind::BankCard),
    ]
}

fn report_table(sheet: &str, rows: RowPlan) -> TableSpec {
    let columns = vec![
        number("序号", ColumnKind::Serial),
        column("姓名", ColumnKind::Name),
        column("证件号码", ColumnKind::ResidentId(IdStyle::Canonical)),
        column("联系电话", ColumnKind::Mobile(MobileStyle::Spaced)),
        column("诊断", ColumnKind::Diagnosis),
    ];
    let mut table = TableSpec::new(Some(sheet), columns, rows);
    table.title_rows = vec![
        REPORT_TITLE.to_owned(),
        REPORT_SUBTITLE.to_owned(),
        String::new(),
    ];
    table.first_column = 1;
    table
}

fn patient_columns() -> Vec<ColumnSpec> {
    vec![
        column("病历号", ColumnKind::MedicalRecordNo),
        column("姓名", ColumnKind::Name),
        column("身份证号", ColumnKind::ResidentId(IdStyle::Canonical)),
        column("诊断", ColumnKind::Diagnosis),
    ]
}

fn masked_columns() -> Vec<ColumnSpec> {
    vec![
        column("姓名", ColumnKind::Name),
        column("手机号", ColumnKind::Mobile(MobileStyle::Plain)),
        column("身份证号", ColumnKind::ResidentId(IdStyle::Canonical)),
        column("备注", ColumnKind::Remark),
    ]
}

fn bench_columns() -> Vec<ColumnSpec> {
    vec![
        column("订单号", ColumnKind::OrderNo),
        number("下单时间戳", ColumnKind::CreatedAtMs),
        column("商品条码", ColumnKind::Barcode),
        column("商品名称", ColumnKind::Product),
        number("金额", ColumnKind::Amount),
        column("备注", ColumnKind::Remark),
        column("姓名", ColumnKind::Name),
        column("手机号", ColumnKind::OrderMobile(MobileStyle::Mixed)),
        sometimes_blank("身份证号", ColumnKind::ResidentId(IdStyle::Varied), 0.1),
        column("收货地址", ColumnKind::Address),
        sometimes_blank("邮箱", ColumnKind::Email(true), 0.3),
    ]
}

const UTF8_CSV: FileKind = FileKind::Delimited {
    encoding: TextEncoding::Utf8,
    bom: false,
    delimiter: b',',
    crlf: false,
};
const UTF8_BOM_CSV: FileKind = FileKind::Delimited {
    encoding: TextEncoding::Utf8,
    bom: true,
    delimiter: b',',
    crlf: true,
};
const GB18030_CSV: FileKind = FileKind::Delimited {
    encoding: TextEncoding::Gb18030,
    bom: false,
    delimiter: b',',
    crlf: true,
};
const UTF8_TSV: FileKind = FileKind::Delimited {
    encoding: TextEncoding::Utf8,
    bom: false,
    delimiter: b'\t',
    crlf: false,
};

fn subset(share: f64, forced: &[usize], max_repeats: u32) -> RowPlan {
    RowPlan::Subset {
        share,
        forced: forced.to_vec(),
        max_repeats,
    }
}

fn sample_files(people: usize) -> Vec<FileSpec> {
    let mut members = TableSpec::new(None, member_columns(), subset(0.5, &[0, 1, 2, 3, 4, 6], 1));
    members.legacy_id_people = vec![SAMPLE_LEGACY];
    members.lowercase_x_people = SAMPLE_CHECK_X.to_vec();
    vec![
        FileSpec {
            path: "orders.csv".to_owned(),
            kind: UTF8_CSV,
            tables: vec![TableSpec::new(None, order_columns(), subset(0.6, &[], 3))],
        },
        FileSpec {
            path: "会员资料.csv".to_owned(),
            kind: GB18030_CSV,
            tables: vec![members],
        },
        FileSpec {
            path: "workbook.xlsx".to_owned(),
            kind: FileKind::Workbook {
                constant_memory: false,
            },
            tables: vec![
                TableSpec::new(Some("客户"), customer_columns(), subset(0.4, &[], 1)),
                report_table("报表", subset(0.25, &[SAMPLE_MINORS[1]], 1)),
            ],
        },
        FileSpec {
            path: "patients.tsv".to_owned(),
            kind: UTF8_TSV,
            tables: vec![TableSpec::new(
                None,
                patient_columns(),
                subset(0.25, &[SAMPLE_CHECK_X[1]], 1),
            )],
        },
        FileSpec {
            path: "客服记录_脱敏.csv".to_owned(),
            kind: UTF8_BOM_CSV,
            tables: vec![TableSpec::new(
                None,
                masked_columns(),
                RowPlan::Draw {
                    rows: 10,
                    people: 0..people,
                    masked_share: 1.0,
                },
            )],
        },
        FileSpec {
            path: "README.txt".to_owned(),
            kind: FileKind::Text(readme_text()),
            tables: Vec::new(),
        },
    ]
}

fn readme_text() -> String {
    [
        "会员与订单数据导出说明",
        "",
        "本目录为系统导出的样例数据，全部为合成数据，不对应任何真实个人。",
        "orders.csv：电商订单，UTF-8 编码。",
        "会员资料.csv：会员档案，GB18030 编码，Windows 换行。",
        "workbook.xlsx：客户表与门诊随访报表。",
        "patients.tsv：患者登记，制表符分隔。",
        "客服记录_脱敏.csv：客服工单，敏感字段已脱敏。",
        "",
    ]
    .join("\r\n")
}

/// Splits `total` rows by the given weights (in thousandths), giving the remainder to
/// the first share so the parts add up to `total`.
fn split_rows(total: u64, weights: &[u64]) -> Vec<u64> {
    let mut parts: Vec<u64> = weights.iter().map(|weight| total * weight / 1000).collect();
    let assigned: u64 = parts.iter().sum();
    if let Some(first) = parts.first_mut() {
        *first += total - assigned;
    }
    parts
}

/// Returns the people between the fractions `from` and `to` (in thousandths) of the list.
fn window(people: usize, from: usize, to: usize) -> Range<usize> {
    let start = people * from / 1000;
    let end = (people * to / 1000).max(start + 1);
    start..end
}

fn draw(rows: u64, people: Range<usize>) -> RowPlan {
    RowPlan::Draw {
        rows,
        people,
        masked_share: 0.0,
    }
}

fn mixed_files(rows: u64, people: usize) -> Vec<FileSpec> {
    let parts = split_rows(rows, &[300, 150, 100, 100, 120, 50, 50, 80, 50]);
    let members = TableSpec::new(
        None,
        member_columns(),
        draw(parts[1], window(people, 300, 1000)),
    );
    vec![
        FileSpec {
            path: "orders/orders_2024.csv".to_owned(),
            kind: UTF8_CSV,
            tables: vec![TableSpec::new(
                None,
                order_columns(),
                draw(parts[0], window(people, 0, 700)),
            )],
        },
        FileSpec {
            path: "members/会员资料.csv".to_owned(),
            kind: GB18030_CSV,
            tables: vec![members],
        },
        FileSpec {
            path: "members/member_export.tsv".to_owned(),
            kind: UTF8_TSV,
            tables: vec![TableSpec::new(
                None,
                member_columns(),
                draw(parts[2], window(people, 0, 400)),
            )],
        },
        FileSpec {
            path: "clinic/patients.tsv".to_owned(),
            kind: UTF8_TSV,
            tables: vec![TableSpec::new(
                None,
                patient_columns(),
                draw(parts[3], window(people, 500, 800)),
            )],
        },
        FileSpec {
            path: "crm/customers.xlsx".to_owned(),
            kind: FileKind::Workbook {
                constant_memory: true,
            },
            tables: vec![
                TableSpec::new(
                    Some("客户"),
                    customer_columns(),
                    draw(parts[4], window(people, 0, 500)),
                ),
                report_table("随访", draw(parts[5], window(people, 600, 1000))),
            ],
        },
        FileSpec {
            path: "crm/客服记录_脱敏.csv".to_owned(),
            kind: UTF8_BOM_CSV,
            tables: vec![TableSpec::new(
                None,
                masked_columns(),
                RowPlan::Draw {
                    rows: parts[6],
                    people: 0..people,
                    masked_share: 1.0,
                },
            )],
        },
        FileSpec {
            path: "archive/订单归档.xlsx".to_owned(),
            kind: FileKind::Workbook {
                constant_memory: true,
            },
            tables: vec![TableSpec::new(
                Some("订单"),
                bench_columns(),
                draw(parts[7], window(people, 200, 900)),
            )],
        },
        FileSpec {
            path: "archive/订单_GB18030.csv".to_owned(),
            kind: GB18030_CSV,
            tables: vec![TableSpec::new(
                None,
                bench_columns(),
                draw(parts[8], window(people, 100, 1000)),
            )],
        },
    ]
}

fn bench_csv_file(rows: u64, people: usize) -> FileSpec {
    FileSpec {
        path: "orders_bench.csv".to_owned(),
        kind: UTF8_CSV,
        tables: vec![TableSpec::new(
            None,
            bench_columns(),
            RowPlan::Draw {
                rows,
                people: 0..people,
                masked_share: 0.002,
            },
        )],
    }
}

/// Rows per sheet of the xlsx benchmark, below the 1,048,576-row limit of a sheet.
const ROWS_PER_SHEET: u64 = 1_000_000;

fn bench_xlsx_file(rows: u64, people: usize) -> FileSpec {
    let mut tables = Vec::new();
    let mut remaining = rows;
    while remaining > 0 || tables.is_empty() {
        let sheet_rows = remaining.min(ROWS_PER_SHEET);
        let name = format!("数据{}", tables.len() + 1);
        tables.push(TableSpec::new(
            Some(&name),
            bench_columns(),
            RowPlan::Draw {
                rows: sheet_rows,
                people: 0..people,
                masked_share: 0.002,
            },
        ));
        remaining -= sheet_rows;
    }
    FileSpec {
        path: "bench.xlsx".to_owned(),
        kind: FileKind::Workbook {
            constant_memory: true,
        },
        tables,
    }
}
