//! Meta's Graph API does not answer 429: it reports how much of each budget is used in headers
//! (percentages, as JSON) and, once a budget is spent, refuses calls with error codes. hark reads
//! the headers and stops calling before the budget runs out.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// Usage at or above this share of any budget pauses the account's calls.
pub const PAUSE_AT_PERCENT: f64 = 90.0;

/// How long to pause when the network says a budget is spent but not for how long.
pub const DEFAULT_PAUSE: Duration = Duration::from_secs(5 * 60);

/// The most used budget in one answer's headers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    /// The highest percentage among all counters (call count, CPU time, total time).
    pub percent: f64,
    /// When the network said access comes back (`estimated_time_to_regain_access`, minutes).
    pub regain_after: Option<Duration>,
}

impl Usage {
    /// Reads `X-App-Usage`, `X-Page-Usage`, `X-Ad-Account-Usage` and
    /// `X-Business-Use-Case-Usage`. Unreadable headers are ignored (they only inform).
    pub fn from_headers(headers: &HeaderMap) -> Option<Usage> {
        let mut usage: Option<Usage> = None;
        let mut add = |counters: &Value| {
            let percent = [
                "call_count",
                "total_cputime",
                "total_time",
                "acc_id_util_pct",
            ]
            .iter()
            .filter_map(|key| counters.get(*key).and_then(Value::as_f64))
            .fold(0.0_f64, f64::max);
            let regain_after = counters
                .get("estimated_time_to_regain_access")
                .and_then(Value::as_u64)
                .filter(|minutes| *minutes > 0)
                .map(|minutes| Duration::from_secs(minutes * 60));
            let current = usage.get_or_insert(Usage {
                percent: 0.0,
                regain_after: None,
            });
            current.percent = current.percent.max(percent);
            current.regain_after = current.regain_after.max(regain_after);
        };
        for name in ["x-app-usage", "x-page-usage", "x-ad-account-usage"] {
            if let Some(value) = json_header(headers, name) {
                add(&value);
            }
        }
        if let Some(Value::Object(by_business)) = json_header(headers, "x-business-use-case-usage")
        {
            for entries in by_business.values() {
                for entry in entries.as_array().into_iter().flatten() {
                    add(entry);
                }
            }
        }
        usage
    }

    /// How long to stop calling, when this usage is too close to the limit.
    pub fn pause(&self) -> Option<Duration> {
        match self.regain_after {
            Some(wait) => Some(wait),
            None if self.percent >= PAUSE_AT_PERCENT => Some(DEFAULT_PAUSE),
            None => None,
        }
    }
}

fn json_header(headers: &HeaderMap, name: &str) -> Option<Value> {
    let text = headers.get(name)?.to_str().ok()?;
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_busiest_counter_of_all_headers_counts() {
        let usage = Usage::from_headers(&headers(&[
            (
                "x-app-usage",
                r#"{"call_count":12,"total_cputime":3,"total_time":40}"#,
            ),
            (
                "x-business-use-case-usage",
                r#"{"1234":[{"type":"pages","call_count":91,"total_cputime":2,"total_time":5,"estimated_time_to_regain_access":0}]}"#,
            ),
        ]))
        .unwrap();
        assert_eq!(usage.percent, 91.0);
        assert_eq!(usage.pause(), Some(DEFAULT_PAUSE));
    }

    #[test]
    fn a_stated_time_to_regain_access_is_kept() {
        let usage = Usage::from_headers(&headers(&[(
            "x-page-usage",
            r#"{"call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":17}"#,
        )]))
        .unwrap();
        assert_eq!(usage.pause(), Some(Duration::from_secs(17 * 60)));
    }

    #[test]
    fn light_use_or_garbled_headers_do_not_pause() {
        let light = Usage::from_headers(&headers(&[(
            "x-app-usage",
            r#"{"call_count":5,"total_cputime":1,"total_time":1}"#,
        )]))
        .unwrap();
        assert_eq!(light.pause(), None);
        assert_eq!(
            Usage::from_headers(&headers(&[("x-app-usage", "not json")])),
            None
        );
        assert_eq!(Usage::from_headers(&HeaderMap::new()), None);
    }
}
