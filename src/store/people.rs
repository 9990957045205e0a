//! The people of a team box and their roles, by Unix login.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Store, StoreError, StoreResult};
use crate::model::{Millis, Role};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub added_by: String,
}

impl Store {
    pub fn people(&self) -> StoreResult<Vec<Person>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT login, name, role, added_by FROM people ORDER BY login")?;
        let rows = stmt.query_map([], |r| {
            Ok(Person {
                login: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                added_by: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The role of a login: as listed; an admin while nobody is listed; an agent when others
    /// are listed but not them.
    pub fn role_of(&self, login: &str) -> StoreResult<Role> {
        let listed: Option<Role> = self
            .conn
            .query_row("SELECT role FROM people WHERE login = ?1", [login], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(role) = listed {
            return Ok(role);
        }
        let anyone: i64 = self
            .conn
            .query_row("SELECT count(*) FROM people", [], |r| r.get(0))?;
        Ok(if anyone == 0 {
            Role::Admin
        } else {
            Role::Agent
        })
    }

    /// Adds a person or changes their name and role. The first person listed must be an
    /// admin, and the last admin cannot become an agent: a team is never left without one.
    pub fn set_person(
        &mut self,
        login: &str,
        name: &str,
        role: Role,
        by: &str,
        now: Millis,
    ) -> StoreResult<()> {
        let login = login.trim();
        if login.is_empty() {
            return Err(StoreError::Rejected("a person needs a login".into()));
        }
        self.write(|tx| {
            let admins_besides: i64 = tx.query_row(
                "SELECT count(*) FROM people WHERE role = 'admin' AND login != ?1",
                [login],
                |r| r.get(0),
            )?;
            if role == Role::Agent && admins_besides == 0 {
                return Err(StoreError::Rejected(
                    "a team needs an admin: add (or keep) one before making this person an agent"
                        .into(),
                ));
            }
            tx.execute(
                "INSERT INTO people (login, name, role, added_by, added_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (login) DO UPDATE SET name = excluded.name, role = excluded.role",
                params![login, name.trim(), role, by, now],
            )?;
            Ok(())
        })
    }

    /// Takes a person off the list (never the last admin while others remain).
    pub fn remove_person(&mut self, login: &str) -> StoreResult<()> {
        self.write(|tx| {
            let role: Option<Role> = tx
                .query_row("SELECT role FROM people WHERE login = ?1", [login], |r| {
                    r.get(0)
                })
                .optional()?;
            let Some(role) = role else {
                return Err(StoreError::NotFound {
                    what: "person",
                    id: login.to_owned(),
                });
            };
            let (admins, others): (i64, i64) = tx.query_row(
                "SELECT count(*) FILTER (WHERE role = 'admin' AND login != ?1),
                        count(*) FILTER (WHERE login != ?1)
                 FROM people",
                [login],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if role == Role::Admin && admins == 0 && others > 0 {
                return Err(StoreError::Rejected(
                    "that is the last admin: make someone else an admin first".into(),
                ));
            }
            tx.execute("DELETE FROM people WHERE login = ?1", [login])?;
            Ok(())
        })
    }
}
