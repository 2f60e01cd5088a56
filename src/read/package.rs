//! Size checks of zip packages (.xlsx, .xlsm, .xlsb, .ods) that run before calamine opens
//! them, so that a small file cannot make the process allocate without bound.
//!
//! The checks read the sizes that the central directory declares. The zip crate (9.x)
//! stops reading an entry with an error once it yields more than its declared
//! uncompressed size, so a package that understates its sizes fails to read instead of
//! growing past them.

use std::io::{Read, Seek};

use zip::ZipArchive;

use super::{Limits, ReadError};

/// Entries at least this large (uncompressed) must pass the compression-ratio check.
/// Smaller entries are let through because they cannot cost much memory whatever their
/// ratio; Apache POI's own zip-bomb check skips entries under 100 KB for the same reason,
/// and raised false alarms on small drawing parts that were compressed 100 times.
const RATIO_CHECK_MIN_BYTES: u64 = 100 * 1024 * 1024;

/// Largest accepted ratio of uncompressed to compressed size for large entries. Sheet XML
/// written by spreadsheet programs compresses about 8 to 20 times; deflate cannot exceed
/// about 1032 times, which zip bombs approach.
const MAX_COMPRESSION_RATIO: u64 = 100;

/// Checks the uncompressed sizes that `archive`'s central directory declares: their sum
/// must stay within `limits.max_unpacked_bytes`, and no large entry may be compressed more
/// than `MAX_COMPRESSION_RATIO` times.
pub(crate) fn check_zip_sizes<R: Read + Seek>(
    archive: &ZipArchive<R>,
    limits: &Limits,
) -> Result<(), ReadError> {
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index_data(index) else {
            continue;
        };
        let size = entry.size();
        total = total.saturating_add(size);
        let compressed = entry.compressed_size().max(1);
        if size >= RATIO_CHECK_MIN_BYTES && size / compressed > MAX_COMPRESSION_RATIO {
            let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
            return Err(ReadError::Limit(format!(
                "zip bomb: the part {name} unpacks to {size} bytes from {compressed}, more than {MAX_COMPRESSION_RATIO} times its compressed size; the file is not read"
            )));
        }
    }
    if total > limits.max_unpacked_bytes {
        return Err(ReadError::Limit(format!(
            "the package unpacks to {total} bytes, more than the limit of {} bytes (--max-unpacked-bytes); the file is not read: raise the limit if the file is genuine",
            limits.max_unpacked_bytes
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    fn package(entries: &[(&str, &[u8])]) -> ZipArchive<Cursor<Vec<u8>>> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .expect("entry starts");
            writer.write_all(bytes).expect("entry is written");
        }
        let bytes = writer.finish().expect("archive is finished").into_inner();
        ZipArchive::new(Cursor::new(bytes)).expect("archive opens")
    }

    #[test]
    fn total_size_over_limit_is_rejected() {
        let archive = package(&[("a.xml", &[b'a'; 600]), ("b.xml", &[b'b'; 600])]);
        let limits = Limits {
            max_unpacked_bytes: 1000,
            ..Limits::default()
        };
        let error = check_zip_sizes(&archive, &limits).expect_err("1200 bytes > 1000");
        assert!(matches!(error, ReadError::Limit(_)));
        assert!(error.to_string().contains("1200 bytes"), "{error}");
    }

    #[test]
    fn size_at_limit_passes() {
        let archive = package(&[("a.xml", &[b'a'; 1000])]);
        let limits = Limits {
            max_unpacked_bytes: 1000,
            ..Limits::default()
        };
        assert!(check_zip_sizes(&archive, &limits).is_ok());
    }
}
