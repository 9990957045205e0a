//! The `??` picker: Help Scout Docs articles found for what was typed, above the composer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::AppState;
use crate::app::docs_picker::{DocsResults, SHOWN};
use crate::text::{sanitize_line, truncate};

pub fn draw(frame: &mut Frame<'_>, above: Rect, state: &AppState) {
    let Some(picker) = state.composer.as_ref().and_then(|c| c.docs.as_ref()) else {
        return;
    };
    let width = usize::from(above.width).saturating_sub(2);
    let dim = Style::new().fg(Color::DarkGray);
    let mut lines: Vec<Line<'static>> = Vec::new();
    match &picker.results {
        DocsResults::Waiting => lines.push(Line::styled("Type to search Help Scout Docs", dim)),
        DocsResults::Searching => lines.push(Line::styled("Searching…", dim)),
        DocsResults::Failed(message) => lines.push(Line::styled(
            truncate(&sanitize_line(message), width).into_owned(),
            Style::new().fg(Color::Red),
        )),
        DocsResults::Found { articles, note } => {
            if let Some(note) = note {
                lines.push(Line::styled(
                    truncate(&sanitize_line(note), width).into_owned(),
                    Style::new().fg(Color::Yellow),
                ));
            }
            if articles.is_empty() {
                lines.push(Line::styled(
                    format!("No article matches “{}”", sanitize_line(&picker.query)),
                    dim,
                ));
            }
            for (position, article) in articles.iter().take(SHOWN).enumerate() {
                let title = sanitize_line(&article.name);
                let used = crate::text::width(&title);
                let preview = truncate(
                    &sanitize_line(&article.preview),
                    width.saturating_sub(used + 2),
                )
                .into_owned();
                let mut line = Line::from(vec![
                    Span::styled(title, Style::new().bold()),
                    Span::styled(format!("  {preview}"), dim),
                ]);
                if position == picker.selected {
                    line = line.patch_style(Style::new().add_modifier(Modifier::REVERSED));
                }
                lines.push(line);
            }
        }
    }
    super::draw_composer_picker(
        frame,
        above,
        lines,
        ("Help Scout Docs", "??", &picker.query),
        Color::Magenta,
    );
}
