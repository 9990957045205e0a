//! Drawing triage: the pickers and menus over the inbox, the note editor and the customer panel.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::AppState;
use crate::app::triage::{ChoicePicker, NoteTarget, Overlay, PROFILE_FIELDS, SNOOZE_CHOICES};
use crate::text::{age, sanitize, sanitize_line, truncate};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [area] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [area] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    area
}

pub fn draw_overlay(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let Some(overlay) = &state.overlay else {
        return;
    };
    match overlay {
        Overlay::Tags(picker) | Overlay::Assign(picker) | Overlay::Link(picker) => {
            draw_picker(frame, area, state, picker)
        }
        Overlay::Snooze { typed } => draw_snooze(frame, area, state, typed),
        Overlay::Rules => draw_rules(frame, area, state),
    }
}

fn targets_label(state: &AppState) -> String {
    match state.marked.len() {
        0 => state
            .selected_row()
            .map(|r| format!("#{}", r.id))
            .unwrap_or_default(),
        n => format!("{n} marked"),
    }
}

fn draw_picker(frame: &mut Frame<'_>, area: Rect, state: &AppState, picker: &ChoicePicker) {
    let mut lines = vec![Line::from(vec![
        Span::raw(" › "),
        Span::styled(sanitize_line(&picker.query), Style::new().bold()),
        Span::styled("▏", Style::new().fg(Color::Cyan)),
    ])];
    let offers_new = picker.offers_new();
    // Keep the selected row in view.
    let first = picker.selected.saturating_sub(11);
    for (position, &index) in picker.shown.iter().enumerate().skip(first).take(12) {
        let choice = &picker.choices[index];
        let mark = if choice.checked { "✓ " } else { "  " };
        lines.push(row(
            format!("{mark}{}", sanitize_line(&choice.label)),
            picker.selected == position,
            Style::new(),
        ));
    }
    if offers_new {
        let verb = picker.new_entry.unwrap_or("new");
        let selected = picker.selected == picker.shown.len();
        lines.push(row(
            format!("+ {verb} “{}”", sanitize_line(picker.query.trim())),
            selected,
            Style::new().fg(Color::Green),
        ));
    }
    if picker.shown.is_empty() && !offers_new {
        lines.push(Line::raw("   nothing matches").dim());
    }
    let hint = match (picker.title, offers_new) {
        ("Tags", _) => " Enter adds, or removes a ✓ tag · Esc ",
        (_, _) => " ↑↓ · Enter choose · Esc ",
    };
    let popup = centered(area, 50, u16::try_from(lines.len() + 2).unwrap_or(u16::MAX));
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(Style::new().fg(Color::Cyan))
        .title(Line::from(format!(" {} · {} ", picker.title, targets_label(state))).bold())
        .title_bottom(Line::from(hint).right_aligned().dim());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

fn row(text: String, selected: bool, style: Style) -> Line<'static> {
    let line = Line::styled(format!(" {text}"), style);
    if selected {
        line.patch_style(Style::new().add_modifier(Modifier::REVERSED))
    } else {
        line
    }
}

