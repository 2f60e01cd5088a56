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
    std::process::exit(exportscan::cli::run(cli));
}
