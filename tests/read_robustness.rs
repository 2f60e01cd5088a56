//! Damaged inputs: truncated and bit-flipped copies of every case file must give rows or
//! errors, never a panic.

mod read_support;

use exportscan::read::{Format, Limits};
use read_support::{fixture, read_as, sniff};

const CASE_FILES: [(&str, &str); 12] = [
    ("case-01", "input.xlsx"),
    ("case-03", "input.csv"),
    ("case-04", "input.csv"),
    ("case-06", "导出数据.txt"),
    ("case-07", "input.csv"),
    ("case-09", "input.xlsx"),
    ("case-11", "input.xlsx"),
    ("case-11", "legacy.xls"),
    ("case-12", "工资表_加密.xlsx"),
    ("case-19", "input.xlsx"),
    ("case-20", "schema_mysql.sql"),
    ("case-20", "customer.schema.json"),
];

/// Deterministic pseudo-random numbers (64-bit LCG, Knuth's constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn damaged_copies(bytes: &[u8], rng: &mut Lcg) -> Vec<Vec<u8>> {
    let mut copies = Vec::new();
    for cut in [
        1,
        4,
        8,
        30,
        100,
        bytes.len() / 2,
        bytes.len().saturating_sub(1),
    ] {
        copies.push(bytes[..cut.min(bytes.len())].to_vec());
    }
    for flips in [1, 4, 32] {
        for _ in 0..8 {
            let mut copy = bytes.to_vec();
            for _ in 0..flips {
                let at = (rng.next() as usize) % copy.len().max(1);
                if let Some(byte) = copy.get_mut(at) {
                    *byte ^= 1 << (rng.next() % 8);
                }
            }
            copies.push(copy);
        }
    }
    copies
}

#[test]
fn damaged_files_never_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Lcg(0x5EED);
    let limits = Limits {
        max_cells_per_sheet: 1_000_000,
        max_line_bytes: 1024 * 1024,
        ..Limits::default()
    };
    for (case, name) in CASE_FILES {
        let original = std::fs::read(fixture(case, name)).expect("fixture");
        let extension = name.rsplit('.').next().unwrap_or("");
        for (i, copy) in damaged_copies(&original, &mut rng).into_iter().enumerate() {
            let path = dir.path().join(format!("{i}.{extension}"));
            std::fs::write(&path, &copy).expect("temp dir is writable");
            let sniffed = sniff(&path).format;
            for format in [
                sniffed,
                Format::Csv,
                Format::Xlsx,
                Format::Xls,
                Format::Sql,
                Format::JsonSchema,
            ] {
                // Any outcome but a panic is acceptable here.
                let _ = read_as(&path, format, &limits);
            }
        }
    }
}

/// Seconds a reader may take on a named pipe before the test counts it as blocked.
#[cfg(unix)]
const FIFO_TIMEOUT_SECONDS: u64 = 60;

/// Runs `read` on `fifo` in a thread and returns its result, or panics when it has not
/// returned within `FIFO_TIMEOUT_SECONDS`. A blocking open of a named pipe waits for a writer,
/// so the test then opens the pipe for writing to release the thread before it fails.
#[cfg(unix)]
fn with_timeout<T: Send + 'static>(
    fifo: &std::path::Path,
    operation: &str,
    read: impl FnOnce(std::path::PathBuf) -> T + Send + 'static,
) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    let path = fifo.to_path_buf();
    std::thread::spawn(move || {
        let _ = sender.send(read(path));
    });
    let timeout = std::time::Duration::from_secs(FIFO_TIMEOUT_SECONDS);
    match receiver.recv_timeout(timeout) {
        Ok(result) => result,
        Err(_) => {
            let _ = std::fs::OpenOptions::new().write(true).open(fifo);
            panic!("{operation} on a named pipe did not return within {FIFO_TIMEOUT_SECONDS} s");
        }
    }
}

#[cfg(unix)]
fn make_fifo(path: &std::path::Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|status| status.success())
}

/// Every reader rejects a named pipe with an error that names the file, instead of waiting
/// for a writer.
#[cfg(unix)]
#[test]
fn named_pipe_is_rejected_without_blocking() {
    use exportscan::read::chunks;

    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("pipe.csv");
    if !make_fifo(&fifo) {
        eprintln!("skipping named_pipe_is_rejected_without_blocking: mkfifo is not available");
        return;
    }
    let formats = [
        Format::Csv,
        Format::Tsv,
        Format::Txt,
        Format::Xlsx,
        Format::Xlsm,
        Format::Xlsb,
        Format::Xls,
        Format::Ods,
        Format::Sql,
        Format::JsonSchema,
    ];
    for format in formats {
        let (result, collect) =
            with_timeout(&fifo, &format!("read_file as {format:?}"), move |path| {
                read_as(&path, format, &Limits::default())
            });
        let error = result.expect_err("a named pipe is not read").to_string();
        assert!(error.contains("pipe.csv"), "{format:?}: {error}");
        assert!(error.contains("named pipe"), "{format:?}: {error}");
        assert!(collect.tables.is_empty(), "{format:?}: a table was visited");
    }

    let layout = with_timeout(&fifo, "text_layout", |path| {
        chunks::text_layout(&path, Format::Csv).map(|_| ())
    });
    let error = layout.expect_err("a named pipe has no layout").to_string();
    assert!(error.contains("named pipe"), "text_layout: {error}");

    let regular = dir.path().join("regular.csv");
    std::fs::write(&regular, "a,b\n1,2\n").expect("temp dir is writable");
    let layout = chunks::text_layout(&regular, Format::Csv)
        .expect("the regular file is read")
        .expect("a UTF-8 CSV can be split");
    let split_layout = layout.clone();
    let split = with_timeout(&fifo, "split_ranges", move |path| {
        chunks::split_ranges(&path, &split_layout, 4).map(|_| ())
    });
    let error = split.expect_err("a named pipe is not split").to_string();
    assert!(error.contains("named pipe"), "split_ranges: {error}");
    let range = with_timeout(&fifo, "read_range", move |path| {
        chunks::read_range(&path, &layout, (0, 8), &Limits::default(), &mut |_| {})
    });
    let error = range.expect_err("a named pipe is not read").to_string();
    assert!(error.contains("named pipe"), "read_range: {error}");
}
