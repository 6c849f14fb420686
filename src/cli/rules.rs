//! `rehose rules`: list, add and delete the rules of the v2 filtered
//! stream through [`RulesClient`]. The API's answer goes to stdout as
//! pretty JSON, a one-line summary to stderr.

use anyhow::{bail, Context, Result};
use rehose::client::RulesClient;
use rehose::protocol::rules::NewRule;
use rehose::protocol::RulesResponse;

use super::args::{AddRulesArgs, RulesAction, RulesArgs};

/// The token sent to a `--url` server when none is given.
/// The bearer token sent to a `--url` when none is given; `rehose stream
/// v2` sends the same one, so rules added this way apply to its stream.
pub const PLACEHOLDER_TOKEN: &str = "rehose-placeholder";

pub async fn run(args: RulesArgs) -> Result<()> {
    let client = client(&args)?;
    let (response, summary) = match &args.action {
        RulesAction::List { ids } => {
            let ids = (!ids.is_empty()).then_some(ids.as_slice());
            let response = client.list(ids).await.context("listing rules")?;
            let summary = listed(&response);
            (response, summary)
        }
        RulesAction::Add(add) => {
            let rules = new_rules(add)?;
            let response = client.add(&rules, add.dry_run).await.context("adding rules")?;
            // Duplicates leave the rule set as asked; invalid rules do not.
            let invalid = response.errors.iter().filter(|p| p.title != "DuplicateRule").count();
            let summary = dry(add.dry_run, added(&response));
            if invalid > 0 {
                print(&response, &summary)?;
                bail!("{invalid} of {} rules refused as invalid", rules.len());
            }
            (response, summary)
        }
        RulesAction::Delete(delete) => {
            let response = if delete.all {
                client.delete_all(delete.dry_run).await
            } else {
                client.delete(&delete.ids, delete.dry_run).await
            };
            let response = response.context("deleting rules")?;
            let summary = dry(delete.dry_run, deleted(&response));
            (response, summary)
        }
    };

    print(&response, &summary)
}

/// The response on stdout, the summary on stderr.
fn print(response: &RulesResponse, summary: &str) -> Result<()> {
    let json = serde_json::to_string_pretty(response).context("printing the response")?;
    println!("{json}");
    note!("{summary}");
    Ok(())
}

fn client(args: &RulesArgs) -> Result<RulesClient> {
    // As for the streams: a token is required against the real service,
    // a placeholder does for a mock that checks none.
    let token = match (&args.bearer_token, &args.url) {
        (Some(token), _) => token.clone(),
        (None, Some(_)) => PLACEHOLDER_TOKEN.to_owned(),
        (None, None) => {
            bail!("the rules API needs a bearer token: pass --bearer-token or set TWITTER_BEARER_TOKEN")
        }
    };
    let mut builder = RulesClient::builder().bearer_token(token);
    if let Some(url) = &args.url {
        builder = builder.base_url(url.clone());
    }
    if let Some(ca) = &args.ca_cert {
        builder = builder.ca_cert(ca);
    }
    if let Some(proxy) = &args.proxy_url {
        builder = builder.proxy(proxy.clone());
    }
    builder.build().context("rules client settings")
}

/// The rules of `add`: the VALUEs with `--tag`, then the `--tagged` ones.
fn new_rules(add: &AddRulesArgs) -> Result<Vec<NewRule>> {
    let mut rules: Vec<NewRule> = add
        .values
        .iter()
        .map(|value| NewRule { value: value.clone(), tag: add.tag.clone() })
        .collect();
    for tagged in &add.tagged {
        let Some((tag, value)) = tagged.split_once('=') else {
            bail!("--tagged {tagged:?}: expected TAG=VALUE");
        };
        rules.push(NewRule { value: value.to_owned(), tag: Some(tag.to_owned()) });
    }
    if rules.is_empty() {
        bail!("no rules to add: give rule values, or --tagged TAG=VALUE");
    }
    Ok(rules)
}

fn dry(dry_run: bool, summary: String) -> String {
    if dry_run {
        format!("dry run: {summary}")
    } else {
        summary
    }
}

fn listed(response: &RulesResponse) -> String {
    let count = response.data.as_ref().map_or(0, Vec::len);
    match count {
        0 => "no rules".to_owned(),
        1 => "1 rule".to_owned(),
        n => format!("{n} rules"),
    }
}

fn added(response: &RulesResponse) -> String {
    let summary = response.meta.summary.clone().unwrap_or_default();
    let mut line = format!(
        "created {}, not created {}",
        summary.created.unwrap_or(0),
        summary.not_created.unwrap_or(0)
    );
    let refused: Vec<String> = response
        .errors
        .iter()
        .map(|problem| {
            let value = problem.value.as_deref().unwrap_or("?");
            match (&problem.id, problem.details.first()) {
                (Some(id), _) => format!("{value:?} {} (rule {id})", problem.title),
                (None, Some(reason)) => format!("{value:?} {}: {reason}", problem.title),
                (None, None) => format!("{value:?} {}", problem.title),
            }
        })
        .collect();
    if !refused.is_empty() {
        line.push_str(": ");
        line.push_str(&refused.join(", "));
    }
    line
}

fn deleted(response: &RulesResponse) -> String {
    let summary = response.meta.summary.clone().unwrap_or_default();
    match summary.deleted {
        Some(deleted) => {
            format!("deleted {deleted}, not deleted {}", summary.not_deleted.unwrap_or(0))
        }
        // `--all` with nothing stored answers with the empty listing.
        None => "no rules to delete".to_owned(),
    }
}
