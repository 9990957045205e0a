//! Keys are bound to commands, never the other way round: the help overlay and the footer are
//! generated from the same live table, so what they say is what the keys do. The config's
//! `[keys]` table replaces the keys of any command.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Everything a key can be bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    MoveDown,
    MoveUp,
    Top,
    Bottom,
    NextPane,
    PreviousPane,
    PaneLeft,
    PaneRight,
    Activate,
    Leave,
    ToggleClosed,
    ToggleLike,
    SendCloseNext,
    Search,
    SavedReplies,
    Tag,
    Assign,
    Snooze,
    Priority,
    Sort,
    Mark,
    Note,
    Profile,
    Rules,
    Retry,
    EditFailed,
    Hide,
    PrivateReply,
    Report,
    OpenPost,
    CopyLink,
    OpenEditor,
    Help,
    Quit,
}

/// Where a binding applies: only while browsing, or also while writing in the composer or a
/// prompt (where every other key types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Browse,
    Everywhere,
}

impl Command {
    pub const ALL: &'static [Command] = &[
        Command::MoveDown,
        Command::MoveUp,
        Command::Top,
        Command::Bottom,
        Command::NextPane,
        Command::PreviousPane,
        Command::PaneLeft,
        Command::PaneRight,
        Command::Activate,
        Command::Leave,
        Command::ToggleClosed,
        Command::ToggleLike,
        Command::SendCloseNext,
        Command::Search,
        Command::SavedReplies,
        Command::Tag,
        Command::Assign,
        Command::Snooze,
        Command::Priority,
        Command::Sort,
        Command::Mark,
        Command::Note,
        Command::Profile,
        Command::Rules,
        Command::Retry,
        Command::EditFailed,
        Command::Hide,
        Command::PrivateReply,
        Command::Report,
        Command::OpenPost,
        Command::CopyLink,
        Command::OpenEditor,
        Command::Help,
        Command::Quit,
    ];

    /// The name used in the config's `[keys]` table.
    pub fn name(self) -> &'static str {
        match self {
            Command::MoveDown => "move_down",
            Command::MoveUp => "move_up",
            Command::Top => "top",
            Command::Bottom => "bottom",
            Command::NextPane => "next_pane",
            Command::PreviousPane => "previous_pane",
            Command::PaneLeft => "pane_left",
            Command::PaneRight => "pane_right",
            Command::Activate => "activate",
            Command::Leave => "leave",
            Command::ToggleClosed => "toggle_closed",
            Command::ToggleLike => "toggle_like",
            Command::SendCloseNext => "send_close_next",
            Command::Search => "search",
            Command::SavedReplies => "saved_replies",
            Command::Tag => "tag",
            Command::Assign => "assign",
            Command::Snooze => "snooze",
            Command::Priority => "priority",
            Command::Sort => "sort",
            Command::Mark => "mark",
            Command::Note => "note",
            Command::Profile => "profile",
            Command::Rules => "rules",
            Command::Retry => "retry",
            Command::EditFailed => "edit_failed",
            Command::Hide => "hide",
            Command::PrivateReply => "private_reply",
            Command::Report => "report",
            Command::OpenPost => "open_post",
            Command::CopyLink => "copy_link",
            Command::OpenEditor => "open_editor",
            Command::Help => "help",
            Command::Quit => "quit",
        }
    }

    /// What the command does, for the help overlay and the footer.
    pub fn help(self) -> &'static str {
        match self {
            Command::MoveDown => "down",
            Command::MoveUp => "up",
            Command::Top => "first",
            Command::Bottom => "last",
            Command::NextPane => "next pane",
            Command::PreviousPane => "previous pane",
            Command::PaneLeft => "pane to the left",
            Command::PaneRight => "pane to the right",
            Command::Activate => "open folder / write a reply",
            Command::Leave => "leave composer / search / help",
            Command::ToggleClosed => "close (or reopen)",
            Command::ToggleLike => "like (or unlike)",
            Command::SendCloseNext => "send, close, next",
            Command::Search => "search",
            Command::SavedReplies => "manage saved replies",
            Command::Tag => "tags: add, remove, create",
            Command::Assign => "assign to a teammate",
            Command::Snooze => "snooze until…",
            Command::Priority => "priority: normal/high/urgent",
            Command::Sort => "sort: newest, oldest, priority",
            Command::Mark => "mark for a bulk change",
            Command::Note => "note for the team (never sent)",
            Command::Profile => "customer profile",
            Command::Rules => "list the rules",
            Command::Retry => "send a failed reply again",
            Command::EditFailed => "edit a failed reply",
            Command::Hide => "hide (or show) their reply",
            Command::PrivateReply => "answer their comment privately",
            Command::Report => "report with charts",
            Command::OpenPost => "open the original post",
            Command::CopyLink => "copy the post's link",
            Command::OpenEditor => "write the reply in $EDITOR",
            Command::Help => "help",
            Command::Quit => "quit",
        }
    }

    fn scope(self) -> Scope {
        match self {
            Command::SendCloseNext | Command::Leave | Command::OpenEditor => Scope::Everywhere,
            _ => Scope::Browse,
        }
    }
}

