//! The thread: every message of the selected conversation, and the composer under it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::focus_style;
use crate::app::keymap::Command;
use crate::app::picker::SHOWN;
use crate::app::private_reply;
use crate::app::{AppState, Pane, ReplyWindow as Window};
use crate::model::{Delivery, Direction, Millis, from_millis};
use crate::store::MessageRow;
use crate::text::{age, duration, sanitize, sanitize_line, truncate, wrap};

/// The composer's height at most, borders included.
const COMPOSER_MAX: u16 = 9;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let composer_height = state.composer.as_ref().map_or(0, |composer| {
        // Rows as shown: a long line wraps over several.
        let inner = usize::from(area.width.saturating_sub(2)).max(1);
        let rows: usize = composer
            .textarea
            .lines()
            .iter()
            .map(|line| crate::text::width(line).div_ceil(inner).max(1))
            .sum();
        let lines = u16::try_from(rows).unwrap_or(u16::MAX);
        lines
            .saturating_add(2)
            .clamp(3, COMPOSER_MAX)
            .min(area.height / 2)
    });
    let [messages_area, composer_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(composer_height)]).areas(area);
    draw_messages(frame, messages_area, state);
    if composer_height > 0 {
        draw_composer(frame, composer_area, state);
        draw_picker(frame, messages_area, state);
        super::docs::draw(frame, messages_area, state);
    }
}

/// The `##` picker, just above the composer.
fn draw_picker(frame: &mut Frame<'_>, above: Rect, state: &AppState) {
    let Some(picker) = state.composer.as_ref().and_then(|c| c.picker.as_ref()) else {
        return;
    };
    let shown: Vec<_> = picker.matches.iter().take(SHOWN).collect();
    let mut lines: Vec<Line<'static>> = Vec::new();
    let width = usize::from(above.width).saturating_sub(2);
    for (position, found) in shown.iter().enumerate() {
        let Some(reply) = state.saved_replies.get(found.index) else {
            continue;
        };
        let mut spans = Vec::new();
        for (i, c) in sanitize_line(&reply.title).chars().enumerate() {
            let style = if found.title_hits.contains(&i) {
                Style::new()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
            } else {
                Style::new()
            };
            spans.push(Span::styled(c.to_string(), style));
        }
        if let Some(shortcut) = &reply.shortcut {
            spans.push(Span::styled(
                format!("  ##{}", sanitize_line(shortcut)),
                Style::new().fg(Color::Cyan),
            ));
        }
        let used = crate::text::width(&Line::from(spans.clone()).to_string());
        let preview =
            truncate(&sanitize_line(&reply.body), width.saturating_sub(used + 3)).into_owned();
        spans.push(Span::styled(
            format!("  {preview}"),
            Style::new().fg(Color::DarkGray),
        ));
        let mut line = Line::from(spans);
        if position == picker.selected {
            line = line.patch_style(Style::new().add_modifier(Modifier::REVERSED));
        }
        lines.push(line);
    }
    if lines.is_empty() {
        let text = if state.saved_replies.is_empty() {
            "No saved replies yet: add one with `hark replies add`, or s in the inbox".to_string()
        } else {
            format!("No saved reply matches “{}”", sanitize_line(&picker.query))
        };
        lines.push(Line::styled(text, Style::new().fg(Color::DarkGray)));
    }
    super::draw_composer_picker(
        frame,
        above,
        lines,
        ("Saved replies", "##", &picker.query),
        Color::Cyan,
    );
}

