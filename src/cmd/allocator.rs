//! The system allocator set for a merge and an export to xlsx.

/// Large blocks (the shared strings of a return, a batch of rows, Appendix A's row table as it
/// grows) given back to the system as soon as they are freed. glibc's malloc raises its
/// threshold for mapping a block on its own each time such a block is freed, up to 32 MiB, so
/// that after a merge has read its returns their blocks' memory stays in the threads' heaps,
/// in pieces too small for what the merge asks for next. Holding the threshold at its default
/// (128 KiB) keeps it from rising: a 100,000-activity merge peaks at 96 MiB instead of 119, the
/// plan as a workbook at 96 instead of 131, at the same speed (see BENCHMARKS.md). An export
/// to xlsx asks for it too: each piece of its rows is deflated by a compressor of its own
/// (`src/write/deflate.rs`), half a megabyte freed after each (100,000 activities: 23 MiB
/// without it, 18 with). Other commands do not: they read one input once, and the fixed
/// threshold costs a small `check` about a millisecond (more blocks mapped and unmapped).
pub(crate) fn hold_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of malloc; merge calls it before starting any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Gives the memory freed so far back to the system: a merge calls it once its returns are
/// read and set aside, whose blocks stay in the reading threads' heaps otherwise (a
/// 100,000-activity merge's peak is then that of its reading plus that of its writing).
pub(crate) fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
