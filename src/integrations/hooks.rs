//! Hooks: a user's command run on an event, with the event as one line of JSON on its standard
//! input (and its name in `HARK_EVENT`). A hook that fails or runs past its time limit is
//! stopped and reported; the inbox never waits for it.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// Why a hook run did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HookError {
    #[error("could not start it: {0}")]
    Start(String),
    #[error("it did not finish within {} s and was stopped", .0.as_secs())]
    TimedOut(Duration),
    #[error("it exited with {status}{}", stderr_text(.stderr))]
    Failed { status: String, stderr: String },
}

fn stderr_text(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// Runs `command` with `sh -c`, the payload on its standard input, within `limit`.
pub async fn run(command: &str, payload: &Value, limit: Duration) -> Result<(), HookError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("HARK_EVENT", payload["event"].as_str().unwrap_or(""))
        .env(
            "HARK_CONVERSATION_ID",
            payload["conversation"]["id"]
                .as_i64()
                .map(|id| id.to_string())
                .unwrap_or_default(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| HookError::Start(err.to_string()))?;
    let mut line = payload.to_string();
    line.push('\n');
    let finished = tokio::time::timeout(limit, async {
        if let Some(mut stdin) = child.stdin.take() {
            // A hook that does not read its input may exit first: that is its right.
            let _ = stdin.write_all(line.as_bytes()).await;
            drop(stdin);
        }
        child.wait_with_output().await
    })
    .await;
    let output = match finished {
        Err(_) => return Err(HookError::TimedOut(limit)),
        Ok(Err(err)) => return Err(HookError::Start(err.to_string())),
        Ok(Ok(output)) => output,
    };
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last_line = stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    Err(HookError::Failed {
        status: output.status.to_string(),
        stderr: crate::text::sanitize_line(last_line)
            .chars()
            .take(200)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn a_hook_reads_the_event_and_failures_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got");
        let event = json!({"event": "closed", "conversation": {"id": 4}});
        let command = format!(
            "cat > {} && echo \"$HARK_EVENT $HARK_CONVERSATION_ID\" >> {0}",
            out.display()
        );
        run(&command, &event, Duration::from_secs(5)).await.unwrap();
        let got = std::fs::read_to_string(&out).unwrap();
        let mut lines = got.lines();
        assert_eq!(
            serde_json::from_str::<Value>(lines.next().unwrap()).unwrap(),
            event
        );
        assert_eq!(lines.next(), Some("closed 4"));

        let failed = run(
            "echo 'no CRM today' >&2; exit 3",
            &event,
            Duration::from_secs(5),
        )
        .await
        .unwrap_err();
        assert_eq!(
            failed.to_string(),
            "it exited with exit status: 3: no CRM today"
        );

        let slow = run("sleep 5", &event, Duration::from_millis(200))
            .await
            .unwrap_err();
        assert_eq!(slow, HookError::TimedOut(Duration::from_millis(200)));
    }
}
