//! The `?` overlay, generated from the live keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::AppState;
use crate::text::fit;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let rows = state.keymap.help_rows();
    let key_width = rows
        .iter()
        .map(|(keys, _)| crate::text::width(keys))
        .max()
        .unwrap_or(4);
    let entry = |(keys, help): &(String, &'static str), width: usize| {
        Line::from(vec![
            Span::styled(format!(" {} ", fit(keys, key_width)), Style::new().bold()),
            Span::raw(fit(help, width.saturating_sub(key_width + 2))),
        ])
    };
    let mut notes = vec![
        Line::raw(" In the composer Enter is a new line; ## picks a saved reply (## then Esc: a literal ##).").dim(),
    ];
    if state.docs_enabled {
        notes.push(
            Line::raw(" ?? at the start of a word searches Help Scout Docs and inserts a summary and the link.").dim(),
        );
    }
    notes.push(
        Line::raw(" In the customer panel: e edit, n note, v VIP, L link to another network. Ctrl+C always quits.").dim(),
    );
    if !state.keymap.enhanced_keys {
        notes.push(Line::raw(" This terminal does not report Ctrl+Enter apart from Enter: use the other send keys,").dim());
        notes.push(
            Line::raw(
                " or keyboard_protocol = \"on\" if it does support the kitty keyboard protocol.",
            )
            .dim(),
        );
    }
    let width = area.width.min(104);
    // Two columns when one would not fit the height.
    let columns = if rows.len() + notes.len() + 3 > usize::from(area.height) {
        2
    } else {
        1
    };
    let column_width = usize::from(width.saturating_sub(2)) / columns;
    let per_column = rows.len().div_ceil(columns);
    let mut lines: Vec<Line<'_>> = Vec::new();
    for i in 0..per_column {
        let mut spans = Vec::new();
        for column in 0..columns {
            if let Some(row) = rows.get(column * per_column + i) {
                spans.extend(entry(row, column_width).spans);
            }
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    lines.extend(notes);
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::bordered().title(" Keys — any key closes ");
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block),
        popup,
    );
}
