//! The allocator (mimalloc) and its tuning per command.

// mimalloc: ingestion allocates and frees many small strings per event; it replays ~10 %
// faster than with the system allocator (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_arena_eager_commit` and `mi_option_purge_delay` (mimalloc.h, v2 and
/// v3 alike); libmimalloc-sys names neither.
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Returns freed memory to the OS at once and commits arenas lazily. Rollups hold large,
/// short-lived batches: this halves their peak RSS (≈ 2.6 GB → 1.1 GB over a day of network
/// traffic) for ≈ 10 % more time. Ingestion keeps the defaults (faster, memory bounded by the
/// range size).
#[allow(unsafe_code)] // the only unsafe code of naap: two allocator option settings
pub(crate) fn prefer_low_memory() {
    // SAFETY: mi_option_set only stores an option value; both options are read on later
    // allocations and purges and may change at any time.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}
