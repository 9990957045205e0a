//! Build information for `hark --version`: the commit built (when built from a git checkout),
//! the target and the profile.

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=HARK_BUILD_COMMIT={commit}");
    println!(
        "cargo:rustc-env=HARK_BUILD_TARGET={}",
        std::env::var("TARGET").unwrap_or_default()
    );
    println!(
        "cargo:rustc-env=HARK_BUILD_PROFILE={}",
        std::env::var("PROFILE").unwrap_or_default()
    );
    // A new commit moves HEAD's branch; the working tree's edits do not count.
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
}
