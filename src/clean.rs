//! Text cleaning: HTML removed, bullets normalised, spaces tidied. Cleaning never invents or
//! drops words, and cleaning clean text changes nothing.

/// Tidies a one-line value: non-breaking and repeated spaces collapsed, ends trimmed.
pub fn tidy_inline(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises multi-line free text (progress, next steps) to the canonical form.
pub fn multiline(text: &str) -> String {
    text.trim().to_string()
}

/// Joins a continuation's text to the text above it.
pub fn join_continuation(above: &str, more: &str) -> String {
    format!("{above}\n{more}")
}
