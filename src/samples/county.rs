//! A sample for the second profile (`schemas/example-county.toml`): another council's tracker
//! with its own columns, ids, headings and statuses, read with no code change.

use super::{SampleFile, fixed_properties};
use crate::error::Result;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

/// The example profile's text.
pub const PROFILE: &str = include_str!("../../schemas/example-county.toml");

/// (ambition banner, priority heading, [(ref, action, owner, cabinet member, rating, update, milestone)])
type Section = (&'static str, &'static str, &'static [[&'static str; 7]]);

const SECTIONS: [Section; 2] = [
    (
        "AMBITION: a county that works for everyone",
        "Priority 1 - A clean and green county",
        &[
            [
                "DP-1-01",
                "Deliver the county tree-planting programme",
                "Director of Place",
                "Environment",
                "On Track",
                "- 12,000 trees planted this quarter\n  • 4 new community woodlands agreed",
                "- Plant the winter 2025 stock",
            ],
            [
                "DP-1-02",
                "Reduce the council's own carbon emissions",
                "Director of Resources",
                "Environment",
                "At Risk",
                "- Heat-pump retrofit at County Hall delayed by supplier",
                "- Re-tender the retrofit contract",
            ],
            [
                "DP-1-03",
                "Resurface 100 miles of rural roads",
                "Director of Place",
                "Highways",
                "Off Track",
                "- 31 miles complete; wet spring stopped works for six weeks",
                "- Extra crews from July",
            ],
        ],
    ),
    (
        "AMBITION: a county that works for everyone",
        "Priority 2 - Independent lives",
        &[
            [
                "DP-2-01",
                "Open two extra-care housing schemes",
                "Director of People",
                "Adult Social Care",
                "Not Started",
                "",
                "",
            ],
            [
                "DP-2-02",
                "Redesign the reablement service",
                "Director of People",
                "Adult Social Care",
                "Achieved",
                "- New service live since April",
                "- Evaluate after six months",
            ],
            [
                "DP-2-03",
                "Review the fees paid to care homes",
                "Director of Resources",
                "Resources",
                "Paused",
                "",
                "",
            ],
        ],
    ),
];

/// The county sample workbook.
pub fn all() -> Result<Vec<SampleFile>> {
    let mut book = Workbook::new();
    book.set_properties(&fixed_properties("Northshire Delivery Plan 2025/26 Q1"));
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let ws = book.add_worksheet();
    ws.set_name("Delivery Plan")?;
    let header = [
        "Owner",
        "Action Ref",
        "Action",
        "RAG Rating",
        "Update",
        "Next Milestone",
        "Cabinet Member",
    ];
    let order = [2, 0, 1, 4, 5, 6, 3];
    for (c, w) in [22.0, 10.0, 40.0, 12.0, 50.0, 35.0, 18.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
    ws.write_string_with_format(0, 0, "Northshire County Council", &bold)?;
    ws.write_string_with_format(1, 0, "Delivery Plan 2025/26 Q1", &bold)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    let mut row = 4;
    let mut last_banner = "";
    for (banner, priority, actions) in SECTIONS {
        if banner != last_banner {
            ws.merge_range(row, 0, row, 6, banner, &bold)?;
            row += 1;
            last_banner = banner;
        }
        ws.merge_range(row, 0, row, 6, priority, &bold)?;
        row += 1;
        for action in actions {
            for (c, field) in order.iter().enumerate() {
                if !action[*field].is_empty() {
                    ws.write_string_with_format(row, c as u16, action[*field], &wrap)?;
                }
            }
            row += 1;
        }
    }
    Ok(vec![SampleFile {
        path: "county/northshire_delivery_plan.xlsx".into(),
        bytes: book.save_to_buffer()?,
    }])
}
