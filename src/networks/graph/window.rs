//! Messenger and Instagram messaging windows: a Page may answer freely for 24 hours after the
//! person's last message, and with the human-agent tag up to 7 days where Meta granted that
//! feature; after that it may not write at all.

use chrono::{DateTime, Duration, Utc};

/// Where a conversation stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// A standard reply is allowed until `closes_at`.
    Open { closes_at: DateTime<Utc> },
    /// Only a reply tagged HUMAN_AGENT is allowed, until `closes_at`.
    HumanAgent { closes_at: DateTime<Utc> },
    /// No reply is allowed (it closed at `closed_at`).
    Closed { closed_at: DateTime<Utc> },
}

/// How long after a comment its author may be answered privately (once).
pub const PRIVATE_REPLY_WINDOW: std::time::Duration =
    std::time::Duration::from_secs(7 * 24 * 60 * 60);

pub fn standard_window() -> Duration {
    Duration::hours(24)
}

pub fn human_agent_window() -> Duration {
    Duration::days(7)
}

impl Window {
    /// The window after a customer's message at `last`, seen at `now`; `human_agent` says
    /// whether the app may use the human-agent tag.
    pub fn at(last: DateTime<Utc>, now: DateTime<Utc>, human_agent: bool) -> Window {
        let standard = last + standard_window();
        let extended = last + human_agent_window();
        if now < standard {
            Window::Open {
                closes_at: standard,
            }
        } else if human_agent && now < extended {
            Window::HumanAgent {
                closes_at: extended,
            }
        } else if human_agent {
            Window::Closed {
                closed_at: extended,
            }
        } else {
            Window::Closed {
                closed_at: standard,
            }
        }
    }

    /// Why a reply cannot be sent, for the person writing it; None when it can.
    pub fn refusal(&self, human_agent: bool) -> Option<String> {
        match self {
            Window::Closed { closed_at } if human_agent => Some(format!(
                "the 7-day human-agent window closed on {}: the customer has to write first",
                closed_at.format("%b %-d %H:%M UTC")
            )),
            Window::Closed { closed_at } => Some(format!(
                "the 24-hour window closed on {}: the customer has to write first (or set \
                 human_agent = true if the app has Meta's Human Agent feature)",
                closed_at.format("%b %-d %H:%M UTC")
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn windows_open_narrow_and_close() {
        let last = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        let hours = |h| last + Duration::hours(h);
        assert_eq!(
            Window::at(last, hours(23), false),
            Window::Open {
                closes_at: hours(24)
            }
        );
        assert_eq!(
            Window::at(last, hours(25), true),
            Window::HumanAgent {
                closes_at: hours(24 * 7)
            }
        );
        let closed = Window::at(last, hours(25), false);
        assert_eq!(
            closed,
            Window::Closed {
                closed_at: hours(24)
            }
        );
        assert!(closed.refusal(false).unwrap().contains("Jun 2 12:00 UTC"));
        assert!(
            Window::at(last, hours(24 * 7 + 1), true)
                .refusal(true)
                .is_some()
        );
        assert_eq!(Window::at(last, hours(1), false).refusal(false), None);
    }
}
