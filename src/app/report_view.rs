//! The report in the inbox (`R`): the numbers of the last 7, 30 or 90 days with charts, over
//! the list. `p` changes the period, Esc closes it.

use crossterm::event::{KeyCode, KeyEvent};

use super::{AppState, Effect};
use crate::model::Millis;
use crate::reports::{BusinessHours, Report};

/// The periods `p` cycles through, in days.
const PERIODS: [i64; 3] = [7, 30, 90];
const DAY: Millis = 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct ReportView {
    pub days: i64,
    /// None while it is being computed.
    pub report: Option<Box<Report>>,
}

/// How reports count time, from the config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportSettings {
    pub utc_offset_minutes: i32,
    pub hours: Option<BusinessHours>,
}

pub(super) fn open(state: &mut AppState) -> Vec<Effect> {
    state.report_view = Some(ReportView {
        days: PERIODS[0],
        report: None,
    });
    vec![load(state, PERIODS[0])]
}

fn load(state: &AppState, days: i64) -> Effect {
    Effect::LoadReport {
        since: state.now - days * DAY,
        until: state.now + 1,
        utc_offset_minutes: state.report_settings.utc_offset_minutes,
        hours: state.report_settings.hours.clone(),
    }
}

/// Every key while the report is shown.
pub(super) fn key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('R') => {
            state.report_view = None;
            Vec::new()
        }
        KeyCode::Char('p') => {
            let Some(view) = state.report_view.as_mut() else {
                return Vec::new();
            };
            let next = PERIODS
                .iter()
                .position(|d| *d == view.days)
                .map_or(PERIODS[0], |i| PERIODS[(i + 1) % PERIODS.len()]);
            view.days = next;
            view.report = None;
            vec![load(state, next)]
        }
        _ => Vec::new(),
    }
}
