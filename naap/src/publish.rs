//! `naap snapshot` and `naap verify`: publish a snapshot, and check one.

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use lakehouse_layout::{
    Dataset, InputSnapshot, Lake, SNAPSHOT_CHECKSUM, SNAPSHOT_MANIFEST, SNAPSHOTS_DIR, SnapshotManifest,
};
use sql::rollup::ReferenceData;
use sql::snapshot::{DEFAULT_OUTPUTS, SnapshotOptions};

use crate::cli::{SnapshotArgs, SnapshotVerifyArgs};

const HOUR_MS: i64 = 3_600_000;

pub(crate) fn parse_time(text: &str, flag: &str) -> anyhow::Result<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .with_context(|| format!("{flag} {text:?} is not an RFC 3339 time such as 2026-01-08T14:00:00Z"))
}

pub(crate) async fn snapshot(lake: Lake, args: SnapshotArgs) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    let to_ms = match &args.to {
        Some(text) => parse_time(text, "--to")?,
        None => now / HOUR_MS * HOUR_MS,
    };
    let from_ms = match &args.from {
        Some(text) => parse_time(text, "--from")?,
        None => to_ms - 24 * HOUR_MS,
    };
    let outputs = if args.datasets.is_empty() {
        DEFAULT_OUTPUTS.to_vec()
    } else {
        args.datasets
            .iter()
            .map(|name| Dataset::from_name(name))
            .collect::<Result<Vec<_>, _>>()?
    };
    // The configuration the gold data was computed with, as the last rollup run recorded it.
    let recorded = InputSnapshot::load(&lake)
        .await?
        .map(|s| s.reference)
        .unwrap_or_default();
    let reference = ReferenceData::from_fingerprint(&recorded).map_err(anyhow::Error::msg)?;
    let options = SnapshotOptions {
        from_ms,
        to_ms,
        outputs,
        reference,
        created_ms: now,
    };
    let (store, dir) = match &args.out {
        Some(out) => (Lake::open(out)?, String::new()),
        None => (lake.clone(), SNAPSHOTS_DIR.to_string()),
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("snapshot [{bar:30}] {pos}/{len} file steps ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let manifest = sql::snapshot::publish(&lake, &store, &dir, &options, &|done, all| {
        bar.set_length(all);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    let where_ = match &args.out {
        Some(out) => format!("{}/{}", out.trim_end_matches('/'), manifest.id),
        None => format!(
            "{}/{SNAPSHOTS_DIR}/{}",
            lake.location().trim_end_matches('/'),
            manifest.id
        ),
    };
    println!(
        "snapshot {} ({} to {}) at {where_}",
        manifest.id, manifest.from, manifest.to
    );
    for d in &manifest.datasets {
        println!(
            "  {:<7} {:<26} {:>9} rows in {} files",
            format!("{:?}", d.role).to_lowercase(),
            d.name,
            d.rows,
            d.files.len()
        );
    }
    if manifest.files().next().is_none() {
        eprintln!("warning: the range holds no data; the snapshot is empty");
    }
    Ok(())
}

pub(crate) async fn verify(args: SnapshotVerifyArgs) -> anyhow::Result<()> {
    let location = &args.snapshot;
    // An HTTP API URL is downloaded first: the same checks then run on the local copy.
    let _download;
    let snapshot = if location.starts_with("http://") || location.starts_with("https://") {
        let dir = tempfile::tempdir().context("cannot create a download folder")?;
        download(location, dir.path()).await?;
        let lake = Lake::open(dir.path().to_str().context("download folder is not UTF-8")?)?;
        _download = dir;
        lake
    } else {
        Lake::open(location)?
    };
    let report = sql::verify::verify(&snapshot).await?;
    for rollup in &report.sql_differs_from_this_version {
        println!("note: the snapshot's SQL of {rollup} differs from this naap version's; the snapshot's ran");
    }
    for problem in &report.problems {
        println!("problem: {problem}");
    }
    if let Some(current) = &report.under_current_sql {
        // Informational: the snapshot is verified under its own SQL.
        println!(
            "under this naap version's SQL: {} reproduced{}",
            if current.reproduced.is_empty() {
                "nothing".to_string()
            } else {
                current.reproduced.join(", ")
            },
            if current.differs.is_empty() {
                String::new()
            } else {
                format!("; {} differ", current.differs.len())
            }
        );
        for difference in &current.differs {
            println!("under this naap version's SQL: {difference}");
        }
    }
    println!("{}", sql::verify::summary(&report));
    if !report.ok() {
        anyhow::bail!("snapshot {} does not verify", report.id);
    }
    Ok(())
}

/// Downloads a snapshot served at `url` (`…/v1/snapshots/ID`) into `dir`.
async fn download(url: &str, dir: &std::path::Path) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let base = url.trim_end_matches('/');
    let fetch = |path: String| {
        let client = client.clone();
        async move {
            let response = client.get(&path).send().await.with_context(|| format!("GET {path}"))?;
            if !response.status().is_success() {
                anyhow::bail!("GET {path}: HTTP {}", response.status());
            }
            Ok::<_, anyhow::Error>(response.bytes().await?)
        }
    };
    let manifest_bytes = fetch(format!("{base}/files/{SNAPSHOT_MANIFEST}")).await?;
    let manifest: SnapshotManifest =
        serde_json::from_slice(&manifest_bytes).with_context(|| format!("{url} does not serve a snapshot manifest"))?;
    let write = |relative: &str, bytes: &[u8]| -> anyhow::Result<()> {
        // Only paths of the manifest's own shape are written, never outside `dir`.
        if relative.split('/').any(|s| s.is_empty() || s == "..") {
            anyhow::bail!("the manifest lists an unsafe path {relative:?}");
        }
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().expect("a file has a parent"))?;
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    };
    write(SNAPSHOT_MANIFEST, &manifest_bytes)?;
    write(
        SNAPSHOT_CHECKSUM,
        &fetch(format!("{base}/files/{SNAPSHOT_CHECKSUM}")).await?,
    )?;
    let files: Vec<String> = manifest.files().map(|(_, f)| f.path.clone()).collect();
    let bar = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template("download [{bar:30}] {pos}/{len} files ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    for path in files {
        write(&path, &fetch(format!("{base}/files/{path}")).await?)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}
