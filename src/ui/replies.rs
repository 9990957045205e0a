//! The saved-replies manager overlay: the list with a preview, or the form.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use crate::app::AppState;
use crate::app::manager::{FIELDS, ReplyForm};
use crate::text::{fit, sanitize, sanitize_line};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let Some(manager) = &state.replies_manager else {
        return;
    };
    let [popup] = Layout::vertical([Constraint::Percentage(85)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Percentage(90)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    match &manager.form {
        Some(form) => draw_form(frame, popup, form),
        None => draw_list(frame, popup, state, manager.selected),
    }
}

fn draw_list(frame: &mut Frame<'_>, area: Rect, state: &AppState, selected: usize) {
    let block = Block::bordered()
        .title(Line::from(" Saved replies ").bold())
        .title_bottom(
            Line::from(" a add · e/Enter edit · d delete · Esc close ")
                .right_aligned()
                .dim(),
        );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if state.saved_replies.is_empty() {
        frame.render_widget(
            Paragraph::new(" No saved replies yet. Press a to write the first one.").dim(),
            inner,
        );
        return;
    }
    let [list_area, preview_area] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(inner);
    let width = usize::from(list_area.width).saturating_sub(2);
    let items: Vec<ListItem<'_>> = state
        .saved_replies
        .iter()
        .map(|reply| {
            let shortcut = reply
                .shortcut
                .as_deref()
                .map(|s| format!("##{}", sanitize_line(s)))
                .unwrap_or_default();
            let uses = format!("{}×", reply.use_count);
            let title_width = width.saturating_sub(shortcut.chars().count() + uses.len() + 3);
            ListItem::new(Line::from(vec![
                Span::raw(fit(&sanitize_line(&reply.title), title_width)),
                Span::styled(format!(" {shortcut}"), Style::new().fg(Color::Cyan)),
                Span::styled(format!(" {uses}"), Style::new().fg(Color::DarkGray)),
            ]))
        })
        .collect();
    let list = List::new(items)
        .block(Block::new().borders(Borders::RIGHT))
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut list_state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(list, list_area, &mut list_state);
    if let Some(reply) = state.saved_replies.get(selected) {
        let mut lines = vec![Line::from(sanitize_line(&reply.title)).bold()];
        if !reply.tags.is_empty() {
            let tags: Vec<String> = reply
                .tags
                .iter()
                .map(|t| format!("#{}", sanitize_line(t)))
                .collect();
            lines.push(Line::styled(
                tags.join(" "),
                Style::new().fg(Color::Magenta),
            ));
        }
        lines.push(Line::raw(""));
        lines.extend(
            sanitize(&reply.body)
                .lines()
                .map(|l| Line::raw(l.to_owned())),
        );
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            preview_area.inner(ratatui::layout::Margin::new(1, 0)),
        );
    }
}

fn draw_form(frame: &mut Frame<'_>, area: Rect, form: &ReplyForm) {
    let title = if form.id.is_some() {
        " Edit saved reply "
    } else {
        " New saved reply "
    };
    let block = Block::bordered()
        .title(Line::from(title).bold())
        .title_bottom(
            Line::from(" Tab next field · Ctrl+S save · Esc cancel ")
                .right_aligned()
                .dim(),
        );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(3),
        Constraint::Length(3),
        Constraint::Min(3),
    ])
    .split(inner);
    for (index, label) in FIELDS.iter().enumerate() {
        let focused = form.field == index;
        let mut input = form.inputs[index].clone();
        input.set_cursor_line_style(Style::new());
        if !focused {
            input.set_cursor_style(Style::new());
        }
        let hint = match index {
            1 => " one word, typed after ## ",
            2 => " separated by commas ",
            3 => " {name} {first_name} {handle} {agent} {account} {network} · {{ writes { ",
            _ => "",
        };
        input.set_block(
            Block::bordered()
                .border_style(if focused {
                    Style::new().fg(Color::Cyan)
                } else {
                    Style::new().fg(Color::DarkGray)
                })
                .title(format!(" {label} "))
                .title_bottom(Line::from(hint).right_aligned().dim()),
        );
        frame.render_widget(&input, rows[index]);
    }
}
