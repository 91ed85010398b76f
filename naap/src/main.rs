//! The `naap` command line. It only parses flags and wires the crates together: every
//! behaviour lives in a library crate.

mod alert_webhook;
mod allocator;
mod cli;
mod collect;
mod compact;
mod demo;
mod health;
mod ingest;
mod publish;
mod reprocess;
mod rollup;
mod scenario;
mod serve;
mod testload;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("NAAP_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let lake = lakehouse_layout::Lake::open(&cli.lake)?;
    match cli.command {
        Command::Demo(args) => demo::run(lake, args).await,
        Command::Ingest(args) => ingest::run(lake, args).await,
        Command::Rollup(args) => rollup::run(lake, args).await,
        Command::Serve(args) => serve::run(lake, args).await,
        Command::Manifest(args) => {
            let dataset = lakehouse_layout::Dataset::from_name(&args.dataset)?;
            let manifest = lakehouse_layout::Manifest::build(&lake, dataset).await?;
            println!("{}", serde_json::to_string_pretty(&manifest)?);
            Ok(())
        }
        Command::Scenario(command) => scenario::run(lake, command).await,
        Command::Collect(args) => collect::run(lake, args).await,
        Command::Snapshot(args) => publish::snapshot(lake, args).await,
        Command::Verify(args) => publish::verify(args).await,
        Command::Compact(args) => compact::run(lake, args).await,
        Command::Reprocess(args) => reprocess::run(lake, args).await,
    }
}
