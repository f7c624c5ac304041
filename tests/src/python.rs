//! Independent readers written in Python (installed by tests/run), run over what the
//! server wrote.

/// Runs `script` with `input` on its standard input and returns what it prints; fails the
/// test, with the reader's own words, when the reader refuses the input.
pub fn run_python(script: &str, input: &[u8], what: &str) -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (tests/run installs the readers)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    let out = child.wait_with_output().expect("python3 runs");
    assert!(
        out.status.success(),
        "{what} refused the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
