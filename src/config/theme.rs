//! `[theme]`: hark's colours. The inbox is drawn with the terminal's own 16 colours (so it
//! follows a dark or a light palette); each of the colour roles below can be given another
//! colour, and the whole can be limited to what the terminal shows, or turned off.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::Color;
use serde::Deserialize;

/// The colour roles, each with the terminal colour it is drawn with by default.
pub const ROLES: [(&str, Color, &str); 7] = [
    ("accent", Color::Cyan, "the focused pane, shortcuts, links"),
    (
        "muted",
        Color::DarkGray,
        "secondary text: times, previews, hints",
    ),
    (
        "warning",
        Color::Yellow,
        "due soon, unread marks, highlights",
    ),
    ("error", Color::Red, "errors, overdue, failed replies"),
    (
        "special",
        Color::Magenta,
        "notes, private replies, Help Scout",
    ),
    ("success", Color::Green, "sent, positive"),
    ("info", Color::Blue, "your own messages"),
];

/// How many colours to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Depth {
    /// From COLORTERM and TERM; none when NO_COLOR is set.
    #[default]
    Auto,
    /// The 24-bit colours of tags and of `#rrggbb` as they are.
    Truecolor,
    /// Only the 256-colour palette.
    #[serde(rename = "256")]
    Palette256,
    /// Only the terminal's 16 colours.
    #[serde(rename = "16")]
    Basic16,
    /// No colour at all (bold and reverse still mark what matters).
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ThemeConfig {
    #[serde(default)]
    pub colours: Depth,
    /// Web addresses on screen as clickable OSC 8 hyperlinks (not on the Linux console).
    #[serde(default = "on")]
    pub hyperlinks: bool,
    /// Role name → colour: a name (red, light-blue…), `#rrggbb`, or a palette number 0–255.
    #[serde(flatten)]
    pub roles: BTreeMap<String, String>,
}

fn on() -> bool {
    true
}

/// The theme as drawn: which default colours become what, and the colour depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// Default colour → the configured one.
    pub replace: Vec<(Color, Color)>,
    pub depth: Depth,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            replace: Vec::new(),
            depth: Depth::Truecolor,
        }
    }
}

impl Default for ThemeConfig {
    fn default() -> Self {
        ThemeConfig {
            colours: Depth::Auto,
            hyperlinks: true,
            roles: BTreeMap::new(),
        }
    }
}

impl ThemeConfig {
    /// The theme, with `auto` settled from the environment; or what is wrong, by role.
    pub fn theme(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Theme, String> {
        let mut replace = Vec::new();
        for (role, value) in &self.roles {
            let Some((_, default, _)) = ROLES.iter().find(|(name, ..)| name == role) else {
                let names: Vec<&str> = ROLES.iter().map(|(name, ..)| *name).collect();
                return Err(format!(
                    "[theme] has no colour role '{role}'; the roles are {} (and `colours`)",
                    names.join(", ")
                ));
            };
            let colour =
                parse_colour(value).map_err(|message| format!("[theme] {role}: {message}"))?;
            replace.push((*default, colour));
        }
        let depth = match self.colours {
            Depth::Auto => auto_depth(env),
            depth => depth,
        };
        Ok(Theme { replace, depth })
    }
}

/// A colour as written: a name (red, light-blue, dark-gray…), `#rrggbb`, or 0–255.
pub fn parse_colour(text: &str) -> Result<Color, String> {
    let text = text.trim();
    if let Ok(index) = text.parse::<u8>() {
        return Ok(Color::Indexed(index));
    }
    let valid_hex = text
        .strip_prefix('#')
        .is_none_or(|hex| hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    match Color::from_str(text) {
        Ok(colour) if valid_hex => Ok(colour),
        _ => Err(format!(
            "'{text}' is not a colour: use a name like red or light-blue, #rrggbb, or a number 0–255"
        )),
    }
}

/// NO_COLOR (when set and not empty) turns colour off; COLORTERM=truecolor|24bit allows 24-bit
/// colour; a TERM with 256color the 256 palette; anything else gets the 16 colours.
fn auto_depth(env: &dyn Fn(&str) -> Option<String>) -> Depth {
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return Depth::None;
    }
    if env("COLORTERM").is_some_and(|v| v == "truecolor" || v == "24bit") {
        return Depth::Truecolor;
    }
    match env("TERM") {
        Some(term) if term.contains("256color") => Depth::Palette256,
        Some(term) if term == "dumb" => Depth::None,
        _ => Depth::Basic16,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn roles_take_names_hex_and_palette_numbers_and_bad_ones_are_named() {
        let config: ThemeConfig =
            toml::from_str("accent = \"light-blue\"\nerror = \"#ff5f5f\"\nmuted = \"244\"")
                .unwrap();
        let theme = config.theme(&env(&[("COLORTERM", "truecolor")])).unwrap();
        assert!(theme.replace.contains(&(Color::Cyan, Color::LightBlue)));
        assert!(
            theme
                .replace
                .contains(&(Color::Red, Color::Rgb(0xff, 0x5f, 0x5f)))
        );
        assert!(
            theme
                .replace
                .contains(&(Color::DarkGray, Color::Indexed(244)))
        );
        assert_eq!(theme.depth, Depth::Truecolor);

        let bad: ThemeConfig = toml::from_str("accent = \"bluish\"").unwrap();
        let err = bad.theme(&env(&[])).unwrap_err();
        assert_eq!(
            err,
            "[theme] accent: 'bluish' is not a colour: use a name like red or light-blue, #rrggbb, or a number 0–255"
        );
        let short: ThemeConfig = toml::from_str("error = \"#f00\"").unwrap();
        assert!(
            short
                .theme(&env(&[]))
                .unwrap_err()
                .contains("'#f00' is not a colour")
        );
        let unknown: ThemeConfig = toml::from_str("background = \"red\"").unwrap();
        assert!(
            unknown
                .theme(&env(&[]))
                .unwrap_err()
                .contains("no colour role 'background'")
        );
    }

    #[test]
    fn the_depth_follows_no_color_and_the_terminal() {
        let auto = ThemeConfig::default();
        assert_eq!(
            auto.theme(&env(&[("NO_COLOR", "1")])).unwrap().depth,
            Depth::None
        );
        assert_eq!(
            auto.theme(&env(&[("NO_COLOR", "")])).unwrap().depth,
            Depth::Basic16
        );
        assert_eq!(
            auto.theme(&env(&[("TERM", "xterm-256color")]))
                .unwrap()
                .depth,
            Depth::Palette256
        );
        assert_eq!(
            auto.theme(&env(&[("TERM", "linux")])).unwrap().depth,
            Depth::Basic16
        );
        let forced: ThemeConfig = toml::from_str("colours = \"16\"").unwrap();
        assert_eq!(
            forced.theme(&env(&[("NO_COLOR", "1")])).unwrap().depth,
            Depth::Basic16
        );
    }
}
