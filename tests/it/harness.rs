use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

/// The demo town's binary, built once per test run.
pub(crate) fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| build("sambreville"))
}

/// The second example town's binary (Eupen), built once per test run.
pub(crate) fn eupen_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| build("eupen"))
}

/// Builds the site crate `name` and returns a private copy of its binary.
fn build(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned();
    let status = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", name, "--bin", name])
        .current_dir(&root)
        .status()
        .expect("cargo build");
    assert!(status.success(), "building the site {name} failed");
    // target/<profile>/deps/it-… → target/<profile>/<name>
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let name = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let built = profile_dir.join(&name);
    let built = if built.exists() {
        built
    } else {
        root.join("target/debug").join(&name)
    };
    // A private copy: another build sharing this target folder (a second
    // work tree) must not swap the binary under a running test.
    // One per work tree, replaced by rename (a running copy stays valid).
    let tree: u32 = root
        .to_string_lossy()
        .bytes()
        .fold(17, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let dir = std::env::temp_dir().join(format!("beffroi-e2e-{tree:08x}"));
    std::fs::create_dir_all(&dir).unwrap();
    let staged = dir.join(format!("{name}.{}", std::process::id()));
    std::fs::copy(&built, &staged).unwrap();
    let copy = dir.join(&name);
    std::fs::rename(&staged, &copy).unwrap();
    copy
}

pub(crate) fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .arg("--data")
        .arg(data)
        .args(args)
        .env("BEFFROI_ADMIN_PASSWORD", "Demo-password-2026")
        .env("BEFFROI_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A running server, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(data: &Path) -> Server {
    serve_binary(binary(), data)
}

/// Starts `bin` (a site binary) on a free port with its data in `data`.
pub(crate) fn serve_binary(bin: &Path, data: &Path) -> Server {
    serve_with(bin, data, &[])
}

/// Starts `bin` with `args` before `serve` (`--site-config FILE`).
pub(crate) fn serve_with(bin: &Path, data: &Path, args: &[&str]) -> Server {
    let mut child = Command::new(bin)
        .arg("--data")
        .arg(data)
        .args(args)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("BEFFROI_ADMIN_PASSWORD", "Demo-password-2026")
        .env("BEFFROI_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the server exited before listening")
            .unwrap();
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.trim_end_matches('/').to_owned();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, url }
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the binary with `input` on its standard input.
pub(crate) fn run_with_input(data: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(binary())
        .arg("--data")
        .arg(data)
        .args(args)
        .env("BEFFROI_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}
