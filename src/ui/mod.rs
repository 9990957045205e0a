//! Drawing only: `(&AppState) -> frame`. No I/O, no SQL, no network. Every piece of text from
//! a network goes through `text::sanitize_line` before it is drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};

use crate::app::AppState;
use crate::app::keymap::Keymap;
use crate::store::ConversationRow;
use crate::text::{age, fit, sanitize_line, width};

pub fn draw(frame: &mut Frame<'_>, state: &AppState, keymap: &Keymap) {
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    draw_header(frame, header, state);
    draw_list(frame, body, state);
    draw_status(frame, status, state);
    draw_footer(frame, footer, keymap);
}

fn draw_header(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let counts = &state.counts;
    let line = Line::from(vec![
        Span::styled(" hark ", Style::new().bold().reversed()),
        Span::raw(format!(
            "  {} {}  · Mine {} · Unassigned {} · Snoozed {} · Closed {}",
            state.folder.label(),
            counts.open,
            counts.mine,
            counts.unassigned,
            counts.snoozed,
            counts.closed
        )),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn row_line(row: &ConversationRow, columns: usize, now: i64) -> Line<'static> {
    let unread = if row.unread { "●" } else { " " };
    let from = row
        .contact_name
        .as_deref()
        .or(row.contact_handle.as_deref())
        .unwrap_or("?");
    let fixed = format!(
        "{unread} {} {} {} {:>4} ",
        fit(&sanitize_line(&row.account), 8),
        fit(row.kind.label(), 10),
        fit(&sanitize_line(from), 18),
        age(row.last_message_at, now)
    );
    let rest = columns.saturating_sub(width(&fixed));
    let snippet = fit(&sanitize_line(&row.snippet), rest);
    let style = if row.unread {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    Line::from(vec![Span::styled(fixed, style), Span::raw(snippet)])
}

fn draw_list(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let block = Block::new().borders(Borders::TOP | Borders::BOTTOM);
    let inner = block.inner(area);
    let columns = usize::from(inner.width).saturating_sub(2);
    if state.rows.is_empty() {
        let text = if state.loading {
            "Loading…"
        } else {
            "Nothing here. New conversations appear as they arrive."
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let items: Vec<ListItem<'_>> = state
        .rows
        .iter()
        .map(|row| ListItem::new(row_line(row, columns, state.now)))
        .collect();
    let list = List::new(items)
        .block(block)
        .highlight_symbol("▌ ")
        .highlight_style(Style::new().reversed());
    let mut list_state = ListState::default().with_selected(Some(state.selected));
    frame.render_stateful_widget(list, area, &mut list_state);
}

fn draw_status(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let mut spans: Vec<Span<'_>> = Vec::new();
    if let Some(error) = &state.error {
        spans.push(Span::styled(
            format!(" {} ", sanitize_line(error)),
            Style::new().red(),
        ));
    }
    for (account, status) in &state.sync_status {
        spans.push(Span::raw(format!(
            " {}: {} ",
            sanitize_line(account),
            sanitize_line(status)
        )));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).dim(), area);
}

fn draw_footer(frame: &mut Frame<'_>, area: Rect, keymap: &Keymap) {
    let mut spans = Vec::new();
    for (keys, help) in keymap.footer() {
        spans.push(Span::styled(format!(" {keys}"), Style::new().bold()));
        spans.push(Span::raw(format!(" {help} ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
