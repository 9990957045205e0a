//! hark: a terminal social inbox.
//!
//! Layers, top to bottom (data flows down, events flow up): `cli` picks a command; `runtime`
//! runs the inbox's event loop; `ui` draws `app` state; `app` decides; `store` and `sync` act;
//! `networks` talk to the outside world.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod integrations;
pub mod model;
pub mod networks;
pub mod reports;
pub mod rules;
pub mod runtime;
pub mod sentiment;
pub mod store;
pub mod sync;
pub mod text;
pub mod ui;

/// mimalloc instead of the system's allocator: a sync allocates and frees many small values
/// (parsed JSON, rows, strings) on several threads, where glibc's malloc spent a fifth of the
/// ingest's time. Transparent huge pages are off for it (`no_thp`), as they raised the inbox's
/// resident memory by a third. Set here so the binary, tests and benchmarks all use it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
