use clap::Parser;

fn main() {
    let cli = exportscan::cli::Cli::parse();
    let level = match cli.verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        _ => log::LevelFilter::Debug,
    };
    env_logger::Builder::new()
        .filter_level(level)
        .format_timestamp(None)
        .init();
    // A panic inside a reader is caught per file and reported as that file's failure. Its
    // message can quote a cell (a string-slicing panic prints the string), so the hook
    // prints only where it happened.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()));
        log::error!(
            "internal error{}; message withheld",
            location.unwrap_or_default()
        );
    }));
    std::process::exit(exportscan::cli::run(cli));
}
