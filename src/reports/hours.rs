//! Business hours: the time of a response or a resolution counted only while the team works,
//! in the team's time zone (with its daylight-saving changes), e.g. "Mon-Fri 09:00-17:00" in
//! Europe/Madrid.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;

use crate::model::Millis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    /// Monday first.
    days: [bool; 7],
    start: NaiveTime,
    end: NaiveTime,
    zone: Tz,
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

impl BusinessHours {
    /// Reads "Mon-Fri 09:00-17:00" (days as ranges or lists: "Mon,Wed,Fri", "Sun-Thu") and an
    /// IANA time zone name ("Europe/Madrid", "UTC").
    pub fn parse(text: &str, zone: &str) -> Result<BusinessHours, String> {
        let zone: Tz = zone
            .trim()
            .parse()
            .map_err(|_| format!("'{zone}' is not a time zone name like Europe/Madrid"))?;
        let (days_text, times) = text.trim().split_once(' ').ok_or_else(|| {
            format!("'{text}': write days and hours, e.g. \"Mon-Fri 09:00-17:00\"")
        })?;
        let mut days = [false; 7];
        for part in days_text.split(',') {
            let index = |name: &str| {
                DAYS.iter()
                    .position(|(short, _)| name.trim().to_lowercase().starts_with(short))
                    .ok_or_else(|| format!("'{name}' is not a day (Mon … Sun)"))
            };
            match part.split_once('-') {
                Some((from, to)) => {
                    let (from, to) = (index(from)?, index(to)?);
                    let mut day = from;
                    loop {
                        days[day] = true;
                        if day == to {
                            break;
                        }
                        day = (day + 1) % 7;
                    }
                }
                None => days[index(part)?] = true,
            }
        }
        let (start, end) = times
            .trim()
            .split_once('-')
            .ok_or_else(|| format!("'{times}': write hours as 09:00-17:00"))?;
        let time = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| format!("'{t}' is not a time like 09:00"))
        };
        let (start, end) = (time(start)?, time(end)?);
        if start >= end {
            return Err(format!(
                "business hours must end after they start ({times})"
            ));
        }
        Ok(BusinessHours {
            days,
            start,
            end,
            zone,
        })
    }

    /// The part of `from..to` that falls inside business hours.
    pub fn within(&self, from: Millis, to: Millis) -> Millis {
        if to <= from {
            return 0;
        }
        let local = |at: Millis| crate::model::from_millis(at).with_timezone(&self.zone);
        let first: NaiveDate = local(from).date_naive();
        let last: NaiveDate = local(to).date_naive();
        let mut total = 0;
        let mut day = first;
        while day <= last {
            if self.days[day.weekday().num_days_from_monday() as usize] {
                let opens = self.instant(day, self.start);
                let closes = self.instant(day, self.end);
                if let (Some(opens), Some(closes)) = (opens, closes) {
                    let start = opens.max(from);
                    let end = closes.min(to);
                    total += (end - start).max(0);
                }
            }
            day += Duration::days(1);
        }
        total
    }

    /// A local wall-clock time of a day as an instant (the earlier one when the clock goes
    /// back; the moment after the gap when it jumps forward).
    fn instant(&self, day: NaiveDate, time: NaiveTime) -> Option<Millis> {
        let naive = day.and_time(time);
        self.zone
            .from_local_datetime(&naive)
            .earliest()
            .or_else(|| {
                self.zone
                    .from_local_datetime(&(naive + Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.timestamp_millis())
    }
}
