//! `katrack diff`: what moved between two quarters.

use super::check::load_tracker;
use super::report::Format;
use katrack::diff::{Change, Changes};
use katrack::error::Error;
use katrack::write::canonical::escape_spreadsheet_text;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Show what changed between two trackers (usually last quarter's master and this one's).
///
/// Lists status changes with their direction (Amber → Green improved, Green → Red worsened, by
/// the profile's order of statuses), activities added and removed, lead and portfolio changes,
/// and activities under way whose progress was copied unchanged.
///
/// Examples:
///   katrack diff q1_master.json q2_master.xlsx
///   katrack diff q1_master.json q2_master.json --format json
///
/// Exit codes: 0 compared, 2 a tracker could not be read or bad usage.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The earlier tracker.
    pub old: PathBuf,
    /// The later tracker.
    pub new: PathBuf,
    /// How to print the changes.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The council's tracker profile (default: the embedded Harborough profile).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// Runs `diff`.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let profile = super::load_profile(args.profile.as_deref())?;
    let old = load_tracker(&args.old, &profile, "OLD")?;
    let new = load_tracker(&args.new, &profile, "NEW")?;
    let changes = katrack::diff::diff(&old, &new, &profile);
    let text = match args.format {
        Format::Json => super::report::json(&changes)?,
        Format::Csv => csv(&changes)?,
        Format::Table => table(&changes),
    };
    super::emit(text.as_bytes(), None, &[])?;
    Ok(ExitCode::SUCCESS)
}

/// Every change as rows: kind, id, title, field, from, to, direction.
fn rows(c: &Changes) -> Vec<[String; 7]> {
    let row = |kind: &str, ch: &Change| {
        [
            kind.to_string(),
            ch.id.clone(),
            ch.title.clone(),
            ch.field.clone(),
            ch.from.clone(),
            ch.to.clone(),
            ch.direction
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
        ]
    };
    let mut out: Vec<[String; 7]> = c.status.iter().map(|ch| row("status", ch)).collect();
    out.extend(c.reassigned.iter().map(|ch| row("reassigned", ch)));
    out.extend(c.added.iter().map(|a| {
        [
            "added".into(),
            a.id.clone(),
            a.title.clone(),
            String::new(),
            String::new(),
            a.status.clone(),
            String::new(),
        ]
    }));
    out.extend(c.removed.iter().map(|a| {
        [
            "removed".into(),
            a.id.clone(),
            a.title.clone(),
            String::new(),
            a.status.clone(),
            String::new(),
            String::new(),
        ]
    }));
    out.extend(c.unchanged_progress.iter().map(|ch| {
        [
            "progress unchanged".into(),
            ch.id.clone(),
            ch.title.clone(),
            "progress".into(),
            String::new(),
            String::new(),
            String::new(),
        ]
    }));
    out
}

fn csv(c: &Changes) -> Result<String, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Write(e.to_string());
    w.write_record(["change", "id", "title", "field", "from", "to", "direction"])
        .map_err(err)?;
    for r in rows(c) {
        // Titles and statuses come from officers; a spreadsheet must not run them as formulas.
        let safe: Vec<String> = r
            .iter()
            .map(|v| escape_spreadsheet_text(v).into_owned())
            .collect();
        w.write_record(&safe).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Write(e.to_string()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn table(c: &Changes) -> String {
    use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
    if c.is_empty() {
        return "no changes\n".into();
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(140);
    t.set_header(["Change", "ID", "Title", "From", "To", "Direction"]);
    for r in rows(c) {
        let title = if r[2].chars().count() > 45 {
            format!("{}…", r[2].chars().take(44).collect::<String>())
        } else {
            r[2].clone()
        };
        t.add_row(vec![
            r[0].clone(),
            r[1].clone(),
            title,
            r[4].clone(),
            r[5].clone(),
            r[6].clone(),
        ]);
    }
    let mut out = format!("{t}\n");
    let _ = writeln!(
        out,
        "{} status changes, {} reassigned, {} added, {} removed, {} with progress unchanged",
        c.status.len(),
        c.reassigned.len(),
        c.added.len(),
        c.removed.len(),
        c.unchanged_progress.len()
    );
    out
}
