//! How long to wait before trying again.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::networks::NetworkError;

/// Waits double from `base` with each failure, up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    /// For fetching: a network that fails is retried after 5 s, 10 s, 20 s … up to 15 minutes.
    pub const FETCH: Backoff = Backoff {
        base: Duration::from_secs(5),
        max: Duration::from_secs(15 * 60),
    };

    /// For the outbox: a reply that failed is retried after 2 s, 4 s, 8 s … up to 10 minutes.
    pub const DELIVERY: Backoff = Backoff {
        base: Duration::from_secs(2),
        max: Duration::from_secs(10 * 60),
    };

    /// The wait after `failures` consecutive failures (1 or more).
    pub fn after(self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(20);
        self.base
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// The wait after an error: what the network asked for when it said, else the usual backoff.
    pub fn for_error(self, error: &NetworkError, failures: u32, now: DateTime<Utc>) -> Duration {
        if let NetworkError::RateLimited {
            retry_after,
            reset_at,
        } = error
        {
            if let Some(wait) = retry_after {
                return *wait;
            }
            if let Some(reset) = reset_at
                && let Ok(wait) = (*reset - now).to_std()
            {
                return wait;
            }
        }
        self.after(failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_maximum() {
        let backoff = Backoff::FETCH;
        assert_eq!(backoff.after(1), Duration::from_secs(5));
        assert_eq!(backoff.after(2), Duration::from_secs(10));
        assert_eq!(backoff.after(4), Duration::from_secs(40));
        assert_eq!(backoff.after(100), Duration::from_secs(15 * 60));
    }

    #[test]
    fn a_rate_limit_says_how_long_to_wait() {
        let now = Utc::now();
        let said = NetworkError::RateLimited {
            retry_after: Some(Duration::from_secs(42)),
            reset_at: None,
        };
        assert_eq!(
            Backoff::FETCH.for_error(&said, 1, now),
            Duration::from_secs(42)
        );
        let reset = NetworkError::RateLimited {
            retry_after: None,
            reset_at: Some(now + chrono::Duration::seconds(90)),
        };
        assert_eq!(
            Backoff::FETCH.for_error(&reset, 1, now),
            Duration::from_secs(90)
        );
        let silent = NetworkError::Transient("reset by peer".into());
        assert_eq!(
            Backoff::FETCH.for_error(&silent, 3, now),
            Duration::from_secs(20)
        );
    }
}
