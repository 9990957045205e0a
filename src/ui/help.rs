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
    let mut lines: Vec<Line<'_>> = rows
        .into_iter()
        .map(|(keys, help)| {
            Line::from(vec![
                Span::styled(format!(" {} ", fit(&keys, key_width)), Style::new().bold()),
                Span::raw(help),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::raw(" In the composer Enter starts a new line and ## picks a saved").dim());
    lines.push(Line::raw(" reply; ## then Esc writes a literal ##.").dim());
    lines.push(Line::raw(" Ctrl+C always quits; a reply being written is kept as a draft.").dim());
    if !state.keymap.enhanced_keys {
        lines.push(Line::raw(" This terminal does not report Ctrl+Enter apart from Enter;").dim());
        lines.push(Line::raw(" use the other send keys, or keyboard_protocol = \"on\".").dim());
    }
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(66.min(area.width))])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::bordered().title(" Keys — any key closes ");
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
