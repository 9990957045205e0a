//! Drawing only: `(&AppState) -> frame`. No I/O, no SQL, no network. Every piece of text from
//! a network goes through `text::sanitize*` before it is drawn.

mod docs;
mod help;
mod hyperlinks;
mod list;
mod replies;
mod report;
mod sidebar;
mod theme;
mod thread;
mod triage;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::keymap::Command;
use crate::app::{AppState, Pane};
use crate::text::{sanitize_line, truncate, width};

/// The sidebar's width when it is shown.
const SIDEBAR: u16 = 22;
/// From this width the sidebar, the list and the thread are all shown.
const WIDE: u16 = 110;
/// From this width the list and the thread are shown side by side.
const SPLIT: u16 = 72;

pub(crate) fn focus_style(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}

/// A composer picker (`##` saved replies, `??` Help Scout Docs): `lines` in a box at the
/// bottom of `above`, titled with `name` and what was typed after its `trigger`.
pub(crate) fn draw_composer_picker(
    frame: &mut Frame<'_>,
    above: Rect,
    lines: Vec<Line<'static>>,
    (name, trigger, query): (&str, &str, &str),
    colour: Color,
) {
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(above.height);
    let area = Rect {
        x: above.x,
        y: above.y + above.height.saturating_sub(height),
        width: above.width,
        height,
    };
    let title = Line::from(vec![
        Span::styled(format!(" {name} "), Style::new().bold()),
        Span::styled(
            format!("{trigger}{} ", sanitize_line(query)),
            Style::new().fg(colour),
        ),
    ]);
    let hint = Line::from(" ↑↓ · Enter insert · Esc as typed ")
        .right_aligned()
        .dim();
    let block = ratatui::widgets::Block::bordered()
        .border_style(Style::new().fg(colour))
        .title(title)
        .title_bottom(hint);
    frame.render_widget(ratatui::widgets::Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

pub fn draw(frame: &mut Frame<'_>, state: &AppState) {
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    draw_header(frame, header, state);
    draw_body(frame, body, state);
    draw_status(frame, status, state);
    draw_footer(frame, footer, state);
    triage::draw_overlay(frame, body, state);
    if state.replies_manager.is_some() {
        replies::draw(frame, body, state);
    }
    report::draw(frame, body, state);
    if state.help {
        help::draw(frame, body, state);
    }
    theme::apply(frame.buffer_mut(), &state.theme);
    if state.hyperlinks {
        hyperlinks::apply(frame.buffer_mut());
    }
}

/// Which panes fit: wide terminals show all three; narrower ones drop the sidebar (shown in
/// place of the list while it has the focus); narrow ones show only the focused pane.
fn draw_body(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let focus = state.focus;
    if area.width >= WIDE {
        let [side, rest] =
            Layout::horizontal([Constraint::Length(SIDEBAR), Constraint::Min(10)]).areas(area);
        let [list_area, thread_area] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(rest);
        sidebar::draw(frame, side, state);
        list::draw(frame, list_area, state);
        right_pane(frame, thread_area, state);
    } else if area.width >= SPLIT {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)])
                .areas(area);
        if focus == Pane::Folders {
            sidebar::draw(frame, left, state);
        } else {
            list::draw(frame, left, state);
        }
        right_pane(frame, right, state);
    } else {
        match focus {
            Pane::Folders => sidebar::draw(frame, area, state),
            Pane::List => list::draw(frame, area, state),
            Pane::Thread | Pane::Composer => right_pane(frame, area, state),
        }
    }
}

/// The thread, or the customer panel when it is open.
fn right_pane(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    if state.profile.is_some() {
        triage::draw_profile(frame, area, state);
    } else {
        thread::draw(frame, area, state);
    }
    if state.note.is_some() {
        let height = 7.min(area.height);
        let note_area = Rect {
            y: area.y + area.height - height,
            height,
            ..area
        };
        triage::draw_note(frame, note_area, state);
    }
}

