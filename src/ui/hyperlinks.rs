//! Web addresses on screen made clickable with OSC 8 hyperlinks, for terminals that follow
//! them (others ignore the sequences). Each cell of an address carries its own open and close
//! sequence around its one glyph, with a declared width, so ratatui's diffing redraws any cell
//! alone without breaking the link or the layout. Only an address whole on its row is linked:
//! one cut by the edge of a pane or by "…" would lead somewhere else.

use std::num::NonZeroU16;

use ratatui::buffer::{Buffer, CellDiffOption};

pub fn apply(buffer: &mut Buffer) {
    let area = buffer.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let Some((end, url)) = address_at(buffer, x, y) else {
                x += 1;
                continue;
            };
            for cx in x..end {
                let cell = &mut buffer[(cx, y)];
                let glyph = cell.symbol().to_owned();
                if glyph.is_empty() {
                    continue;
                }
                let width = NonZeroU16::new(crate::text::width(&glyph).max(1) as u16)
                    .unwrap_or(NonZeroU16::MIN);
                cell.set_symbol(&format!("\x1b]8;;{url}\x1b\\{glyph}\x1b]8;;\x1b\\"));
                cell.diff_option = CellDiffOption::ForcedWidth(width);
            }
            x = end;
        }
    }
}

/// A whole address starting at (x, y): where it ends and its text.
fn address_at(buffer: &Buffer, x: u16, y: u16) -> Option<(u16, String)> {
    let starts = ["https://", "http://"];
    let first = buffer[(x, y)].symbol();
    if first != "h" || (x > buffer.area.left() && !is_boundary(buffer[(x - 1, y)].symbol())) {
        return None;
    }
    let mut text = String::new();
    let mut end = x;
    while end < buffer.area.right() {
        let symbol = buffer[(end, y)].symbol();
        if is_boundary(symbol) {
            break;
        }
        text.push_str(symbol);
        end += 1;
    }
    let cut = end == buffer.area.right() || text.contains('…');
    let url = text.trim_end_matches(['.', ',', ')', ';', ':', '!', '?', '"', '\'']);
    let end = end - (text.chars().count() - url.chars().count()) as u16;
    let host = starts.iter().find_map(|s| url.strip_prefix(s))?;
    if cut || host.is_empty() || url.chars().any(|c| c.is_control() || c == '\x1b') {
        return None;
    }
    Some((end, url.to_owned()))
}

/// Where an address stops: space, a border, or nothing drawn.
fn is_boundary(symbol: &str) -> bool {
    symbol.is_empty()
        || symbol.chars().all(char::is_whitespace)
        || symbol
            .chars()
            .any(|c| ('\u{2500}'..='\u{259f}').contains(&c) || c == '<' || c == '>')
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    fn row(text: &str, width: u16) -> Buffer {
        let mut buffer = Buffer::empty(Rect::new(0, 0, width, 1));
        buffer.set_string(0, 0, text, ratatui::style::Style::new());
        buffer
    }

    #[test]
    fn a_whole_address_is_linked_cell_by_cell() {
        let mut buffer = row("see https://m.example/@kim/1. thanks", 40);
        apply(&mut buffer);
        assert_eq!(buffer[(3, 0)].symbol(), " ");
        assert_eq!(
            buffer[(4, 0)].symbol(),
            "\u{1b}]8;;https://m.example/@kim/1\u{1b}\\h\u{1b}]8;;\u{1b}\\"
        );
        assert_eq!(
            buffer[(4, 0)].diff_option,
            CellDiffOption::ForcedWidth(NonZeroU16::MIN)
        );
        // The full stop after it is not part of it.
        assert_eq!(buffer[(28, 0)].symbol(), ".");
        assert_eq!(buffer[(29, 0)].symbol(), " ");
    }

    #[test]
    fn cut_addresses_and_lookalikes_are_left_alone() {
        for text in [
            "go to https://m.example/a-very-long-path",
            "https://m.example/cut…",
            "xhttps://m.example/",
            "https://",
        ] {
            let mut buffer = row(text, 30);
            let before = buffer.clone();
            apply(&mut buffer);
            assert_eq!(buffer, before, "{text}");
        }
    }
}
