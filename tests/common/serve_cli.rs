//! `rehose serve` run as a child process for the command-line tests.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The `rehose` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_rehose");

/// Kills the server when the test ends, pass or fail.
pub struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `rehose serve --port 0 --speed max ARGS` and reads the URL it
/// prints.
pub fn serve(args: &[&str]) -> (Serving, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--speed", "max"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut url = String::new();
    BufReader::new(stdout).read_line(&mut url).unwrap();
    (Serving(child), url.trim().to_owned())
}
