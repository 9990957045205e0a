use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/etc/hark/config.toml"))
}

fn error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn an_empty_file_is_the_default_config() {
    let config = parse("").unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.sync.interval_secs, 60);
}

#[test]
fn the_example_config_is_valid_and_complete() {
    let config = parse(include_str!("../../config.example.toml")).unwrap();
    assert_eq!(config.agent.as_deref(), Some("ana"));
    assert!(
        config
            .accounts()
            .any(|account| account.network == NetworkKind::Demo)
    );
}

/// The commented account examples stay valid: each `# [[accounts]]` block, uncommented, parses.
#[test]
fn the_commented_account_examples_parse_when_uncommented() {
    let example = include_str!("../../config.example.toml");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in example.lines() {
        if line == "# [[accounts]]" {
            current = Some(String::from("[[accounts]]\n"));
        } else if let Some(block) = current.as_mut() {
            match line.strip_prefix("# ") {
                Some(setting) if !setting.is_empty() => {
                    block.push_str(setting);
                    block.push('\n');
                }
                _ => blocks.extend(current.take()),
            }
        }
    }
    let networks: Vec<NetworkKind> = blocks
        .iter()
        .map(|block| {
            let config = parse(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
            config.accounts().next().unwrap().network
        })
        .collect();
    assert_eq!(
        networks,
        [
            NetworkKind::Mastodon,
            NetworkKind::Bluesky,
            NetworkKind::Facebook,
            NetworkKind::Instagram,
            NetworkKind::X
        ]
    );
}

#[test]
fn bad_toml_names_file_line_and_shows_the_line() {
    let text = error("agent = \"ana\"\n\n[sync\ninterval_secs = 5\n");
    assert!(
        text.starts_with("config error in /etc/hark/config.toml, line 3"),
        "{text}"
    );
    assert!(text.contains("3 | [sync"), "{text}");
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let text = error("[sync]\ninterval_secs = 5\ninterval_minutes = 2\n");
    assert!(text.contains("line 3"), "{text}");
    assert!(text.contains("(key `interval_minutes`)"), "{text}");
    assert!(text.contains("unknown field `interval_minutes`"), "{text}");
}

#[test]
fn a_wrong_type_names_the_key() {
    let text = error("[sync]\ninterval_secs = \"soon\"\n");
    assert!(text.contains("line 2"), "{text}");
    assert!(text.contains("(key `interval_secs`)"), "{text}");
}

#[test]
fn an_unknown_network_lists_the_known_ones() {
    let text = error("[[accounts]]\nname = \"x\"\nnetwork = \"myspace\"\n");
    assert!(text.contains("line 3"), "{text}");
    assert!(text.contains("myspace"), "{text}");
    assert!(text.contains("demo"), "{text}");
}

#[test]
fn account_problems_point_at_the_account() {
    let twice = "[[accounts]]\nname = \"a\"\nnetwork = \"demo\"\n\n[[accounts]]\nname = \"a\"\nnetwork = \"demo\"\n";
    let text = error(twice);
    assert!(text.contains("two accounts are named 'a'"), "{text}");
    assert!(text.contains("line 5"), "{text}");

    let token = "[[accounts]]\nname = \"d\"\nnetwork = \"demo\"\ntoken_env = \"X\"\n";
    assert!(error(token).contains("needs no token"));

    let spaces = "[[accounts]]\nname = \"my brand\"\nnetwork = \"demo\"\n";
    assert!(error(spaces).contains("must be letters, digits"));
}

#[test]
fn the_secret_reference_is_taken_from_the_one_key_given() {
    let account = AccountConfig {
        name: "b".into(),
        network: NetworkKind::Demo,
        handle: None,
        instance: None,
        dismiss_on_close: false,
        service: None,
        dms: true,
        chat_service: None,
        page_id: None,
        ig_user_id: None,
        ad_account_id: None,
        client_id: None,
        client_secret_env: None,
        searches: Vec::new(),
        api_base: None,
        graph_version: None,
        human_agent: false,
        enabled: true,
        sync_interval_secs: None,
        signature: None,
        token_env: None,
        token_cmd: Some("pass show hark/b".into()),
        token_file: None,
    };
    assert_eq!(
        account.secret(),
        Some(SecretRef::Command("pass show hark/b".into()))
    );
}

#[test]
fn demo_chance_out_of_range_is_refused() {
    let text = error("[demo]\nreply_back_chance = 1.5\n");
    assert!(
        text.contains("line 2") && text.contains("between 0.0 and 1.0"),
        "{text}"
    );
}

#[test]
fn bad_keys_are_reported_at_the_keys_table() {
    let text = error("agent = \"ana\"\n[keys]\ntoggle_like = [\"hyper+f\"]\n");
    assert!(
        text.contains("line 2") && text.contains("'hyper' in 'hyper+f' is not a modifier"),
        "{text}"
    );
    let text = error("[keys]\nquit = [\"j\"]\n");
    assert!(text.contains("j is bound to both"), "{text}");
    let text = error("keyboard_protocol = \"maybe\"\n");
    assert!(text.contains("line 1") && text.contains("auto"), "{text}");
}

#[test]
fn rules_are_parsed_and_a_bad_one_is_reported_at_its_position() {
    let config = parse(include_str!("../../config.example.toml")).unwrap();
    assert_eq!(config.rule_set.rules.len(), 5);
    assert_eq!(config.rule_set.rules[0].name, "Spam that only tags friends");
    assert!(config.rule_set.rules[0].stop);

    let text =
        error("[[rules]]\nname = \"pay\"\nwhen = \"contains pay and\"\nthen = [\"tag Payment\"]\n");
    assert!(text.contains("line 3, column 25"), "{text}");
    assert!(text.contains("rule 'pay': expected a filter"), "{text}");

    let text =
        error("[[rules]]\nname = \"x\"\nwhen = \"contains a\"\nthen = [\"tag A\", \"explode\"]\n");
    assert!(
        text.contains("line 4") && text.contains("'explode' is not an action"),
        "{text}"
    );

    let text = error("[[rules]]\nname = \"x\"\nwhen = \"contains a\"\nthen = []\n");
    assert!(text.contains("has no actions"), "{text}");

    let disabled = parse(
        "[[rules]]\nname = \"x\"\nwhen = \"contains a\"\nthen = [\"close\"]\nenabled = false\n",
    )
    .unwrap();
    assert!(disabled.rule_set.is_empty());
}

#[test]
fn bad_business_hours_or_time_zone_are_named() {
    let text = error("[reports]\nbusiness_hours = \"Mon-Fri 17:00-09:00\"\n");
    assert!(
        text.contains("line 2") && text.contains("end after"),
        "{text}"
    );
    let text = error("[reports]\ntime_zone = \"Mars/Olympus\"\n");
    assert!(text.contains("Mars/Olympus"), "{text}");
}

#[test]
fn response_time_targets_are_read_and_checked() {
    let config = parse(
        "[sla]\ndefault = \"1d\"\n[sla.networks]\nx = \"60m\"\nfacebook = \"1h30m\"\n[sla.tags]\nUrgent = \"15\"\n",
    )
    .unwrap();
    let targets = config.sla.targets().unwrap();
    assert_eq!(targets.default, Some(24 * 60 * 60_000));
    assert_eq!(targets.networks[&NetworkKind::Facebook], 90 * 60_000);
    assert_eq!(targets.tags["urgent"], 15 * 60_000);
    assert_eq!(
        targets.target_for(NetworkKind::X, &["URGENT".into()]),
        Some(15 * 60_000),
        "the strictest target counts"
    );
    let text = error("[sla.networks]\nmyspace = \"1h\"\n");
    assert!(text.contains("'myspace' is not a network"), "{text}");
    let text = error("[sla]\ndefault = \"soon\"\n");
    assert!(text.contains("'soon' is not a duration"), "{text}");
}

/// The commented integration examples, uncommented, make a valid config with every option.
#[test]
fn the_commented_integration_examples_parse_when_uncommented() {
    let example = include_str!("../../config.example.toml");
    // Each block runs from its table header to the next empty line.
    let mut section = String::new();
    let mut inside = false;
    for line in example.lines() {
        inside = match line {
            "# [[slack]]" | "# [[hooks]]" | "# [helpscout]" => true,
            "" => false,
            _ => inside,
        };
        if let Some(setting) = line.strip_prefix("# ").filter(|_| inside)
            && !setting.starts_with('#')
        {
            section.push_str(setting);
            section.push('\n');
        }
    }
    let config = parse(&section).unwrap_or_else(|e| panic!("{e}\n{section}"));
    let slack = config.slack[0].get_ref();
    assert_eq!(slack.channel(), "slack:support");
    assert_eq!(
        slack.event_names(),
        ["new_conversation", "assigned", "sla_breached"]
    );
    assert_eq!(slack.rules, ["Payment questions"]);
    assert_eq!(config.hooks[0].get_ref().timeout().as_secs(), 10);
    let docs = config.helpscout.unwrap();
    assert_eq!(docs.get_ref().base(), "https://docsapi.helpscout.net");
}

#[test]
fn integration_mistakes_are_named_where_they_are() {
    let text = error(
        "[[slack]]\nname = \"a\"\nwebhook_env = \"W\"\nevents = [\"new_conversation\", \"mentioned\"]\n",
    );
    assert!(text.contains("line 4"), "{text}");
    assert!(text.contains("unknown event 'mentioned'; events are new_conversation, assigned, sla_breached, reply_sent, closed"), "{text}");
    let text = error("[[slack]]\nname = \"a\"\n");
    assert!(
        text.contains("[[slack]] 'a' needs webhook_env, webhook_cmd or webhook_file"),
        "{text}"
    );
    let text = error("[[slack]]\nwebhook_env = \"A\"\nwebhook_file = \"/x\"\n");
    assert!(
        text.contains("names its secret in more than one way"),
        "{text}"
    );
    let text = error("[[slack]]\nwebhook_env = \"A\"\n[[slack]]\nwebhook_env = \"B\"\n");
    assert!(
        text.contains("two [[slack]] webhooks are named 'slack'"),
        "{text}"
    );
    assert!(text.contains("line 3"), "{text}");
    let text = error("[[hooks]]\ncommand = \" \"\n");
    assert!(text.contains("a hook needs a `command` to run"), "{text}");
    let text = error("[helpscout]\napi_key_env = \"K\"\napi_base = \"docsapi.helpscout.net\"\n");
    assert!(text.contains("must be an http(s) URL"), "{text}");
    let text = error("[helpscout]\napi_base = \"https://d.example\"\n");
    assert!(
        text.contains("[helpscout] needs api_key_env, api_key_cmd or api_key_file"),
        "{text}"
    );
}

#[test]
fn a_bad_theme_colour_is_named_where_it_is() {
    let text = error("agent = \"ana\"\n\n[theme]\naccent = \"bluish\"\n");
    assert!(text.contains("line 3"), "{text}");
    assert!(
        text.contains("[theme] accent: 'bluish' is not a colour"),
        "{text}"
    );
    let text = error("[theme]\ncolours = \"millions\"\n");
    assert!(
        text.contains("colours") || text.contains("unknown variant"),
        "{text}"
    );
    let config = parse("[theme]\ncolours = \"16\"\nwarning = \"#d7af00\"\n").unwrap();
    let theme = config.theme.theme(&|_| None).unwrap();
    assert_eq!(theme.depth, crate::config::theme::Depth::Basic16);
}
