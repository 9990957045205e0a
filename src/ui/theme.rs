//! The theme applied to a drawn frame: each default colour replaced by the configured one, then
//! brought within the terminal's colours (24-bit, 256, 16, or none).

use ratatui::buffer::Buffer;
use ratatui::style::Color;

use crate::config::theme::{Depth, Theme};

pub fn apply(buffer: &mut Buffer, theme: &Theme) {
    if theme.replace.is_empty() && theme.depth == Depth::Truecolor {
        return;
    }
    for cell in &mut buffer.content {
        cell.fg = colour(cell.fg, theme);
        cell.bg = colour(cell.bg, theme);
    }
}

fn colour(colour: Color, theme: &Theme) -> Color {
    let colour = theme
        .replace
        .iter()
        .find(|(from, _)| *from == colour)
        .map_or(colour, |(_, to)| *to);
    match (theme.depth, colour) {
        (Depth::None, _) => Color::Reset,
        (Depth::Basic16, Color::Rgb(r, g, b)) => nearest_basic(r, g, b),
        (Depth::Basic16, Color::Indexed(i)) => {
            let (r, g, b) = indexed_rgb(i);
            nearest_basic(r, g, b)
        }
        (Depth::Palette256, Color::Rgb(r, g, b)) => Color::Indexed(nearest_256(r, g, b)),
        (_, colour) => colour,
    }
}

/// The 16 colours as xterm shows them by default, for finding the nearest.
const BASIC: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn nearest_basic(r: u8, g: u8, b: u8) -> Color {
    let distance = |(cr, cg, cb): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(r, cr) + d(g, cg) + d(b, cb)
    };
    BASIC
        .iter()
        .min_by_key(|(_, rgb)| distance(*rgb))
        .map_or(Color::Reset, |(colour, _)| *colour)
}

/// The xterm 256-colour palette: 16 basic, a 6×6×6 cube, 24 greys.
fn indexed_rgb(index: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match index {
        0..=15 => BASIC[usize::from(index)].1,
        16..=231 => {
            let i = index - 16;
            (
                LEVELS[usize::from(i / 36)],
                LEVELS[usize::from(i / 6 % 6)],
                LEVELS[usize::from(i % 6)],
            )
        }
        _ => {
            let grey = 8 + (index - 232) * 10;
            (grey, grey, grey)
        }
    }
}

fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| -> u8 {
        match v {
            0..=47 => 0,
            48..=114 => 1,
            _ => (v - 35) / 40,
        }
    };
    16 + 36 * level(r) + 6 * level(g) + level(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_replaced_then_fitted_to_the_terminal() {
        let theme = Theme {
            replace: vec![(Color::Cyan, Color::Rgb(0x5f, 0x87, 0xff))],
            depth: Depth::Basic16,
        };
        assert_eq!(colour(Color::Cyan, &theme), Color::LightBlue);
        assert_eq!(colour(Color::Red, &theme), Color::Red);
        assert_eq!(colour(Color::Rgb(250, 10, 10), &theme), Color::LightRed);
        let wide = Theme {
            depth: Depth::Palette256,
            ..theme.clone()
        };
        assert_eq!(
            colour(Color::Cyan, &wide),
            Color::Indexed(16 + 36 + 2 * 6 + 5)
        );
        let none = Theme {
            depth: Depth::None,
            ..theme
        };
        assert_eq!(colour(Color::Yellow, &none), Color::Reset);
    }
}
