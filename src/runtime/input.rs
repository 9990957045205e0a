//! The terminal's input, read on a thread of its own that can be paused: while an editor has
//! the terminal, nothing here reads a byte of it. (crossterm's EventStream leaves a reader
//! blocked on the terminal that would take the editor's first key.)

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crossterm::event::Event;
use tokio::sync::mpsc;

/// How long one wait for input lasts; a pause waits at most this long for the reader.
const WAIT: Duration = Duration::from_millis(50);

pub struct Input {
    events: mpsc::UnboundedReceiver<std::io::Result<Event>>,
    /// Held by the reader while it waits for input; true while paused.
    paused: Arc<Mutex<bool>>,
}

impl Input {
    pub fn start() -> Input {
        let (sender, events) = mpsc::unbounded_channel();
        let paused = Arc::new(Mutex::new(false));
        let gate = Arc::clone(&paused);
        std::thread::spawn(move || {
            while !sender.is_closed() {
                let guard = gate.lock().unwrap_or_else(PoisonError::into_inner);
                if *guard {
                    drop(guard);
                    std::thread::sleep(WAIT);
                    continue;
                }
                let event = match crossterm::event::poll(WAIT) {
                    Ok(false) => continue,
                    Ok(true) => crossterm::event::read(),
                    Err(err) => Err(err),
                };
                drop(guard);
                let failed = event.is_err();
                if sender.send(event).is_err() || failed {
                    return;
                }
            }
        });
        Input { events, paused }
    }

    pub async fn next(&mut self) -> Option<std::io::Result<Event>> {
        self.events.recv().await
    }

    /// Stops reading (once the reader's current wait is over) until `resume`.
    pub fn pause(&self) {
        *self.paused.lock().unwrap_or_else(PoisonError::into_inner) = true;
    }

    pub fn resume(&self) {
        *self.paused.lock().unwrap_or_else(PoisonError::into_inner) = false;
    }
}
