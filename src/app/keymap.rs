//! Keys bound to actions. The help and the footer are generated from the same table, so what
//! they say is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::Action;

/// One binding: the key, how to write it, and what it does.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
}

const fn bind(code: KeyCode, label: &'static str, action: Action, help: &'static str) -> Binding {
    Binding {
        code,
        modifiers: KeyModifiers::NONE,
        label,
        action,
        help,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: vec![
                bind(
                    KeyCode::Char('j'),
                    "j",
                    Action::MoveDown,
                    "next conversation",
                ),
                bind(KeyCode::Down, "↓", Action::MoveDown, "next conversation"),
                bind(
                    KeyCode::Char('k'),
                    "k",
                    Action::MoveUp,
                    "previous conversation",
                ),
                bind(KeyCode::Up, "↑", Action::MoveUp, "previous conversation"),
                bind(KeyCode::Char('g'), "g", Action::Top, "first conversation"),
                bind(KeyCode::Home, "Home", Action::Top, "first conversation"),
                bind(KeyCode::Char('G'), "G", Action::Bottom, "last conversation"),
                bind(KeyCode::End, "End", Action::Bottom, "last conversation"),
                bind(KeyCode::Char('q'), "q", Action::Quit, "quit"),
                Binding {
                    code: KeyCode::Char('c'),
                    modifiers: KeyModifiers::CONTROL,
                    label: "Ctrl+C",
                    action: Action::Quit,
                    help: "quit",
                },
            ],
        }
    }
}

impl Keymap {
    /// The action a key press is bound to, if any. Shift is part of the character itself
    /// ('G'), so it is ignored for character keys.
    pub fn action_for(&self, key: KeyEvent) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let modifiers = match key.code {
            KeyCode::Char(_) => key.modifiers - KeyModifiers::SHIFT,
            _ => key.modifiers,
        };
        self.bindings
            .iter()
            .find(|b| b.code == key.code && b.modifiers == modifiers)
            .map(|b| b.action.clone())
    }

    /// "j/↓ next conversation" style hints for the footer, one per action.
    pub fn footer(&self) -> Vec<(String, &'static str)> {
        let mut hints: Vec<(String, &'static str)> = Vec::new();
        for binding in &self.bindings {
            match hints.iter_mut().find(|(_, help)| *help == binding.help) {
                Some((keys, _)) => {
                    keys.push('/');
                    keys.push_str(binding.label);
                }
                None => hints.push((binding.label.to_string(), binding.help)),
            }
        }
        hints
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_actions_and_shift_is_part_of_the_letter() {
        let keymap = Keymap::default();
        let press = |code, modifiers| keymap.action_for(KeyEvent::new(code, modifiers));
        assert_eq!(
            press(KeyCode::Char('j'), KeyModifiers::NONE),
            Some(Action::MoveDown)
        );
        assert_eq!(
            press(KeyCode::Char('G'), KeyModifiers::SHIFT),
            Some(Action::Bottom)
        );
        assert_eq!(
            press(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Action::Quit)
        );
        assert_eq!(press(KeyCode::Char('x'), KeyModifiers::NONE), None);
    }

    #[test]
    fn the_footer_groups_keys_of_one_action() {
        let footer = Keymap::default().footer();
        assert!(footer.contains(&("j/↓".to_string(), "next conversation")));
        assert!(footer.contains(&("q/Ctrl+C".to_string(), "quit")));
    }
}
