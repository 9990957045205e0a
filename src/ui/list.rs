//! The conversation list: who, what, how long they have waited, and the marks that matter.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};

use super::focus_style;
use crate::app::{AppState, Pane, presence};
use crate::model::{Activity, Status};
use crate::store::ConversationRow;
use crate::text::{age, fit, sanitize_line, width};

/// From this width a conversation takes one line; below, two.
const ONE_LINE: usize = 64;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let focused = state.focus == Pane::List;
    let block = Block::new()
        .borders(Borders::RIGHT)
        .border_style(focus_style(focused));
    let columns = usize::from(block.inner(area).width).saturating_sub(1);
    if state.rows.is_empty() {
        let text = if state.loading {
            "Loading…"
        } else if state.search.is_some() {
            "No conversation matches."
        } else {
            "Nothing here. New conversations appear as they arrive."
        };
        frame.render_widget(Paragraph::new(format!(" {text}")).dim().block(block), area);
        return;
    }
    // With one account its name on every row is noise; with several it tells them apart.
    let several_accounts = state.counts.accounts.len() > 1;
    let items: Vec<ListItem<'_>> = state
        .rows
        .iter()
        .map(|row| {
            let marks = RowMarks {
                marked: state.marked.contains(&row.id),
                present: presence_mark(state, row.id),
                newly_mine: row.assignment_unseen
                    && row.assignee.as_deref() == Some(state.agent.as_str()),
                sla: state.sla_of(row),
            };
            let mut lines = row_lines(row, columns, state.now, several_accounts, &marks);
            colour_tags(&mut lines, state);
            ListItem::new(lines)
        })
        .collect();
    let highlight = if focused {
        Style::new().bg(Color::Blue).fg(Color::White)
    } else {
        Style::new().add_modifier(Modifier::REVERSED)
    };
    let list = List::new(items)
        .block(block)
        .highlight_style(highlight)
        .highlight_symbol("▌");
    let mut list_state = ListState::default().with_selected(Some(state.selected));
    frame.render_stateful_widget(list, area, &mut list_state);
}

