fn main() {
    limit_malloc_arenas();
    std::process::exit(indaba::cli::main());
}

/// glibc gives each thread that allocates its own 64 MB malloc arena, and freed memory
/// stays resident in them. Tantivy's worker threads and the blocking pool's database
/// threads each got one: a server posting 100 comments a second sat at 290 MB where two
/// arenas (one per core) hold it under 100 MB, with no measurable cost in speed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only sets an allocator parameter; it is called before any thread
    // other than the main one exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
