//! hark: a terminal social inbox.
//!
//! Layers, top to bottom (data flows down, events flow up): `cli` picks a command; `ui` draws
//! `app` state; `app` decides; `runtime` runs the event loop; `store` and `sync` act; `networks`
//! talk to the outside world.

pub mod clock;
pub mod model;
pub mod networks;
pub mod store;
pub mod sync;
pub mod config;
