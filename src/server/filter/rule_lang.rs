//! The subset of the v2 rule language the mock server understands (see
//! `docs/rule-language.md`): keywords, quoted phrases, implicit AND, `OR`,
//! negation, parentheses, `#tag`, `@user`, `from:`, `lang:`,
//! `is:retweet` and `has:links`.
//!
//! A rule is parsed once, when it is added, into an expression tree and
//! checked the way the service checked it: balanced parentheses, known
//! operators, at least one positive term, and at least one term that may
//! stand alone (`is:`, `has:` and `lang:` may not). Errors read like the
//! service's invalid-rule details: a reason, then `(at position N)`,
//! counted in characters from 1.

use std::collections::HashSet;
use std::fmt;

use serde_json::Value;

use super::{add_entities, array_at, contains_sequence, str_at, words};

/// Longest rule accepted, in characters (the service's limit for the
/// standard product track).
pub const MAX_RULE_CHARS: usize = 512;

/// Why a rule value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleError {
    /// What is wrong.
    pub reason: String,
    /// Where, counted in characters from 1.
    pub position: usize,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at position {})", self.reason, self.position)
    }
}

impl std::error::Error for RuleError {}

fn fail<T>(reason: impl Into<String>, position: usize) -> Result<T, RuleError> {
    Err(RuleError { reason: reason.into(), position })
}

/// A parsed rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleQuery {
    expr: Expr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// A keyword or quoted phrase: these words, consecutive.
    Words(Vec<String>),
    Hashtag(String),
    Mention(String),
    From(String),
    Lang(String),
    IsRetweet,
    HasLinks,
}

impl RuleQuery {
    /// Parses and checks a rule value.
    ///
    /// # Errors
    ///
    /// A [`RuleError`] for a rule longer than [`MAX_RULE_CHARS`], an
    /// unterminated quote, unbalanced parentheses, a misplaced `OR` or
    /// `-`, an unknown operator or value, or a rule without a positive,
    /// standalone term.
    pub fn parse(value: &str) -> Result<RuleQuery, RuleError> {
        let length = value.chars().count();
        if length > MAX_RULE_CHARS {
            return fail(
                format!("Rule length exceeds the max allowed: {length} > {MAX_RULE_CHARS}"),
                MAX_RULE_CHARS + 1,
            );
        }
        let tokens = lex(value)?;
        let mut parser = Parser { tokens, next: 0 };
        let expr = parser.or()?;
        if let Some(token) = parser.tokens.get(parser.next) {
            // Only a `)` can stop the top-level expression early.
            return fail("Unexpected closing parenthesis", token.position);
        }
        if !has_positive(&expr) {
            return fail("Rules must contain a non-negation term", 1);
        }
        if !has_standalone(&expr) {
            return fail(
                "Rules must contain at least one positive, standalone operator; is:, has: and \
                 lang: cannot stand alone",
                1,
            );
        }
        Ok(RuleQuery { expr })
    }

    /// Whether the v2 stream message (an object with `data` and maybe
    /// `includes`) matches.
    pub fn matches(&self, message: &Value) -> bool {
        self.matches_view(&TweetView::new(message))
    }

    pub(super) fn matches_view(&self, tweet: &TweetView) -> bool {
        eval(&self.expr, tweet)
    }
}

fn has_positive(expr: &Expr) -> bool {
    match expr {
        Expr::Not(_) => false,
        Expr::And(items) => items.iter().any(has_positive),
        Expr::Or(items) => items.iter().all(has_positive),
        _ => true,
    }
}

fn has_standalone(expr: &Expr) -> bool {
    match expr {
        Expr::Not(_) | Expr::Lang(_) | Expr::IsRetweet | Expr::HasLinks => false,
        Expr::And(items) => items.iter().any(has_standalone),
        Expr::Or(items) => items.iter().all(has_standalone),
        Expr::Words(_) | Expr::Hashtag(_) | Expr::Mention(_) | Expr::From(_) => true,
    }
}

// ---- lexing ----

#[derive(Clone, Debug, PartialEq, Eq)]
enum TokenKind {
    Open,
    Close,
    Or,
    Minus,
    Quoted(String),
    Word(String),
}

#[derive(Clone, Debug)]
struct Token {
    kind: TokenKind,
    /// Character position, from 1.
    position: usize,
}

