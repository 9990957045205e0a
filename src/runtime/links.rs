//! Links leaving hark: opened in the browser where there is one, or put on the clipboard with
//! OSC 52, which the terminal carries out — also at the far end of an SSH session.

use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine as _;

/// Whether a browser can be opened from here: not over SSH, and in a desktop session.
pub fn can_open_browser(env: &dyn Fn(&str) -> Option<String>) -> bool {
    if env("SSH_CONNECTION").is_some() || env("SSH_TTY").is_some() {
        return false;
    }
    env("BROWSER").is_some()
        || cfg!(target_os = "macos")
        || env("DISPLAY").is_some()
        || env("WAYLAND_DISPLAY").is_some()
}

/// Opens `url` with $BROWSER, else the desktop's opener, without waiting for it.
pub fn open(url: &str) {
    let opener = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty());
    let program = opener.unwrap_or_else(|| {
        if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        }
        .to_owned()
    });
    // The address is one argument, never shell text: it came from a network.
    let spawned = Command::new(&program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(err) => tracing::warn!(%err, program, "could not open the browser"),
    }
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub fn copy_sequence(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

pub fn copy(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(err) = out
        .write_all(copy_sequence(text).as_bytes())
        .and_then(|()| out.flush())
    {
        tracing::warn!(%err, "could not copy to the clipboard");
    }
}

/// The bell and/or an OSC 9 desktop notification saying `text` (cleaned of control characters,
/// so that nothing in it can end the sequence early).
pub fn attention_sequence(text: &str, bell: bool, desktop: bool) -> String {
    let mut out = String::new();
    if desktop {
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        out.push_str(&format!("\x1b]9;hark: {clean}\x07"));
    }
    if bell {
        out.push('\x07');
    }
    out
}

pub fn call_attention(text: &str, bell: bool, desktop: bool) {
    let mut out = std::io::stdout().lock();
    let _ = out
        .write_all(attention_sequence(text, bell, desktop).as_bytes())
        .and_then(|()| out.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clipboard_sequence_and_where_a_browser_opens() {
        assert_eq!(
            copy_sequence("https://x.com/i/web/status/1"),
            "\u{1b}]52;c;aHR0cHM6Ly94LmNvbS9pL3dlYi9zdGF0dXMvMQ==\u{7}"
        );
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert!(!can_open_browser(&env(&[
            ("SSH_CONNECTION", "1.2.3.4 5 6.7.8.9 22"),
            ("DISPLAY", ":0")
        ])));
        assert!(can_open_browser(&env(&[("BROWSER", "firefox")])));
        if !cfg!(target_os = "macos") {
            assert!(!can_open_browser(&env(&[])), "a console without a desktop");
            assert!(can_open_browser(&env(&[("WAYLAND_DISPLAY", "wayland-0")])));
        }
    }
}