/// Gives each `#tag` on the first line the colour the team chose for it.
fn colour_tags(lines: &mut [Line<'static>], state: &AppState) {
    let Some(first) = lines.first_mut() else {
        return;
    };
    let coloured: Vec<(String, Color)> = state
        .tags
        .iter()
        .filter_map(|tag| {
            let colour = tag.colour.as_deref()?.parse::<Color>().ok()?;
            Some((format!("#{}", sanitize_line(&tag.name)), colour))
        })
        .collect();
    if coloured.is_empty() {
        return;
    }
    let mut spans = Vec::new();
    for span in first.spans.drain(..) {
        if span.style.fg != Some(Color::Magenta) {
            spans.push(span);
            continue;
        }
        // The marks span: " #a #b →agent"; split it so each tag can have its colour.
        for piece in span.content.split_inclusive(' ') {
            let colour = coloured
                .iter()
                .find(|(name, _)| piece.trim() == name)
                .map_or(Color::Magenta, |(_, c)| *c);
            spans.push(Span::styled(piece.to_owned(), Style::new().fg(colour)));
        }
    }
    first.spans = spans;
}

/// Whether the customer spoke last and is waiting for an answer.
fn waiting(row: &ConversationRow) -> bool {
    row.status == Status::Open && row.last_inbound_at == Some(row.last_message_at)
}

/// Teammates in a conversation, as the list shows them: " ✎ana" replying, " ◉bo" viewing.
fn presence_mark(state: &AppState, conversation_id: i64) -> String {
    presence::others_in(state, conversation_id)
        .iter()
        .map(|p| {
            let sign = match p.activity {
                Activity::Replying => '✎',
                Activity::Viewing => '◉',
            };
            format!(" {sign}{}", sanitize_line(&p.agent))
        })
        .collect()
}

/// What the list shows of a row besides the conversation itself.
struct RowMarks {
    /// Marked for a bulk change.
    marked: bool,
    /// Teammates in it (" ✎ana").
    present: String,
    /// Assigned to this person by someone else, not opened yet.
    newly_mine: bool,
    /// (waited, target) against its response-time target.
    sla: Option<(i64, i64)>,
}

fn row_lines(
    row: &ConversationRow,
    columns: usize,
    now: i64,
    several_accounts: bool,
    marks_of: &RowMarks,
) -> Vec<Line<'static>> {
    let RowMarks {
        marked,
        present,
        newly_mine,
        sla,
    } = marks_of;
    let (marked, newly_mine, sla, present) = (*marked, *newly_mine, *sla, present.as_str());
    let unread = match (marked, row.unread) {
        (true, _) => "✓",
        (false, true) => "●",
        (false, false) => " ",
    };
    let priority = match row.priority {
        i64::MIN..=0 => Span::raw(" "),
        1 => Span::styled("!", Style::new().fg(Color::Yellow).bold()),
        _ => Span::styled("‼", Style::new().fg(Color::Red).bold()),
    };
    let who = sanitize_line(
        row.contact_name
            .as_deref()
            .or(row.contact_handle.as_deref())
            .unwrap_or("?"),
    );
    // Under a response-time target, the time the customer has been waiting; else the age of
    // the latest message.
    let when = match sla {
        Some((waited, _)) => age(now - waited, now),
        None => age(row.last_message_at, now),
    };
    // Past its response-time target: red; in its last quarter: yellow.
    let when_style = match sla {
        Some((waited, target)) if waited >= target => Style::new().fg(Color::Red).bold(),
        Some((waited, target)) if waited * 4 >= target * 3 => Style::new().fg(Color::Yellow).bold(),
        _ if waiting(row) => Style::new().fg(Color::Yellow),
        _ => Style::new().fg(Color::DarkGray),
    };
    let mut marks = String::new();
    for tag in &row.tags {
        marks.push_str(&format!(" #{}", sanitize_line(tag)));
    }
    if let Some(assignee) = &row.assignee {
        marks.push_str(&format!(" →{}", sanitize_line(assignee)));
        if newly_mine {
            // Assigned to this person by someone else, not opened yet.
            marks.push_str(" new");
        }
    }
    let name_style = if row.unread {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    let snippet = sanitize_line(&row.snippet);
    // An unhappy customer's latest message stands out.
    let snippet_style = if row.sentiment == Some(crate::model::Sentiment::Negative) {
        Style::new().fg(Color::LightRed)
    } else {
        Style::new()
    };
    let kind = if several_accounts {
        format!("{} {}", sanitize_line(&row.account), row.kind.label())
    } else {
        row.kind.label().to_string()
    };
    if columns >= ONE_LINE {
        let name_width = 18;
        let kind_width = 16;
        let fixed = 3 + name_width + 1 + kind_width + 1 + width(&marks) + width(present) + 5;
        let snippet_width = columns.saturating_sub(fixed);
        vec![Line::from(vec![
            Span::raw(unread).fg(Color::Cyan),
            priority,
            Span::raw(" "),
            Span::styled(fit(&who, name_width), name_style),
            Span::raw(" "),
            Span::styled(fit(&kind, kind_width), Style::new().fg(Color::DarkGray)),
            Span::raw(" "),
            Span::styled(fit(&snippet, snippet_width), snippet_style),
            Span::styled(present.to_owned(), Style::new().fg(Color::Yellow)),
            Span::styled(marks, Style::new().fg(Color::Magenta)),
            Span::styled(format!("{when:>5}"), when_style),
        ])]
    } else {
        let top_fixed = 3 + width(&marks) + width(present) + 5;
        let name_width = columns.saturating_sub(top_fixed);
        vec![
            Line::from(vec![
                Span::raw(unread).fg(Color::Cyan),
                priority,
                Span::raw(" "),
                Span::styled(fit(&who, name_width), name_style),
                Span::styled(present.to_owned(), Style::new().fg(Color::Yellow)),
                Span::styled(marks, Style::new().fg(Color::Magenta)),
                Span::styled(format!("{when:>5}"), when_style),
            ]),
            Line::from(vec![
                Span::raw("   "),
                Span::styled(
                    fit(
                        &format!("{} · {snippet}", row.kind.label()),
                        columns.saturating_sub(3),
                    ),
                    snippet_style.fg(
                        if row.sentiment == Some(crate::model::Sentiment::Negative) {
                            Color::LightRed
                        } else {
                            Color::Gray
                        },
                    ),
                ),
            ]),
        ]
    }
}
