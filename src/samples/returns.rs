//! The sample returns: one per chief officer, each in a different shape, as real returns arrive
//! (seed layout with the id in the title cell; an id column and another column order starting at
//! B3; a Windows-1252 CSV; other header names). Problems listed in `INJECTED` are put in here.

use super::{SampleFile, activity_row, delimited, fixed_properties, seed_rows, windows_1252};
use crate::error::Result;
use crate::model::{Activity, Tracker};
use crate::profile::Profile;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

const PLANNING: &str = "Chief Officer - Planning and Regeneration";
const COMMUNITIES: &str = "Chief Officer - Communities and Wellbeing";
const GOVERNANCE: &str = "Chief Officer - Governance";
const FINANCE: &str = "Chief Officer - Finance and Assets";

/// Every sample return.
pub fn all(tracker: &Tracker, profile: &Profile) -> Result<Vec<SampleFile>> {
    let of = |lead: &str| -> Vec<Activity> {
        tracker
            .activities
            .iter()
            .filter(|a| a.lead == lead || (lead == PLANNING && profile.is_placeholder(&a.lead)))
            .cloned()
            .collect()
    };
    Ok(vec![
        SampleFile {
            path: "returns/return_planning.xlsx".into(),
            bytes: planning(&of(PLANNING), profile)?,
        },
        SampleFile {
            path: "returns/return_communities.xlsx".into(),
            bytes: communities(&of(COMMUNITIES))?,
        },
        SampleFile {
            path: "returns/return_governance.csv".into(),
            bytes: governance(&of(GOVERNANCE))?,
        },
        SampleFile {
            path: "returns/return_finance.xlsx".into(),
            bytes: finance(&of(FINANCE))?,
        },
    ])
}

fn title(lead: &str) -> String {
    format!("Key Activities return Q1 2020/21: {lead}")
}

/// The seed's own layout, raw text and all: objective headings, the id inside the title cell.
fn planning(activities: &[Activity], profile: &Profile) -> Result<Vec<u8>> {
    let seed = seed_rows();
    let mut rows: Vec<Vec<String>> = vec![vec![title(PLANNING)], vec![]];
    rows.push(super::HEADER.map(String::from).to_vec());
    let mut objective = String::new();
    for a in activities {
        if a.objective_id != objective {
            objective.clone_from(&a.objective_id);
            rows.push(vec![format!("{}: {}", a.objective_id, a.objective_title)]);
        }
        let raw = seed
            .iter()
            .find(|r| r[0].starts_with(&format!("{} ", a.id)))
            .cloned()
            .expect("every activity comes from a seed row");
        rows.push(raw);
    }
    super::officer_workbook(&rows, "Q1", profile)
}

/// Splits text at a space near the middle, as a page break splits a cell.
fn split_mid(text: &str) -> (String, String) {
    let target = text.len() / 2;
    // A space between two words of one sentence, as a page break splits a cell mid-line.
    let bytes = text.as_bytes();
    let at = text
        .char_indices()
        .filter(|(i, c)| *c == ' ' && *i >= target && *i > 0)
        .map(|(i, _)| i)
        .find(|&i| {
            bytes[i - 1].is_ascii_alphanumeric()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
        })
        .unwrap_or(text.len());
    (text[..at].to_string(), text[at..].trim_start().to_string())
}

/// An id column, another column order, the table starting at B3, and a page break that splits
/// KA.01.03 over two rows.
fn communities(activities: &[Activity]) -> Result<Vec<u8>> {
    let fields = [
        "id",
        "title",
        "lead",
        "portfolio",
        "status",
        "progress",
        "next_steps",
    ];
    let mut rows: Vec<Vec<String>> = vec![
        [
            "Ref",
            "Key Activity",
            "Lead Officer",
            "Portfolio",
            "Status",
            "Progress",
            "Next Steps",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for a in activities {
        let mut a = a.clone();
        if a.id == "KA.04.02" {
            a.status = "green ".into();
        }
        if a.id == "KA.01.03" {
            let (t1, t2) = a
                .title
                .rsplit_once(" and ")
                .map(|(x, y)| (x.to_string(), format!("and {y}")))
                .unwrap_or_default();
            let (p1, p2) = split_mid(&a.progress);
            let mut first = a.clone();
            first.title = t1;
            first.progress = p1;
            rows.push(activity_row(&first, &fields));
            rows.push(vec![
                String::new(),
                t2,
                String::new(),
                String::new(),
                String::new(),
                p2,
                String::new(),
            ]);
            continue;
        }
        rows.push(activity_row(&a, &fields));
    }
    let mut book = Workbook::new();
    book.set_properties(&fixed_properties(&title(COMMUNITIES)));
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let ws = book.add_worksheet();
    ws.set_name("Return")?;
    ws.write_string_with_format(0, 1, title(COMMUNITIES), &Format::new().set_bold())?;
    for (c, w) in [10.0, 45.0, 28.0, 12.0, 14.0, 60.0, 45.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16 + 1, w)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                ws.write_string_with_format(r as u32 + 2, c as u16 + 1, text, &wrap)?;
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

/// A CSV saved from Excel on Windows: Windows-1252, id in the title cell, "Responsible Officer".
fn governance(activities: &[Activity]) -> Result<Vec<u8>> {
    let fields = [
        "id+title",
        "status",
        "progress",
        "next_steps",
        "lead",
        "portfolio",
    ];
    let mut rows: Vec<Vec<String>> = vec![
        [
            "Key Activities",
            "Status",
            "Progress",
            "Next Steps",
            "Responsible Officer",
            "Portfolio",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for a in activities {
        let mut a = a.clone();
        if a.id == "KA.09.03" {
            a.progress.clear();
        }
        rows.push(activity_row(&a, &fields));
    }
    windows_1252(
        &delimited(&rows)?
            .replace('\n', "\r\n")
            .replace("\r\r\n", "\r\n"),
    )
}

/// Other header names ("RAG Status", "Progress to Date", "CMT Lead") and an id column.
fn finance(activities: &[Activity]) -> Result<Vec<u8>> {
    let fields = [
        "id",
        "title",
        "status",
        "progress",
        "next_steps",
        "lead",
        "portfolio",
    ];
    let header = [
        "Ref",
        "Key Activities",
        "RAG Status",
        "Progress to Date",
        "Next Steps",
        "CMT Lead",
        "Portfolio",
    ];
    let mut book = Workbook::new();
    book.set_properties(&fixed_properties(&title(FINANCE)));
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let bold = Format::new().set_bold();
    let ws = book.add_worksheet();
    ws.set_name("Q1")?;
    ws.write_string_with_format(0, 0, title(FINANCE), &bold)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, [10.0, 45.0, 12.0, 60.0, 45.0, 28.0, 12.0][c])?;
    }
    for (i, a) in activities.iter().enumerate() {
        let mut a = a.clone();
        if a.id == "KA.08.03" {
            a.portfolio = "Finanse".into();
        }
        for (c, text) in activity_row(&a, &fields).iter().enumerate() {
            if !text.is_empty() {
                ws.write_string_with_format(i as u32 + 3, c as u16, text, &wrap)?;
            }
        }
    }
    Ok(book.save_to_buffer()?)
}