fn draw_snooze(frame: &mut Frame<'_>, area: Rect, state: &AppState, typed: &str) {
    let mut lines: Vec<Line<'_>> = SNOOZE_CHOICES
        .iter()
        .enumerate()
        .map(|(i, label)| {
            Line::from(vec![
                Span::styled(format!(" {} ", i + 1), Style::new().bold()),
                Span::raw(*label),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::raw(" or type: "),
        Span::styled(sanitize_line(typed), Style::new().bold()),
        Span::styled("▏", Style::new().fg(Color::Cyan)),
    ]));
    lines.push(Line::raw("   2h · 3d · tomorrow 14:00 · 2026-12-01 09:00").dim());
    let popup = centered(area, 52, u16::try_from(lines.len() + 2).unwrap_or(u16::MAX));
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(Style::new().fg(Color::Cyan))
        .title(Line::from(format!(" Snooze {} until ", targets_label(state))).bold())
        .title_bottom(Line::from(" Enter · Esc ").right_aligned().dim());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

fn draw_rules(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let mut lines = Vec::new();
    if state.rules.is_empty() {
        lines.push(
            Line::raw(" No rules. Add [[rules]] to the config file; `hark rules test` tries them.")
                .dim(),
        );
    }
    for (index, (name, when, then)) in state.rules.iter().enumerate() {
        lines.push(Line::from(vec![Span::styled(
            format!(" {}. {}", index + 1, sanitize_line(name)),
            Style::new().bold(),
        )]));
        lines.push(Line::from(vec![
            Span::raw("    when ").dim(),
            Span::raw(sanitize_line(when)),
        ]));
        lines.push(Line::from(vec![
            Span::raw("    then ").dim(),
            Span::styled(sanitize_line(then), Style::new().fg(Color::Green)),
        ]));
    }
    let popup = centered(
        area,
        area.width.saturating_sub(8),
        u16::try_from(lines.len() + 2).unwrap_or(u16::MAX),
    );
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(Line::from(" Rules, in the order they run ").bold())
        .title_bottom(Line::from(" any key closes ").right_aligned().dim());
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        popup,
    );
}

/// The note being written, where the composer would be.
pub fn draw_note(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let Some(note) = &state.note else {
        return;
    };
    let target = match note.target {
        NoteTarget::Conversation(id) => format!("on #{id}"),
        NoteTarget::Contact(_) => "on the customer".to_string(),
    };
    let mut textarea = note.textarea.clone();
    textarea.set_cursor_line_style(Style::new());
    textarea.set_block(
        Block::bordered()
            .border_style(Style::new().fg(Color::Yellow))
            .title(
                Line::from(format!(
                    " ✎ Note {target} — the team sees it, the customer never does "
                ))
                .bold(),
            )
            .title_bottom(Line::from(" Ctrl+S save · Esc drop ").right_aligned().dim()),
    );
    frame.render_widget(Clear, area);
    frame.render_widget(&textarea, area);
}

/// The customer panel, in place of the thread.
pub fn draw_profile(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let Some(profile) = &state.profile else {
        return;
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(Style::new().fg(Color::Cyan))
        .title(Line::from(" Customer ").bold())
        .title_bottom(
            Line::from(" e edit · n note · v VIP · L link · p/Esc close ")
                .right_aligned()
                .dim(),
        );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(data) = &profile.data else {
        frame.render_widget(Paragraph::new(" Loading…").dim(), inner);
        return;
    };
    if let Some((field, inputs)) = &profile.form {
        let rows = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(3),
        ])
        .split(inner);
        for (index, label) in PROFILE_FIELDS.iter().enumerate() {
            let mut input = inputs[index].clone();
            input.set_cursor_line_style(Style::new());
            if *field != index {
                input.set_cursor_style(Style::new());
            }
            input.set_block(
                Block::bordered()
                    .border_style(if *field == index {
                        Style::new().fg(Color::Cyan)
                    } else {
                        Style::new().fg(Color::DarkGray)
                    })
                    .title(format!(" {label} "))
                    .title_bottom(
                        Line::from(if index == 2 {
                            " Tab next · Ctrl+S save · Esc cancel "
                        } else {
                            ""
                        })
                        .right_aligned()
                        .dim(),
                    ),
            );
            frame.render_widget(&input, rows[index]);
        }
        return;
    }
    let contact = &data.contact;
    let label = Style::new().fg(Color::DarkGray);
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!(
                " {}",
                sanitize_line(contact.name.as_deref().unwrap_or(&contact.handle))
            ),
            Style::new().bold(),
        ),
        Span::styled(
            if contact.vip { "  ★ VIP" } else { "" },
            Style::new().fg(Color::Yellow).bold(),
        ),
    ])];
    lines.push(Line::from(vec![
        Span::raw(format!(
            " @{} on {}",
            sanitize_line(contact.handle.trim_start_matches('@')),
            contact.network.label()
        )),
        Span::styled(
            contact
                .followers
                .map(|f| format!(" · {f} followers"))
                .unwrap_or_default(),
            label,
        ),
    ]));
    for other in &data.linked {
        lines.push(Line::styled(
            format!(
                " also @{} on {}",
                sanitize_line(other.handle.trim_start_matches('@')),
                other.network.label()
            ),
            label,
        ));
    }
    if let Some(url) = &contact.profile_url {
        lines.push(Line::styled(
            format!(" {}", sanitize_line(url)),
            Style::new().fg(Color::Blue),
        ));
    }
    if let Some(bio) = &contact.bio {
        lines.push(Line::raw(format!(" {}", sanitize_line(bio))).italic());
    }
    lines.push(Line::raw(""));
    let field = |name: &str, value: Option<&str>| {
        Line::from(vec![
            Span::styled(format!(" {name:<10}"), label),
            Span::raw(value.map(sanitize_line).unwrap_or_else(|| "—".into())),
        ])
    };
    lines.push(field("Email", contact.fields.email.as_deref()));
    lines.push(field("Order", contact.fields.order_ref.as_deref()));
    for (key, value) in &contact.fields.custom {
        lines.push(field(&truncate(key, 10), Some(value)));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(" Notes ({})", data.notes.len()),
        Style::new().bold(),
    ));
    for note in &data.notes {
        lines.push(Line::styled(
            format!(
                " ✎ {} · {}",
                sanitize_line(&note.author),
                age(note.created_at, state.now)
            ),
            Style::new().fg(Color::Yellow),
        ));
        for text in sanitize(&note.body).lines() {
            lines.push(Line::raw(format!("   {text}")));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(" Conversations ({})", data.conversations.len()),
        Style::new().bold(),
    ));
    let snippet_width = usize::from(inner.width).saturating_sub(27);
    for conversation in &data.conversations {
        lines.push(Line::from(vec![
            Span::styled(format!(" #{:<5}", conversation.id), label),
            Span::raw(format!("{:<7}", conversation.status.as_str())),
            Span::styled(
                format!(
                    "{:<12}",
                    truncate(&sanitize_line(&conversation.account), 11)
                ),
                label,
            ),
            Span::raw(truncate(&sanitize_line(&conversation.snippet), snippet_width).into_owned()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
