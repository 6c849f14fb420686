//! Finding the fixture a command should replay: a fixture file, a raw
//! capture (imported on the fly), a bundled fixture by name, or the
//! bundled default.

use std::path::Path;

use anyhow::{Context, Result};
use rehose::fixture::import::{import, ImportOptions};
use rehose::fixture::{bundled, Fixture, MAGIC};

/// Loads `path`, or the bundled default fixture when there is none.
///
/// A file that does not start with the fixture header is taken for a
/// message-per-line capture and imported with the default options (crlf,
/// 50 messages a second, keep-alives at the protocol's interval); `rehose
/// import` gives control over those. A name that is no file but names a
/// bundled fixture (`v2-filtered`) loads that one.
pub fn fixture(path: Option<&Path>) -> Result<(Fixture, String)> {
    let Some(path) = path else {
        let fixture = bundled::default_fixture().context("the bundled default fixture")?;
        return Ok((fixture, "the bundled fixture v1-sample".to_owned()));
    };
    if !path.exists() {
        if let Some(found) = path.to_str().and_then(bundled::by_name) {
            let fixture = found.with_context(|| format!("bundled fixture {}", path.display()))?;
            return Ok((fixture, format!("the bundled fixture {}", path.display())));
        }
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.starts_with(MAGIC.as_bytes()) {
        let fixture = Fixture::parse(&bytes).map_err(|err| err.with_path(path))?;
        return Ok((fixture, path.display().to_string()));
    }
    let imported = import(&bytes, &ImportOptions::new().source(path.display().to_string()))
        .with_context(|| format!("importing {}", path.display()))?;
    for warning in &imported.warnings {
        note!("warning: {}:{}: {}", path.display(), warning.line, warning.message);
    }
    anyhow::ensure!(
        imported.fixture.message_count() > 0,
        "{}: neither a fixture (no `{MAGIC}` header) nor a capture (no JSON message per line)",
        path.display()
    );
    note!(
        "{}: not a fixture, imported as a capture of {} messages at 50 messages/s \
         (see `rehose import` for other settings)",
        path.display(),
        imported.fixture.message_count()
    );
    Ok((imported.fixture, path.display().to_string()))
}