/// A key with its modifiers, as written in the config ("ctrl+enter", "G", "?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    const fn with(code: KeyCode, modifiers: KeyModifiers) -> Key {
        Key { code, modifiers }
    }

    /// Whether a terminal can only tell this key apart with the kitty keyboard protocol
    /// (legacy terminals send the same byte for Enter, Ctrl+Enter and Shift+Enter).
    pub fn needs_keyboard_protocol(self) -> bool {
        matches!(
            self.code,
            KeyCode::Enter | KeyCode::Tab | KeyCode::Backspace | KeyCode::Esc
        ) && self
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::SUPER | KeyModifiers::SHIFT)
    }

    /// Reads "ctrl+s", "alt+enter", "super+enter" (or "cmd+enter"), "shift+tab", "G", "?"…
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut parts: Vec<&str> = text.split('+').collect();
        // "ctrl++" binds the plus key.
        if text.ends_with("++") {
            parts.truncate(parts.len() - 2);
            parts.push("+");
        }
        let Some((last, mods)) = parts.split_last() else {
            return Err(format!("'{text}' is not a key"));
        };
        for modifier in mods {
            modifiers |= match modifier.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => KeyModifiers::CONTROL,
                "alt" | "option" | "meta" => KeyModifiers::ALT,
                "shift" => KeyModifiers::SHIFT,
                "super" | "cmd" | "command" | "win" => KeyModifiers::SUPER,
                other => {
                    return Err(format!(
                        "'{other}' in '{text}' is not a modifier (use ctrl, alt, shift or super)"
                    ));
                }
            };
        }
        let code = match last.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "esc" | "escape" => KeyCode::Esc,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            _ => {
                let mut chars = last.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("'{last}' in '{text}' is not a key name")),
                }
            }
        };
        // Shift+Tab arrives as BackTab; a shifted letter arrives as the capital letter.
        let key = match (code, modifiers.contains(KeyModifiers::SHIFT)) {
            (KeyCode::Tab, true) => Key::with(KeyCode::BackTab, modifiers - KeyModifiers::SHIFT),
            (KeyCode::Char(c), true) if c.is_alphabetic() => Key::with(
                KeyCode::Char(c.to_uppercase().next().unwrap_or(c)),
                modifiers - KeyModifiers::SHIFT,
            ),
            _ => Key::with(code, modifiers),
        };
        Ok(key)
    }

    /// The key as a key press reports it, for comparison: Shift is part of a character.
    fn from_event(event: KeyEvent) -> Key {
        match event.code {
            KeyCode::Char(_) => Key::with(event.code, event.modifiers - KeyModifiers::SHIFT),
            KeyCode::BackTab => Key::with(event.code, event.modifiers - KeyModifiers::SHIFT),
            _ => Key::with(event.code, event.modifiers),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (flag, name) in [
            (KeyModifiers::CONTROL, "Ctrl+"),
            (KeyModifiers::SUPER, "Cmd+"),
            (KeyModifiers::ALT, "Alt+"),
            (KeyModifiers::SHIFT, "Shift+"),
        ] {
            if self.modifiers.contains(flag) {
                f.write_str(name)?;
            }
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if !self.modifiers.is_empty() => write!(f, "{}", c.to_uppercase()),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift+Tab"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    /// Keys of each command, in the order they are shown.
    bindings: BTreeMap<Command, Vec<Key>>,
    /// Whether this terminal reports keys that need the kitty keyboard protocol.
    pub enhanced_keys: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("[keys]: '{0}' is not a command (commands: {1})")]
    UnknownCommand(String, String),
    #[error("[keys] {command}: {message}")]
    BadKey { command: String, message: String },
    #[error("[keys]: {key} is bound to both {first} and {second}")]
    Conflict {
        key: String,
        first: &'static str,
        second: &'static str,
    },
}

impl Default for Keymap {
    fn default() -> Self {
        use Command::*;
        use KeyCode::*;
        const CTRL: KeyModifiers = KeyModifiers::CONTROL;
        let mut bindings = BTreeMap::new();
        let mut bind = |command, keys: &[Key]| {
            bindings.insert(command, keys.to_vec());
        };
        bind(MoveDown, &[Key::plain(Char('j')), Key::plain(Down)]);
        bind(MoveUp, &[Key::plain(Char('k')), Key::plain(Up)]);
        bind(Top, &[Key::plain(Char('g')), Key::plain(Home)]);
        bind(Bottom, &[Key::plain(Char('G')), Key::plain(End)]);
        bind(NextPane, &[Key::plain(Tab)]);
        bind(PreviousPane, &[Key::plain(BackTab)]);
        bind(PaneLeft, &[Key::plain(Char('h')), Key::plain(Left)]);
        bind(PaneRight, &[Key::plain(Char('l')), Key::plain(Right)]);
        bind(Activate, &[Key::plain(Enter)]);
        bind(Leave, &[Key::plain(Esc)]);
        bind(ToggleClosed, &[Key::plain(Char('c'))]);
        bind(ToggleLike, &[Key::plain(Char('f'))]);
        bind(
            SendCloseNext,
            &[
                Key::with(Enter, CTRL),
                Key::with(Enter, KeyModifiers::SUPER),
                Key::with(Char('s'), CTRL),
                Key::with(Enter, KeyModifiers::ALT),
            ],
        );
        bind(Search, &[Key::plain(Char('/'))]);
        bind(SavedReplies, &[Key::plain(Char('s'))]);
        bind(Tag, &[Key::plain(Char('t'))]);
        bind(Assign, &[Key::plain(Char('a'))]);
        bind(Snooze, &[Key::plain(Char('z'))]);
        bind(Priority, &[Key::plain(Char('!'))]);
        bind(Sort, &[Key::plain(Char('o'))]);
        bind(Mark, &[Key::plain(Char(' ')), Key::plain(Char('x'))]);
        bind(Note, &[Key::plain(Char('n'))]);
        bind(Profile, &[Key::plain(Char('p'))]);
        bind(Rules, &[Key::plain(Char('W'))]);
        bind(Retry, &[Key::plain(Char('r'))]);
        bind(EditFailed, &[Key::plain(Char('e'))]);
        bind(Hide, &[Key::plain(Char('H'))]);
        bind(PrivateReply, &[Key::plain(Char('P'))]);
        bind(Report, &[Key::plain(Char('R'))]);
        bind(OpenEditor, &[Key::with(Char('o'), CTRL)]);
        bind(OpenPost, &[Key::plain(Char('O'))]);
        bind(CopyLink, &[Key::plain(Char('y'))]);
        bind(Help, &[Key::plain(Char('?'))]);
        // Ctrl+C always quits, whatever the keymap says (see `update`).
        bind(Quit, &[Key::plain(Char('q'))]);
        Keymap {
            bindings,
            enhanced_keys: false,
        }
    }
}

impl Keymap {
    /// The default keymap with the config's `[keys]` table applied: each command named there
    /// gets exactly the keys listed.
    pub fn with_overrides(
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default();
        for (name, keys) in overrides {
            let command = Command::ALL
                .iter()
                .copied()
                .find(|c| c.name() == name)
                .ok_or_else(|| {
                    let names: Vec<&str> = Command::ALL.iter().map(|c| c.name()).collect();
                    KeymapError::UnknownCommand(name.clone(), names.join(", "))
                })?;
            let parsed = keys
                .iter()
                .map(|key| Key::parse(key))
                .collect::<Result<Vec<Key>, String>>()
                .map_err(|message| KeymapError::BadKey {
                    command: name.clone(),
                    message,
                })?;
            keymap.bindings.insert(command, parsed);
        }
        keymap.check_conflicts()?;
        Ok(keymap)
    }

    fn check_conflicts(&self) -> Result<(), KeymapError> {
        let mut seen: Vec<(Key, Command)> = Vec::new();
        for (command, keys) in &self.bindings {
            for key in keys {
                if let Some((_, other)) = seen
                    .iter()
                    .find(|(k, other)| k == key && scopes_overlap(other.scope(), command.scope()))
                {
                    return Err(KeymapError::Conflict {
                        key: key.to_string(),
                        first: other.name(),
                        second: command.name(),
                    });
                }
                seen.push((*key, *command));
            }
        }
        Ok(())
    }

    /// The command a key press means while browsing (`typing` false) or while writing.
    pub fn command_for(&self, event: KeyEvent, typing: bool) -> Option<Command> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let key = Key::from_event(event);
        self.bindings.iter().find_map(|(command, keys)| {
            let in_scope = command.scope() == Scope::Everywhere || !typing;
            (in_scope && keys.contains(&key)).then_some(*command)
        })
    }

    /// The keys of a command that work in this terminal.
    pub fn keys(&self, command: Command) -> Vec<Key> {
        self.bindings
            .get(&command)
            .map(|keys| {
                keys.iter()
                    .copied()
                    .filter(|key| self.enhanced_keys || !key.needs_keyboard_protocol())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The keys of a command written for people: "j/↓".
    pub fn label(&self, command: Command) -> String {
        let keys: Vec<String> = self.keys(command).iter().map(Key::to_string).collect();
        keys.join("/")
    }

    /// The first working key of a command, for short hints: "Ctrl+S".
    pub fn first_label(&self, command: Command) -> String {
        self.keys(command)
            .first()
            .map(Key::to_string)
            .unwrap_or_else(|| format!("({} is unbound)", command.name()))
    }

    /// Every command with its working keys, for the help overlay.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        Command::ALL
            .iter()
            .map(|command| (self.label(*command), command.help()))
            .filter(|(keys, _)| !keys.is_empty())
            .collect()
    }
}

fn scopes_overlap(a: Scope, b: Scope) -> bool {
    a == b || a == Scope::Everywhere || b == Scope::Everywhere
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_mean_commands_by_scope() {
        let keymap = Keymap::default();
        let browse = |code, mods| keymap.command_for(press(code, mods), false);
        let typing = |code, mods| keymap.command_for(press(code, mods), true);
        assert_eq!(
            browse(KeyCode::Char('j'), KeyModifiers::NONE),
            Some(Command::MoveDown)
        );
        assert_eq!(
            browse(KeyCode::Char('G'), KeyModifiers::SHIFT),
            Some(Command::Bottom)
        );
        assert_eq!(
            typing(KeyCode::Char('j'), KeyModifiers::NONE),
            None,
            "j types a j"
        );
        assert_eq!(
            typing(KeyCode::Enter, KeyModifiers::CONTROL),
            Some(Command::SendCloseNext)
        );
        assert_eq!(
            typing(KeyCode::Enter, KeyModifiers::SUPER),
            Some(Command::SendCloseNext)
        );
        assert_eq!(
            typing(KeyCode::Char('s'), KeyModifiers::CONTROL),
            Some(Command::SendCloseNext)
        );
        assert_eq!(
            typing(KeyCode::Enter, KeyModifiers::ALT),
            Some(Command::SendCloseNext)
        );
        assert_eq!(
            typing(KeyCode::Enter, KeyModifiers::NONE),
            None,
            "Enter is a newline"
        );
        assert_eq!(
            typing(KeyCode::Esc, KeyModifiers::NONE),
            Some(Command::Leave)
        );
    }

    #[test]
    fn only_keys_this_terminal_reports_are_shown() {
        let mut keymap = Keymap::default();
        assert_eq!(keymap.first_label(Command::SendCloseNext), "Ctrl+S");
        assert_eq!(keymap.label(Command::SendCloseNext), "Ctrl+S/Alt+Enter");
        keymap.enhanced_keys = true;
        assert_eq!(keymap.first_label(Command::SendCloseNext), "Ctrl+Enter");
        assert_eq!(
            keymap.label(Command::SendCloseNext),
            "Ctrl+Enter/Cmd+Enter/Ctrl+S/Alt+Enter"
        );
    }

    #[test]
    fn key_names_parse() {
        assert_eq!(
            Key::parse("ctrl+enter"),
            Ok(Key::with(KeyCode::Enter, KeyModifiers::CONTROL))
        );
        assert_eq!(
            Key::parse("cmd+Enter"),
            Ok(Key::with(KeyCode::Enter, KeyModifiers::SUPER))
        );
        assert_eq!(Key::parse("shift+g"), Ok(Key::plain(KeyCode::Char('G'))));
        assert_eq!(Key::parse("shift+tab"), Ok(Key::plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("?"), Ok(Key::plain(KeyCode::Char('?'))));
        assert_eq!(
            Key::parse("ctrl++"),
            Ok(Key::with(KeyCode::Char('+'), KeyModifiers::CONTROL))
        );
        assert!(
            Key::parse("hyper+x")
                .unwrap_err()
                .contains("not a modifier")
        );
        assert!(Key::parse("banana").unwrap_err().contains("not a key name"));
    }

    #[test]
    fn overrides_replace_a_commands_keys_and_conflicts_are_refused() {
        let overrides = BTreeMap::from([("toggle_closed".to_string(), vec!["Y".to_string()])]);
        let keymap = Keymap::with_overrides(&overrides).unwrap();
        assert_eq!(
            keymap.command_for(press(KeyCode::Char('Y'), KeyModifiers::NONE), false),
            Some(Command::ToggleClosed)
        );
        assert_eq!(
            keymap.command_for(press(KeyCode::Char('c'), KeyModifiers::NONE), false),
            None
        );

        let clash = BTreeMap::from([("toggle_like".to_string(), vec!["j".to_string()])]);
        let err = Keymap::with_overrides(&clash).unwrap_err().to_string();
        assert!(err.contains("j is bound to both"), "{err}");
        let unknown = BTreeMap::from([("explode".to_string(), vec!["x".to_string()])]);
        assert!(
            Keymap::with_overrides(&unknown)
                .unwrap_err()
                .to_string()
                .contains("'explode' is not a command")
        );
    }
}
