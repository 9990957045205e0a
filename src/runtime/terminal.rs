//! Taking and giving back the terminal: raw mode, the alternate screen, bracketed paste and the
//! kitty keyboard protocol, undone on exit, on error and on panic.

use std::io::{IsTerminal, stdout};

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, KeyboardEnhancementFlags,
    PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::execute;
use ratatui::DefaultTerminal;

use crate::config::KeyboardProtocol;

pub struct TerminalSession {
    pub terminal: DefaultTerminal,
    /// Whether keys like Ctrl+Enter are reported apart from Enter.
    pub enhanced_keys: bool,
}

impl TerminalSession {
    /// Takes the terminal. ratatui restores it on panic; a hook added here first pops the
    /// keyboard flags, which ratatui does not know about.
    pub fn start() -> std::io::Result<TerminalSession> {
        let terminal = ratatui::try_init()?;
        execute!(stdout(), EnableBracketedPaste)?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(stdout(), PopKeyboardEnhancementFlags, DisableBracketedPaste);
            previous(info);
        }));
        Ok(TerminalSession {
            terminal,
            enhanced_keys: false,
        })
    }

    /// Turns on the kitty keyboard protocol when asked to, or when the terminal says it has it.
    /// The question is asked after the first frame is painted, so a terminal that never answers
    /// (crossterm waits at most two seconds) delays only the extra keys, not the inbox.
    pub fn enable_keyboard_protocol(&mut self, setting: KeyboardProtocol) {
        let wanted = match setting {
            KeyboardProtocol::Off => false,
            KeyboardProtocol::On => true,
            KeyboardProtocol::Auto => {
                stdout().is_terminal()
                    && !matches!(std::env::var("TERM").as_deref(), Ok("dumb" | "linux"))
                    && crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false)
            }
        };
        if wanted
            && execute!(
                stdout(),
                PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
            )
            .is_ok()
        {
            self.enhanced_keys = true;
        }
        tracing::info!(?setting, enhanced = self.enhanced_keys, "keyboard protocol");
    }
}

impl TerminalSession {
    /// Gives the terminal to another program (an editor) and takes it back when `work` is
    /// done, redrawing from scratch.
    pub fn handed_over<T>(&mut self, work: impl FnOnce() -> T) -> std::io::Result<T> {
        if self.enhanced_keys {
            let _ = execute!(stdout(), PopKeyboardEnhancementFlags);
        }
        let _ = execute!(stdout(), DisableBracketedPaste);
        ratatui::restore();
        let result = work();
        // Back as ratatui had it (raw mode, the alternate screen), keeping the same terminal:
        // a new one would ask the terminal for the cursor's position first.
        crossterm::terminal::enable_raw_mode()?;
        execute!(
            stdout(),
            crossterm::terminal::EnterAlternateScreen,
            EnableBracketedPaste
        )?;
        if self.enhanced_keys {
            execute!(
                stdout(),
                PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
            )?;
        }
        self.terminal.clear()?;
        Ok(result)
    }
}

impl Drop for TerminalSession {
    fn drop(&mut self) {
        if self.enhanced_keys {
            let _ = execute!(stdout(), PopKeyboardEnhancementFlags);
        }
        let _ = execute!(stdout(), DisableBracketedPaste);
        ratatui::restore();
    }
}
