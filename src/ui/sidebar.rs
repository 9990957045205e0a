//! The folder sidebar: each folder with its count.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState};

use super::focus_style;
use crate::app::{AppState, Pane};
use crate::text::{fit, sanitize_line};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let focused = state.focus == Pane::Folders;
    let block = Block::new()
        .borders(Borders::RIGHT)
        .border_style(focus_style(focused));
    let inner_width = usize::from(area.width).saturating_sub(1);
    let items: Vec<ListItem<'_>> = state
        .folder_entries()
        .into_iter()
        .map(|(folder, name, count)| {
            let count = count.to_string();
            let name_width = inner_width.saturating_sub(count.len() + 2);
            let current = folder == state.folder;
            let style = if current {
                Style::new().bold()
            } else {
                Style::new()
            };
            Line::from(vec![
                Span::styled(
                    format!(" {}", fit(&sanitize_line(&name), name_width)),
                    style,
                ),
                Span::raw(format!("{count} ")).dim(),
            ])
            .into()
        })
        .collect();
    let list = List::new(items).block(block).highlight_style(if focused {
        Style::new().reversed()
    } else {
        Style::new()
    });
    let mut list_state = ListState::default().with_selected(Some(state.folder_cursor));
    frame.render_stateful_widget(list, area, &mut list_state);
}
