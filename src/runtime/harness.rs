//! Drives the inbox without a terminal: real key events go through the keymap and `update`,
//! effects run synchronously on a store, and frames are drawn on ratatui's `TestBackend`.
//! Used by the snapshot tests and the key-to-frame benchmark.

use std::collections::{BTreeMap, VecDeque};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::effects::execute;
use crate::app::keymap::{Key, Keymap};
use crate::app::{AccountInfo, Action, AppState, Effect, update};
use crate::model::Millis;
use crate::store::Store;

pub struct Harness {
    pub state: AppState,
    pub store: Store,
    pub terminal: Terminal<TestBackend>,
    /// The time effects are carried out at.
    pub now: Millis,
    /// How many times the sync engine was asked to deliver at once.
    pub sync_wakes: usize,
    /// The editor command `open_editor` runs (default: $VISUAL, $EDITOR, vi).
    pub editor: Option<String>,
    /// Web addresses the inbox asked to open, and texts it put on the clipboard.
    pub opened: Vec<String>,
    pub copied: Vec<String>,
    /// What the inbox called for attention with.
    pub notified: Vec<String>,
}

impl Harness {
    pub fn new(
        mut store: Store,
        agent: &str,
        keymap: Keymap,
        accounts: BTreeMap<i64, AccountInfo>,
        now: Millis,
        (width, height): (u16, u16),
    ) -> Harness {
        if let Err(err) = store.read_as(agent) {
            tracing::warn!(%err, "read marks are shared in this harness");
        }
        let state = AppState::new(agent.to_owned(), keymap, accounts, now);
        let terminal =
            Terminal::new(TestBackend::new(width, height)).unwrap_or_else(|never| match never {});
        let mut harness = Harness {
            state,
            store,
            terminal,
            now,
            sync_wakes: 0,
            editor: None,
            opened: Vec::new(),
            copied: Vec::new(),
            notified: Vec::new(),
        };
        let effects = harness.state.initial_effects();
        harness.run(effects);
        harness
    }

    /// Applies an action and everything it leads to, until nothing is left to do.
    pub fn dispatch(&mut self, action: Action) {
        let effects = update(&mut self.state, action);
        self.run(effects);
    }

    fn run(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            if effect == Effect::WakeSync {
                self.sync_wakes += 1;
                continue;
            }
            match effect {
                Effect::OpenUrl(url) => {
                    self.opened.push(url);
                    continue;
                }
                Effect::Copy(text) => {
                    self.copied.push(text);
                    continue;
                }
                Effect::Notify(text) => {
                    self.notified.push(text);
                    continue;
                }
                _ => {}
            }
            if let Effect::OpenEditor {
                conversation_id,
                text,
            } = &effect
            {
                let editor = self
                    .editor
                    .clone()
                    .unwrap_or_else(super::editor::editor_command);
                let result = super::editor::edit(&editor, text);
                queue.extend(update(
                    &mut self.state,
                    Action::EditorDone {
                        conversation_id: *conversation_id,
                        result,
                    },
                ));
                continue;
            }
            let agent = self.state.agent.clone();
            for action in execute(&mut self.store, &agent, self.now, effect) {
                queue.extend(update(&mut self.state, action));
            }
        }
    }

    pub fn press(&mut self, key: KeyEvent) {
        self.dispatch(Action::Key(key));
    }

    /// Presses keys written as in the config, separated by spaces: "j j ctrl+s".
    pub fn keys(&mut self, keys: &str) {
        for name in keys.split_whitespace() {
            let key = Key::parse(name).unwrap_or_else(|err| panic!("bad key in a test: {err}"));
            self.press(KeyEvent::new(key.code, key.modifiers));
        }
    }

    /// Types text as key presses (a newline is Enter).
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            self.press(KeyEvent::new(code, KeyModifiers::NONE));
        }
    }

    /// Draws a frame and answers the screen as text, one line per row.
    pub fn screen(&mut self) -> String {
        let state = &self.state;
        self.terminal
            .draw(|frame| crate::ui::draw(frame, state))
            .unwrap_or_else(|never| match never {});
        let buffer = self.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..buffer.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let symbol = buffer[(x, y)].symbol();
                line.push_str(symbol);
                skip = crate::text::width(symbol).saturating_sub(1);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.terminal.backend_mut().resize(width, height);
    }
}