fn draw_messages(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let focused = state.focus == Pane::Thread;
    let Some(thread) = &state.thread else {
        let text = if state.rows.is_empty() {
            ""
        } else {
            " Loading…"
        };
        frame.render_widget(Paragraph::new(text).dim(), area);
        return;
    };
    let detail = &thread.detail;
    let row = &detail.row;
    // Handles are shown with one '@', whether or not the network's own form carries it.
    let handle = row
        .contact_handle
        .as_deref()
        .map(|h| h.trim_start_matches('@'));
    let who = match (&row.contact_name, handle) {
        (Some(name), Some(handle)) => format!("{} @{}", sanitize_line(name), sanitize_line(handle)),
        (Some(name), None) => sanitize_line(name),
        (None, Some(handle)) => format!("@{}", sanitize_line(handle)),
        (None, None) => "unknown customer".into(),
    };
    let teammates = crate::app::presence::describe(&crate::app::presence::others_in(state, row.id));
    let title = Line::from(vec![
        Span::styled(format!(" {who} "), Style::new().bold()),
        Span::styled(
            format!(
                "· {} on {} · {} ",
                row.kind.label(),
                sanitize_line(&row.account),
                row.status
            ),
            Style::new().fg(Color::DarkGray),
        ),
    ]);
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(focus_style(focused))
        .title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let text_width = usize::from(inner.width).saturating_sub(3).max(10);

    let mut lines: Vec<Line<'static>> = Vec::new();
    // How long the customer has waited, against the target, before anything else.
    if let Some((waited, target)) = state.sla_of(row) {
        let (style, verdict) = if waited >= target {
            (Style::new().fg(Color::Red).bold(), "overdue")
        } else {
            (Style::new().fg(Color::Yellow), "within target")
        };
        lines.push(Line::styled(
            format!(
                "Waiting {} of {} — {verdict}",
                duration(waited),
                duration(target)
            ),
            style,
        ));
    }
    // Teammates here come first: nobody should start an answer someone else is writing.
    if let Some(teammates) = teammates {
        for line in wrap(&format!("✎ {}", sanitize_line(&teammates)), text_width) {
            lines.push(Line::styled(line, Style::new().fg(Color::Yellow).bold()));
        }
    }
    if let Some(subject) = &detail.subject {
        for (i, line) in wrap(&sanitize_line(subject), text_width.saturating_sub(4))
            .into_iter()
            .enumerate()
        {
            let prefix = if i == 0 { " on: " } else { "     " };
            lines.push(Line::styled(
                format!("{prefix}{line}"),
                Style::new().fg(Color::DarkGray).italic(),
            ));
        }
    }
    let selected = if focused {
        Some(
            thread
                .selected
                .unwrap_or(detail.messages.len().saturating_sub(1)),
        )
    } else {
        None
    };
    // Where the selected message (or the last one) ends, to scroll it into view.
    let mut anchor = 0;
    // Notes go among the messages, by time.
    let mut notes = thread.notes.iter().peekable();
    let note_lines = |lines: &mut Vec<Line<'static>>, note: &crate::store::Note| {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                " ✎ note · {} · {}",
                sanitize_line(&note.author),
                age(note.created_at, state.now)
            ),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
        for line in wrap(&sanitize(&note.body), text_width) {
            lines.push(Line::styled(
                format!("   {line}"),
                Style::new().fg(Color::Yellow),
            ));
        }
    };
    for (index, message) in detail.messages.iter().enumerate() {
        while let Some(note) = notes.next_if(|n| n.created_at < message.created_at) {
            note_lines(&mut lines, note);
        }
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        let is_selected = selected == Some(index);
        lines.push(message_header(message, is_selected, state.now));
        let text_style = match message.direction {
            Direction::In => Style::new(),
            Direction::Out => Style::new().fg(Color::Cyan),
        };
        for line in wrap(&sanitize(&message.text), text_width) {
            lines.push(Line::styled(format!("   {line}"), text_style));
        }
        // Why a reply is not out yet, on a line of its own so it is never cut off.
        if let Some(error) = &message.delivery_error {
            let (text, style) = match message.delivery {
                Some(Delivery::Failed) => (
                    format!("✗ {} — r sends again, e edits", sanitize_line(error)),
                    Style::new().fg(Color::Red),
                ),
                _ => (
                    format!("◷ {} — retrying", sanitize_line(error)),
                    Style::new().fg(Color::Yellow),
                ),
            };
            for line in wrap(&text, text_width) {
                lines.push(Line::styled(format!("   {line}"), style));
            }
        }
        if is_selected || (selected.is_none() && index + 1 == detail.messages.len()) {
            anchor = lines.len();
        }
    }
    for note in notes {
        note_lines(&mut lines, note);
        if selected.is_none() {
            anchor = lines.len();
        }
    }
    let height = usize::from(inner.height);
    let scroll = anchor.saturating_sub(height);
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}

