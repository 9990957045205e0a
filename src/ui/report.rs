//! The report over the inbox: the period's numbers, messages per day, how fast replies came,
//! and each agent's share.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Clear, Paragraph, Row, Table};

use crate::app::AppState;
use crate::model::Millis;
use crate::reports::{Durations, Report};
use crate::text::sanitize_line;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let Some(view) = &state.report_view else {
        return;
    };
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(Line::from(format!(" Report · last {} days ", view.days)).bold())
        .title_bottom(Line::from(" p period · Esc close ").right_aligned().dim());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(report) = &view.report else {
        frame.render_widget(Paragraph::new(" Computing…").dim(), inner);
        return;
    };
    let agents_height = u16::try_from(report.agents.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let [summary, charts, agents] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Min(5),
        Constraint::Length(agents_height.min(inner.height / 3)),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(summary_lines(report)), summary);
    let [volume, speed] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(charts);
    draw_volume(frame, volume, report);
    draw_speed(frame, speed, report);
    draw_agents(frame, agents, report);
}

fn span(ms: Option<Millis>) -> String {
    ms.map_or_else(|| "—".into(), crate::text::duration)
}

fn durations(name: &str, d: &Durations) -> Line<'static> {
    Line::from(format!(
        " {name:<15} median {:>7}   p90 {:>7}   avg {:>7}   ({})",
        span(d.median),
        span(d.p90),
        span(d.average),
        d.count
    ))
}

fn summary_lines(report: &Report) -> Vec<Line<'static>> {
    let rate = report
        .reply_rate
        .map_or("—".to_owned(), |r| format!("{:.0}%", r * 100.0));
    vec![
        Line::from(format!(
            " {} in · {} out · {} customers · reply rate {rate} ({} of {})",
            report.inbound,
            report.outbound,
            report.unique_customers,
            report.replied,
            report.needing_reply
        ))
        .bold(),
        durations("First response", &report.first_response),
        durations("Response", &report.response),
        durations("Resolution", &report.resolution),
        Line::from(format!(
            " Sentiment: {}   Top tags: {}",
            report
                .sentiment
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect::<Vec<_>>()
                .join(" · "),
            report
                .top_tags
                .iter()
                .take(5)
                .map(|(t, n)| format!("#{} {n}", sanitize_line(t)))
                .collect::<Vec<_>>()
                .join("  ")
        ))
        .dim(),
    ]
}

fn draw_volume(frame: &mut Frame<'_>, area: Rect, report: &Report) {
    // As many days as fit, newest on the right; each bar three columns and a gap.
    let fit = usize::from(area.width.saturating_sub(2) / 4).max(1);
    let days = &report.per_day[report.per_day.len().saturating_sub(fit)..];
    let bars: Vec<Bar> = days
        .iter()
        .map(|d| {
            Bar::default()
                .value(d.inbound as u64)
                .label(Line::from(d.day.get(8..).unwrap_or("").to_owned()))
                .style(Style::new().fg(Color::Cyan))
        })
        .collect();
    let chart = BarChart::default()
        .block(Block::bordered().title(" Messages in, per day "))
        .data(BarGroup::default().bars(&bars))
        .bar_width(3)
        .bar_gap(1);
    frame.render_widget(chart, area);
}

fn draw_speed(frame: &mut Frame<'_>, area: Rect, report: &Report) {
    let bars: Vec<Bar> = report
        .response_buckets
        .iter()
        .map(|(label, n)| {
            Bar::default()
                .value(*n as u64)
                .label(Line::from(label.clone()))
                .style(Style::new().fg(Color::Green))
        })
        .collect();
    let chart = BarChart::default()
        .block(Block::bordered().title(" Response times "))
        .data(BarGroup::default().bars(&bars))
        .bar_width(4)
        .bar_gap(1);
    frame.render_widget(chart, area);
}

fn draw_agents(frame: &mut Frame<'_>, area: Rect, report: &Report) {
    let rows: Vec<Row> = report
        .agents
        .iter()
        .map(|a| {
            Row::new(vec![
                sanitize_line(&a.agent),
                a.replies.to_string(),
                span(a.response.median),
                span(a.response.fastest),
                span(a.response.slowest),
                a.closed.to_string(),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Min(12),
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(7),
        ],
    )
    .header(
        Row::new(vec![
            "Agent", "Replies", "Median", "Fastest", "Slowest", "Closed",
        ])
        .style(Style::new().bold()),
    );
    frame.render_widget(table, area);
}
