//! Shell completions and manual pages, generated from the command-line definition itself
//! (clap_complete and clap_mangen), so they never fall behind it.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use clap::CommandFactory;

use super::Cli;
use super::exit::Code;

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<Code> {
    let mut command = Cli::command();
    // Into memory first: the generator cannot report a write error (a closed pipe) itself.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "hark", &mut script);
    print(&script)
}

/// Writes to standard output; a reader that stopped early (`| head`) is not an error.
fn print(bytes: &[u8]) -> anyhow::Result<Code> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err.into()),
        _ => Ok(Code::Ok),
    }
}

/// The manual: to standard output, or one page per command into `dir`.
pub fn man(dir: Option<&Path>) -> anyhow::Result<Code> {
    let command = Cli::command();
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(command).render(&mut page)?;
        return print(&page);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_pages(&command, "hark", dir)?;
    Ok(Code::Ok)
}

/// hark.1, then hark-sync.1, hark-accounts-add.1 … for every command below it.
fn write_pages(command: &clap::Command, name: &str, dir: &Path) -> anyhow::Result<()> {
    let page = command
        .clone()
        .name(name.to_owned())
        .version(env!("CARGO_PKG_VERSION"));
    let path = dir.join(format!("{name}.1"));
    let mut file =
        std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
    clap_mangen::Man::new(page).render(&mut file)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir)?;
    }
    Ok(())
}