fn lex(value: &str) -> Result<Vec<Token>, RuleError> {
    let chars: Vec<char> = value.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let position = i + 1;
        let c = chars[i];
        let kind = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => TokenKind::Open,
            ')' => TokenKind::Close,
            '-' => match chars.get(i + 1) {
                Some(next) if !next.is_whitespace() && *next != ')' => TokenKind::Minus,
                _ => return fail("A negation must be followed by a term", position),
            },
            '"' => {
                let Some(len) = chars[i + 1..].iter().position(|&c| c == '"') else {
                    return fail("Missing closing quote", position);
                };
                let phrase: String = chars[i + 1..i + 1 + len].iter().collect();
                i += len + 2;
                tokens.push(Token { kind: TokenKind::Quoted(phrase), position });
                continue;
            }
            _ => {
                let len = chars[i..]
                    .iter()
                    .position(|&c| c.is_whitespace() || matches!(c, '(' | ')' | '"'))
                    .unwrap_or(chars.len() - i);
                let word: String = chars[i..i + len].iter().collect();
                i += len;
                let kind = if word == "OR" { TokenKind::Or } else { TokenKind::Word(word) };
                tokens.push(Token { kind, position });
                continue;
            }
        };
        i += 1;
        tokens.push(Token { kind, position });
    }
    Ok(tokens)
}

// ---- parsing ----

struct Parser {
    tokens: Vec<Token>,
    next: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    /// The position just past the last token, for errors at the end.
    fn end_position(&self) -> usize {
        self.tokens.last().map_or(1, |t| t.position + 1)
    }

