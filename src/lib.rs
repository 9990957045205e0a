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
