//! `hark people …`: who works on this team box and in which role. Roles belong to Unix logins
//! (read from the process, not from a config file). While nobody is listed everyone is an
//! admin; the first person listed must be an admin, and a team always keeps one.

use clap::Subcommand;

use super::context::Context;
use super::exit::Code;
use super::json;
use crate::model::Role;
use crate::text::sanitize_line;

#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// List the people and their roles.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a person (by Unix login) or change their name or role.
    Add {
        login: String,
        /// The name teammates see [default: the login].
        #[arg(long)]
        name: Option<String>,
        /// admin (accounts, rules, saved replies, tags, people) or agent (conversations).
        #[arg(long, default_value = "agent")]
        role: String,
    },
    /// Take a person off the list.
    Remove { login: String },
}

pub fn run(context: &Context, command: PeopleCommand) -> anyhow::Result<Code> {
    let mut store = context.open_store()?;
    match command {
        PeopleCommand::List { json: as_json } => {
            let people = store.people()?;
            if as_json {
                let list = serde_json::json!({ "format": json::FORMAT_VERSION, "people": people, "you": context.login });
                outln!("{}", serde_json::to_string_pretty(&list)?)?;
                return Ok(Code::Ok);
            }
            if people.is_empty() {
                outln!(
                    "Nobody is listed, so everyone is an admin. Start a team with \
                     `hark people add {} --role admin`.",
                    context.login
                )?;
            }
            for person in people {
                let you = if person.login == context.login {
                    "  (you)"
                } else {
                    ""
                };
                outln!(
                    "{:<16} {:<6} {}{you}",
                    sanitize_line(&person.login),
                    person.role.as_str(),
                    sanitize_line(&person.name)
                )?;
            }
        }
        PeopleCommand::Add { login, name, role } => {
            context.require_admin(&store, "manage the team's people")?;
            if store.people()?.is_empty() && login != context.login {
                return Err(super::exit::UsageError(format!(
                    "start the team with yourself, or you would no longer be an admin: \
                     `hark people add {} --role admin`",
                    context.login
                ))
                .into());
            }
            let role: Role = role.parse().map_err(|_| {
                super::exit::UsageError(format!("'{role}' is not a role: use admin or agent"))
            })?;
            let name = name.unwrap_or_else(|| login.clone());
            store.set_person(
                &login,
                &name,
                role,
                &context.login,
                context.clock.now_millis(),
            )?;
            outln!("{login} is an {} here", role.as_str())?;
        }
        PeopleCommand::Remove { login } => {
            context.require_admin(&store, "manage the team's people")?;
            store.remove_person(&login)?;
            outln!("{login} is no longer listed")?;
        }
    }
    Ok(Code::Ok)
}
