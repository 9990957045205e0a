//! Writing a reply in the person's own editor ($VISUAL, else $EDITOR, else vi): the draft goes
//! into a private temporary file, the editor runs in the terminal, and what it saved comes back.

use std::process::Command;

/// The editor command: $VISUAL, then $EDITOR, then vi. It may carry arguments ("code -w").
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|value| value.trim().to_owned())
        .find(|value| !value.is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Runs `editor` on `text`; answers the text saved, or why there is none. A trailing newline
/// added by the editor is dropped; an editor that fails keeps the draft as it was.
pub fn edit(editor: &str, text: &str) -> Result<String, String> {
    let file = tempfile::Builder::new()
        .prefix("hark-reply-")
        .suffix(".txt")
        .tempfile()
        .map_err(|err| format!("cannot make a file for the editor: {err}"))?;
    std::fs::write(file.path(), text).map_err(|err| format!("cannot write the draft: {err}"))?;
    // Through the shell, so that an editor with arguments works; the file is passed as $1.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("hark-editor")
        .arg(file.path())
        .status()
        .map_err(|err| format!("cannot start the editor `{editor}`: {err}"))?;
    if !status.success() {
        return Err(format!(
            "the editor `{editor}` exited with {status}; the draft is unchanged"
        ));
    }
    let written = std::fs::read_to_string(file.path())
        .map_err(|err| format!("cannot read back what the editor saved: {err}"))?;
    Ok(written
        .strip_suffix("\r\n")
        .or_else(|| written.strip_suffix('\n'))
        .unwrap_or(&written)
        .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_gets_the_draft_and_its_save_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let seen = dir.path().join("seen");
        // A fake editor: keeps what it was given, writes a new text, as an editor does.
        let editor = format!(
            "sh -c 'cp \"$1\" {} && printf \"Hello, مرحبا 👋\\nsecond line\\n\" > \"$1\"' editor",
            seen.display()
        );
        let text = edit(&editor, "draft with \"quotes\"").unwrap();
        assert_eq!(text, "Hello, مرحبا 👋\nsecond line");
        assert_eq!(
            std::fs::read_to_string(&seen).unwrap(),
            "draft with \"quotes\""
        );

        let refused = edit("false", "kept").unwrap_err();
        assert!(
            refused.contains("exited with") && refused.contains("unchanged"),
            "{refused}"
        );
    }
}