fn draw_header(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let mut spans = vec![Span::styled(" hark ", Style::new().bold().reversed())];
    match &state.search {
        Some(search) => {
            spans.push(Span::raw(" Search: ").bold());
            spans.push(Span::raw(sanitize_line(&search.query)));
            if search.editing {
                spans.push(Span::raw("▏").fg(Color::Cyan));
            }
            if search.results_for.is_some() {
                spans.push(Span::raw(format!("  {} found", state.rows.len())).dim());
            }
        }
        None => {
            let count = state
                .folder_entries()
                .into_iter()
                .find(|(folder, ..)| *folder == state.folder)
                .map_or(0, |(.., n)| n);
            spans.push(Span::raw(format!(" {} ", sanitize_line(&state.folder_name()))).bold());
            spans.push(Span::raw(format!("{count}")).dim());
            if state.sort != crate::model::Sort::Newest {
                spans.push(Span::raw(format!(" · {}", state.sort.label())).dim());
            }
            if !state.marked.is_empty() {
                spans.push(Span::styled(
                    format!(" · {} marked", state.marked.len()),
                    Style::new().fg(Color::Magenta).bold(),
                ));
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let left = match (&state.error, &state.notice) {
        (Some(error), _) => Span::styled(
            format!(" {} ", sanitize_line(error)),
            Style::new().fg(Color::Red).bold(),
        ),
        (None, Some(notice)) => Span::styled(
            format!(" {} ", sanitize_line(notice)),
            Style::new().fg(Color::Green),
        ),
        (None, None) => Span::raw(""),
    };
    let sync: Vec<String> = state
        .sync_status
        .iter()
        .chain(&state.recorded_troubles)
        .map(|(account, status)| format!("{}: {}", sanitize_line(account), sanitize_line(status)))
        .collect();
    let room = usize::from(area.width).saturating_sub(width(&left.content) + 1);
    let right = truncate(&sync.join(" · "), room).into_owned();
    let gap = usize::from(area.width).saturating_sub(width(&left.content) + width(&right) + 1);
    let line = Line::from(vec![
        left,
        Span::raw(" ".repeat(gap)),
        Span::styled(right, Style::new().fg(Color::DarkGray)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// The keys that matter where the focus is, from the live keymap.
fn draw_footer(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let keymap = &state.keymap;
    let send = keymap.first_label(Command::SendCloseNext);
    let picker_open = state
        .composer
        .as_ref()
        .is_some_and(|c| c.picker.is_some() || c.docs.is_some());
    let hints: Vec<(String, String)> = if state.replies_manager.is_some() {
        vec![("Esc".into(), "close saved replies".into())]
    } else if state.focus == Pane::Composer && picker_open {
        vec![
            ("↑/↓ Ctrl+P/N".into(), "choose".into()),
            ("Enter/Tab".into(), "insert".into()),
            ("Esc".into(), "keep the text as typed".into()),
        ]
    } else if state.focus == Pane::Composer {
        vec![
            (send, "send, close, next".into()),
            ("Enter".into(), "new line".into()),
            (
                keymap.first_label(Command::Leave),
                "leave (draft kept)".into(),
            ),
        ]
    } else if state.search.as_ref().is_some_and(|s| s.editing) {
        vec![
            ("Enter".into(), "browse results".into()),
            (keymap.first_label(Command::Leave), "cancel".into()),
        ]
    } else {
        let mut hints = vec![
            (keymap.label(Command::MoveDown), "down".into()),
            (keymap.label(Command::MoveUp), "up".into()),
            (keymap.first_label(Command::Activate), "reply".into()),
            (keymap.first_label(Command::ToggleClosed), "close".into()),
            (keymap.first_label(Command::ToggleLike), "like".into()),
            (send, "send+close".into()),
            (keymap.first_label(Command::Search), "search".into()),
            (
                keymap.first_label(Command::SavedReplies),
                "saved replies".into(),
            ),
            (keymap.first_label(Command::NextPane), "pane".into()),
            (keymap.first_label(Command::Help), "help".into()),
            (keymap.first_label(Command::Quit), "quit".into()),
        ];
        if state.focus == Pane::Folders {
            hints[2].1 = "open folder".into();
        }
        hints
    };
    let mut spans = Vec::new();
    let mut used = 0;
    for (keys, help) in hints {
        let piece = width(&keys) + width(&help) + 3;
        if used + piece > usize::from(area.width) {
            break;
        }
        used += piece;
        spans.push(Span::styled(
            format!(" {keys}"),
            Style::new().add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::styled(
            format!(" {help} "),
            Style::new().fg(Color::DarkGray),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