    /// `and ( OR and )*`
    fn or(&mut self) -> Result<Expr, RuleError> {
        let mut items = vec![self.and()?];
        while let Some(token) = self.peek().filter(|t| t.kind == TokenKind::Or) {
            let position = token.position;
            self.next += 1;
            match self.peek().map(|t| &t.kind) {
                None | Some(TokenKind::Close) | Some(TokenKind::Or) => {
                    return fail("Expected a term after OR", position)
                }
                _ => items.push(self.and()?),
            }
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Expr::Or(items) })
    }

    /// `unary+`, ended by `OR`, `)` or the end.
    fn and(&mut self) -> Result<Expr, RuleError> {
        let mut items = Vec::new();
        while let Some(token) = self.peek() {
            if matches!(token.kind, TokenKind::Or | TokenKind::Close) {
                break;
            }
            items.push(self.unary()?);
        }
        match (items.len(), self.peek()) {
            (0, Some(t)) if t.kind == TokenKind::Or => {
                fail("Expected a term before OR", t.position)
            }
            (0, Some(t)) => fail("Empty parentheses", t.position),
            (0, None) => fail("Rules must contain a term", self.end_position()),
            (1, _) => Ok(items.remove(0)),
            _ => Ok(Expr::And(items)),
        }
    }

    fn unary(&mut self) -> Result<Expr, RuleError> {
        let Some(token) = self.peek().cloned() else {
            return fail("Expected a term", self.end_position());
        };
        if token.kind == TokenKind::Minus {
            self.next += 1;
            return Ok(Expr::Not(Box::new(self.atom()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, RuleError> {
        let Some(token) = self.peek().cloned() else {
            return fail("Expected a term", self.end_position());
        };
        self.next += 1;
        match token.kind {
            TokenKind::Open => {
                let expr = self.or()?;
                match self.peek() {
                    Some(t) if t.kind == TokenKind::Close => {
                        self.next += 1;
                        Ok(expr)
                    }
                    _ => fail("Missing closing parenthesis", token.position),
                }
            }
            TokenKind::Quoted(phrase) => {
                let phrase: Vec<String> = words(&phrase).collect();
                if phrase.is_empty() {
                    return fail("Quoted phrase has no words", token.position);
                }
                Ok(Expr::Words(phrase))
            }
            TokenKind::Word(word) => operand(&word, token.position),
            TokenKind::Minus => fail("Double negation is not supported", token.position),
            TokenKind::Or => fail("Expected a term before OR", token.position),
            TokenKind::Close => fail("Unexpected closing parenthesis", token.position),
        }
    }
}

/// One unquoted word: an operator or a keyword.
fn operand(word: &str, position: usize) -> Result<Expr, RuleError> {
    let entity = |rest: &str| {
        let ok = !rest.is_empty() && rest.chars().all(|c| c.is_alphanumeric() || c == '_');
        ok.then(|| rest.to_lowercase())
    };
    if word == "AND" {
        return fail(
            format!(
                "Ambiguous use of {word} as a keyword. Use a space to logically join two \
                 clauses, or \"{word}\" to find occurrences of {word} in text"
            ),
            position,
        );
    }
    if let Some(rest) = word.strip_prefix('#') {
        return entity(rest)
            .map(Expr::Hashtag)
            .map_or_else(|| fail(format!("Invalid hashtag '{word}'"), position), Ok);
    }
    if let Some(rest) = word.strip_prefix('@') {
        return entity(rest)
            .map(Expr::Mention)
            .map_or_else(|| fail(format!("Invalid username '{word}'"), position), Ok);
    }
    if let Some((name, value)) = word.split_once(':') {
        // `https://...` is a keyword (its words), not an operator.
        let operator_like = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
            && !value.starts_with("//");
        if operator_like {
            return operator(name, value, position);
        }
    }
    let keyword: Vec<String> = words(word).collect();
    if keyword.is_empty() {
        return fail(format!("Keyword '{word}' has no letters or digits"), position);
    }
    Ok(Expr::Words(keyword))
}

fn operator(name: &str, value: &str, position: usize) -> Result<Expr, RuleError> {
    let operator = name.to_ascii_lowercase();
    if value.is_empty() && matches!(operator.as_str(), "from" | "lang" | "is" | "has") {
        return fail(format!("Operator '{name}:' needs a value"), position);
    }
    let value_position = position + name.chars().count() + 1;
    match (operator.as_str(), value.to_ascii_lowercase().as_str()) {
        ("from", user) => {
            let user = user.strip_prefix('@').unwrap_or(user);
            if user.is_empty() || !user.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return fail(format!("Invalid username '{value}'"), value_position);
            }
            Ok(Expr::From(user.to_owned()))
        }
        ("lang", code) => {
            let ok = (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphabetic());
            if !ok {
                return fail(format!("Invalid language '{value}'"), value_position);
            }
            Ok(Expr::Lang(code.to_owned()))
        }
        ("is", "retweet") => Ok(Expr::IsRetweet),
        ("has", "links") => Ok(Expr::HasLinks),
        ("is" | "has", _) => fail(
            format!(
                "Reference to invalid operator '{name}:{value}'. This mock supports is:retweet \
                 and has:links"
            ),
            position,
        ),
        _ => fail(
            format!(
                "Reference to invalid operator '{name}'. Operator is not available in current \
                 product or product packaging"
            ),
            position,
        ),
    }
}

// ---- matching ----

/// What the rules look at in a v2 message, gathered once per message.
#[derive(Debug, Default)]
pub(super) struct TweetView {
    /// The text's words, in order.
    words: Vec<String>,
    hashtags: HashSet<String>,
    mentions: HashSet<String>,
    author_id: Option<String>,
    author_username: Option<String>,
    lang: Option<String>,
    is_retweet: bool,
    has_links: bool,
}

impl TweetView {
    pub(super) fn new(message: &Value) -> TweetView {
        let data = message.get("data").unwrap_or(&Value::Null);
        let mut entities = HashSet::new();
        add_entities(&mut entities, data, &["entities", "hashtags"], "tag", "#");
        add_entities(&mut entities, data, &["entities", "mentions"], "username", "@");
        let (hashtags, mentions) = entities.into_iter().partition(|t| t.starts_with('#'));
        let strip = |set: HashSet<String>| -> HashSet<String> {
            set.into_iter().map(|t| t[1..].to_owned()).collect()
        };

        let author_id = str_at(data, &["author_id"]).map(str::to_owned);
        let author_username = author_id.as_deref().and_then(|id| {
            array_at(message, &["includes", "users"])
                .iter()
                .find(|user| user.get("id").and_then(Value::as_str) == Some(id))
                .and_then(|user| user.get("username")?.as_str())
                .map(str::to_lowercase)
        });
        let is_retweet = array_at(data, &["referenced_tweets"])
            .iter()
            .any(|r| r.get("type").and_then(Value::as_str) == Some("retweeted"));
        TweetView {
            words: words(str_at(data, &["text"]).unwrap_or("")).collect(),
            hashtags: strip(hashtags),
            mentions: strip(mentions),
            author_id,
            author_username,
            lang: str_at(data, &["lang"]).map(str::to_ascii_lowercase),
            is_retweet,
            has_links: !array_at(data, &["entities", "urls"]).is_empty(),
        }
    }
}

fn eval(expr: &Expr, tweet: &TweetView) -> bool {
    match expr {
        Expr::And(items) => items.iter().all(|e| eval(e, tweet)),
        Expr::Or(items) => items.iter().any(|e| eval(e, tweet)),
        Expr::Not(inner) => !eval(inner, tweet),
        Expr::Words(sequence) => contains_sequence(&tweet.words, sequence),
        Expr::Hashtag(tag) => tweet.hashtags.contains(tag),
        Expr::Mention(name) => tweet.mentions.contains(name),
        Expr::From(user) => {
            tweet.author_id.as_deref() == Some(user.as_str())
                || tweet.author_username.as_deref() == Some(user.as_str())
        }
        Expr::Lang(code) => tweet.lang.as_deref() == Some(code.as_str()),
        Expr::IsRetweet => tweet.is_retweet,
        Expr::HasLinks => tweet.has_links,
    }
}
