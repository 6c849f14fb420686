//! Describing an error with its causes, for reports and log lines. Shared
//! by the layers that talk to the network (client, recorder); it knows
//! nothing of them.

use std::error::Error;

/// An error and its chain of causes, joined with `: `.
pub(crate) fn describe(err: &(dyn Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors repeat their cause in their own message.
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
