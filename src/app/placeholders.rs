//! `{name}`-style placeholders in saved replies, filled from the conversation on insert.

/// The placeholders hark knows, in the order the help lists them.
pub const NAMES: &[&str] = &[
    "name",
    "first_name",
    "handle",
    "agent",
    "account",
    "network",
];

/// What the placeholders stand for in one conversation; None where it is not known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaceholderValues {
    pub name: Option<String>,
    pub handle: Option<String>,
    pub agent: Option<String>,
    pub account: Option<String>,
    pub network: Option<String>,
}

impl PlaceholderValues {
    fn get(&self, placeholder: &str) -> Option<String> {
        let known = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
        match placeholder {
            "name" => known(&self.name),
            "first_name" => known(&self.name).map(|name| first_name(&name)),
            "handle" => known(&self.handle).map(|h| format!("@{}", h.trim_start_matches('@'))),
            "agent" => known(&self.agent),
            "account" => known(&self.account),
            "network" => known(&self.network),
            _ => None,
        }
    }
}

/// The first word of a name ("Layla" of "Layla Haddad", "ليلى" of "ليلى حداد"). A name written
/// without spaces (Korean, Chinese, Japanese names usually are) is kept whole: splitting it
/// would address the person by their family name alone.
fn first_name(name: &str) -> String {
    let name = name.trim();
    name.split_whitespace().next().unwrap_or(name).to_owned()
}

/// Text with its placeholders filled; those with no value are left as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub text: String,
    pub unfilled: Vec<String>,
}

/// Fills the known placeholders of `template`. `{{` and `}}` write a literal brace; an unknown
/// `{word}` is left alone.
pub fn expand(template: &str, values: &PlaceholderValues) -> Expanded {
    let mut text = String::with_capacity(template.len());
    let mut unfilled = Vec::new();
    let mut rest = template;
    while let Some(position) = rest.find(['{', '}']) {
        text.push_str(&rest[..position]);
        let tail = &rest[position..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            text.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('{')
            && let Some(end) = tail.find('}')
        {
            let word = &tail[1..end];
            if NAMES.contains(&word) {
                match values.get(word) {
                    Some(value) => text.push_str(&value),
                    None => {
                        text.push_str(&tail[..=end]);
                        unfilled.push(word.to_owned());
                    }
                }
                rest = &tail[end + 1..];
                continue;
            }
        }
        text.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    text.push_str(rest);
    Expanded { text, unfilled }
}

/// The known placeholders still written in `text`, as `{name}`.
pub fn unfilled_in(text: &str) -> Vec<String> {
    NAMES
        .iter()
        .map(|name| format!("{{{name}}}"))
        .filter(|written| text.contains(written.as_str()))
        .collect()
}

/// A regular expression matching the known placeholders, to highlight them in the composer.
pub fn highlight_pattern() -> String {
    format!(r"\{{({})\}}", NAMES.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(name: &str) -> PlaceholderValues {
        PlaceholderValues {
            name: Some(name.into()),
            handle: Some("layla.haddad".into()),
            agent: Some("Ana".into()),
            account: Some("Kettle & Crumb".into()),
            network: Some("Mastodon".into()),
        }
    }

    #[test]
    fn placeholders_are_filled_from_the_conversation() {
        let out = expand(
            "Hi {first_name} ({handle}), {agent} from {account} on {network}.",
            &values("Layla Haddad"),
        );
        assert_eq!(
            out.text,
            "Hi Layla (@layla.haddad), Ana from Kettle & Crumb on Mastodon."
        );
        assert!(out.unfilled.is_empty());
    }

    #[test]
    fn arabic_and_korean_names() {
        let arabic = expand("مرحباً {first_name}، شكراً {name}", &values("ليلى حداد"));
        assert_eq!(arabic.text, "مرحباً ليلى، شكراً ليلى حداد");
        let korean = expand("{first_name}님, 안녕하세요!", &values("김민지"));
        assert_eq!(
            korean.text, "김민지님, 안녕하세요!",
            "a name without spaces is kept whole"
        );
    }

    #[test]
    fn a_missing_value_stays_visible_and_is_reported() {
        let mut v = values("Sam");
        v.name = None;
        let out = expand("Hi {first_name}, {agent} here", &v);
        assert_eq!(out.text, "Hi {first_name}, Ana here");
        assert_eq!(out.unfilled, vec!["first_name".to_string()]);
        assert_eq!(unfilled_in(&out.text), vec!["{first_name}".to_string()]);
    }

    #[test]
    fn double_braces_and_unknown_words_are_literal() {
        let out = expand("Use {{code}} or {coupon} and }} {", &values("Sam"));
        assert_eq!(out.text, "Use {code} or {coupon} and } {");
        assert!(out.unfilled.is_empty());
        assert_eq!(expand("{{name}}", &values("Sam")).text, "{name}");
    }
}