fn message_header(message: &MessageRow, selected: bool, now: i64) -> Line<'static> {
    let (arrow, arrow_style) = match message.direction {
        Direction::In => ("◀", Style::new().fg(Color::Yellow)),
        Direction::Out => ("▶", Style::new().fg(Color::Cyan)),
    };
    let mut spans = vec![
        Span::raw(if selected { "›" } else { " " }),
        Span::styled(format!("{arrow} "), arrow_style),
        Span::styled(sanitize_line(&message.author_name), Style::new().bold()),
    ];
    if let Some(agent) = &message.agent {
        spans.push(Span::raw(format!(" ({})", sanitize_line(agent))).dim());
    }
    let when = from_millis(message.created_at).format("%b %-d %H:%M");
    spans.push(Span::styled(
        format!(" · {when} · {}", age(message.created_at, now)),
        Style::new().fg(Color::DarkGray),
    ));
    if message.liked {
        spans.push(Span::styled(" ♥", Style::new().fg(Color::Red)));
    }
    if message.hidden {
        spans.push(Span::styled(" ⊘ hidden", Style::new().fg(Color::DarkGray)));
    }
    if message.private {
        spans.push(Span::styled(" ✉ private", Style::new().fg(Color::Magenta)));
    }
    if let Some(delivery) = message.delivery {
        let (text, style) = match delivery {
            Delivery::Queued => (" ◷ queued".to_string(), Style::new().fg(Color::Yellow)),
            Delivery::Sending => (" ↑ sending".to_string(), Style::new().fg(Color::Yellow)),
            Delivery::Sent => (" ✓ sent".to_string(), Style::new().fg(Color::Green)),
            Delivery::Failed => (
                format!(
                    " ✗ failed — {}",
                    sanitize_line(message.delivery_error.as_deref().unwrap_or("refused"))
                ),
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ),
        };
        spans.push(Span::styled(text, style));
    }
    let line = Line::from(spans);
    if selected {
        line.patch_style(Style::new().add_modifier(Modifier::UNDERLINED))
    } else {
        line
    }
}

fn draw_composer(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let Some(composer) = &state.composer else {
        return;
    };
    let focused = state.focus == Pane::Composer;
    let length = composer.length();
    let over = length > composer.rules.limit;
    let counter_style = if over {
        Style::new().fg(Color::Red).bold()
    } else {
        Style::new().fg(Color::DarkGray)
    };
    let send = state.keymap.first_label(Command::SendCloseNext);
    let mut title = match &composer.private {
        Some(target) => Line::from(vec![
            Span::styled(" Private reply ", Style::new().fg(Color::Magenta).bold()),
            Span::styled(
                format!("to {} ", sanitize_line(&target.author)),
                Style::new().fg(Color::Magenta),
            ),
            Span::styled(format!("{length}/{} ", composer.rules.limit), counter_style),
        ]),
        None => Line::from(vec![
            Span::styled(" Reply ", Style::new().bold()),
            Span::styled(format!("{length}/{} ", composer.rules.limit), counter_style),
        ]),
    };
    match &composer.private {
        Some(target) => title.push_span(match private_reply::time_left(target, state.now) {
            Some(left) => Span::styled(format!("· {left} "), Style::new().fg(Color::DarkGray)),
            None => Span::styled(
                "· too late to send ".to_string(),
                Style::new().fg(Color::Red).bold(),
            ),
        }),
        None => {
            if let Some((window, _)) = state.reply_window() {
                title.push_span(window_span(window, state.now));
            }
        }
    }
    let hint = if focused {
        format!(" {send} send+close · Esc leave ")
    } else {
        " draft — Enter to edit ".to_string()
    };
    let mut block = Block::bordered()
        .border_style(focus_style(focused))
        .title(title)
        .title_bottom(Line::from(hint).right_aligned().dim());
    if let Some(signature) = composer.rules.signature.as_deref() {
        block = block.title_bottom(
            Line::from(format!(" + {} ", sanitize_line(signature)))
                .left_aligned()
                .dim(),
        );
    }
    let mut textarea = composer.textarea.clone();
    textarea.set_block(block);
    if !focused {
        textarea.set_cursor_style(Style::new());
    }
    textarea.set_cursor_line_style(Style::new());
    frame.render_widget(&textarea, area);
}

/// How long the messaging window stays open, as the composer's title shows it.
fn window_span(window: Window, now: Millis) -> Span<'static> {
    let left = |until: chrono::DateTime<chrono::Utc>| {
        let minutes = (until - from_millis(now)).num_minutes().max(0);
        match minutes {
            m if m >= 48 * 60 => format!("{}d", m / (24 * 60)),
            m if m >= 60 => format!("{}h", m / 60),
            m => format!("{m}m"),
        }
    };
    match window {
        Window::Open { closes_at } => Span::styled(
            format!("· window open {} ", left(closes_at)),
            Style::new().fg(Color::DarkGray),
        ),
        Window::HumanAgent { closes_at } => Span::styled(
            format!("· human agent only, {} left ", left(closes_at)),
            Style::new().fg(Color::Yellow),
        ),
        Window::Closed { .. } => Span::styled(
            "· window closed: cannot send ".to_string(),
            Style::new().fg(Color::Red).bold(),
        ),
    }
}
