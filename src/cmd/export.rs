//! `katrack export`: a tracker (any readable file) written as a formatted workbook, CSV or JSON.

use super::OutFormat;
use katrack::Activity;
use katrack::error::Error;
use katrack::profile::Profile;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Write a tracker as a formatted workbook, canonical CSV or canonical JSON.
///
/// The input is any file katrack reads (usually canonical JSON). The format follows the output's
/// extension. The workbook is laid out like the council's Appendix A: theme banners, objective
/// headings, one header row, wrapped text, coloured status cells, ready to print landscape.
///
/// Examples:
///   katrack export tracker.json -o tracker.xlsx
///   katrack export samples/harborough_q1_2020_21.xlsx -o tracker.csv
///
/// Exit codes: 0 written, 2 the input could not be read or bad usage.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The tracker to write (a file or folder; `-` for standard input).
    #[arg(required = true, value_name = "TRACKER")]
    pub inputs: Vec<PathBuf>,
    /// The output file: .xlsx, .csv or .json.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Read only this sheet of the input.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// The council's tracker profile (default: the embedded Harborough profile).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Set the tracker's period (e.g. "2020/21 Q1"), also where its title names a period. A
    /// tracker naming no organisation gets the profile's.
    #[arg(long)]
    pub period: Option<String>,
}

/// Runs `export`.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let profile = super::load_profile(args.profile.as_deref())?;
    let format = OutFormat::of(&args.output)?;
    if format == OutFormat::Xlsx {
        // Each piece of the sheet's rows is deflated by a compressor of its own, freed after.
        super::allocator::hold_mmap_threshold();
        if let Some(n) = export_streamed(&args, &profile)? {
            eprintln!("wrote {n} activities to {}", args.output.display());
            return Ok(ExitCode::SUCCESS);
        }
    }
    let loaded = super::import::load(&args.inputs, &profile, args.sheet.as_deref(), false)?;
    if let Some((_, e)) = loaded.failed.first() {
        return Err(Error::Usage(e.to_string()));
    }
    let inputs = loaded.inputs.clone();
    let mut tracker = loaded.into_tracker();
    super::set_metadata(&mut tracker, args.period.as_deref(), &profile);
    super::emit_tracker(&tracker, format, &profile, Some(&args.output), &inputs)?;
    eprintln!(
        "wrote {} activities to {}",
        tracker.activities.len(),
        args.output.display()
    );
    // The process ends now: no need to free every activity one by one.
    std::mem::forget(tracker);
    Ok(ExitCode::SUCCESS)
}

/// One canonical JSON tracker written to .xlsx as it is read: one thread parses and cleans the
/// activities, the other writes them, so the tracker is never held whole and memory stays flat
/// however long it is. `None` when the input is not streamed (several inputs, not JSON, or a
/// document [`stream_tracker_json`](katrack::read::json_stream::stream_tracker_json) leaves to
/// the whole read): export it whole, which also gives the same errors.
fn export_streamed(args: &Args, profile: &Profile) -> Result<Option<usize>, Error> {
    let inputs = super::expand_inputs(&args.inputs)?;
    let [input] = inputs.as_slice() else {
        return Ok(None);
    };
    if input.path.extension().is_none_or(|e| e != "json") {
        return Ok(None);
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Activity>>(4);
    let (meta_tx, meta_rx) = std::sync::mpsc::sync_channel::<katrack::Tracker>(1);
    let whole = AtomicBool::new(false);
    let count = AtomicUsize::new(0);
    let left_whole = AtomicBool::new(false);
    let written = std::thread::scope(|scope| {
        let (whole, count, left_whole) = (&whole, &count, &left_whole);
        scope.spawn(move || {
            let (done, n) = super::stream_json_batches(
                input,
                profile,
                &mut |t| {
                    let _ = meta_tx.send(t.clone());
                },
                &mut |_| {},
                &mut |batch| {
                    let _ = tx.send(batch);
                },
            );
            // Set before the channel closes, so the writer sees it once the rows run out.
            whole.store(done, Ordering::SeqCst);
            count.store(n, Ordering::SeqCst);
            drop(tx);
        });
        let Ok(mut meta) = meta_rx.recv() else {
            left_whole.store(true, Ordering::SeqCst);
            return Ok(());
        };
        super::set_metadata(&mut meta, args.period.as_deref(), profile);
        let outputs = [input.path.clone()];
        // The rows' receiver lives in the closure: if the output is refused before anything is
        // written, it is dropped, and the reading thread stops waiting to send.
        let meta = &meta;
        katrack::write::write_file_with(&args.output, &outputs, move |file| {
            let mut out = std::io::BufWriter::new(file);
            katrack::write::write_tracker_workbook(
                &mut out,
                meta,
                rx.into_iter().flatten(),
                profile,
            )?;
            std::io::Write::flush(&mut out)?;
            if whole.load(Ordering::SeqCst) {
                Ok(())
            } else {
                // Not read to its end: the temporary file is dropped, nothing is written.
                left_whole.store(true, Ordering::SeqCst);
                Err(Error::Empty(String::new()))
            }
        })
    });
    if left_whole.load(Ordering::SeqCst) {
        return Ok(None);
    }
    written?;
    Ok(Some(count.load(Ordering::SeqCst)))
}
