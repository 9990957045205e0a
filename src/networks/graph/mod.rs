//! What Facebook Pages, Messenger and Instagram share: Meta's Graph API, its paging, its
//! throttling and its time format.

pub mod client;
pub mod messaging;
pub mod parse;
pub mod usage;
pub mod window;
