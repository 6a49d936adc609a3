//! Sign-ins against the cost of the hash they must compute, with the service as a process of
//! its own, so that its memory is read apart from the bench's clients.

use std::time::{Duration, Instant};

use mcp_integration_tests::{Engine, TestEnv, PASSWORD};
use serde_json::json;

use super::{run_with, Figures};

/// Sign-ins per load.
const LOGINS: usize = 400;

/// A memory figure (`VmRSS`, `VmHWM`) of process `pid`, in MiB.
pub fn memory_mib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

/// What one hash costs on this machine, in this run: the median of verifications one at a
/// time, and the ceiling of verifications per second with every core busy, both through the
/// service's hashing pool.
pub struct Hashing {
    pub one: Duration,
    pub ceiling: f64,
}

pub fn hashing() -> Hashing {
    let hash = mcp_persistence::credentials::hash_password(PASSWORD).unwrap();
    let verify =
        || assert!(mcp_persistence::credentials::verify_password(PASSWORD, Some(&hash)).unwrap());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // A warm-up gives each pool worker its memory.
    std::thread::scope(|s| {
        for _ in 0..cores {
            s.spawn(|| (0..2).for_each(|_| verify()));
        }
    });
    let mut alone: Vec<Duration> = (0..21)
        .map(|_| {
            let t = Instant::now();
            verify();
            t.elapsed()
        })
        .collect();
    alone.sort();
    let callers = super::CLIENTS;
    let samples = 20;
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..callers {
            s.spawn(|| (0..samples).for_each(|_| verify()));
        }
    });
    Hashing {
        one: alone[alone.len() / 2],
        ceiling: (callers * samples) as f64 / started.elapsed().as_secs_f64(),
    }
}

/// One sign-in load on the service process: its figures and the process's memory.
pub struct Load {
    pub clients: usize,
    pub figures: Figures,
    pub rss_before: u64,
    pub rss_after: u64,
    pub rss_peak: u64,
}

/// Loads of 2, 4 and 8 clients signing in at once on a service process of `engine`.
pub fn bench_logins(engine: Engine, serve: &std::path::Path) -> (u64, Vec<Load>) {
    let env = TestEnv::start_process(engine, serve.to_str().expect("a path"));
    let pid = env.process_id().expect("a process");
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "bench@caf.example");
    let me = env.get("/api/v1/me", &admin).body["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let idle = memory_mib(pid, "VmRSS");
    let loads = [2, 4, 8]
        .into_iter()
        .map(|clients| {
            let rss_before = memory_mib(pid, "VmRSS");
            let figures = run_with(clients, "POST /auth/login", LOGINS, |_| {
                env.call(
                    "POST",
                    "/api/v1/auth/login",
                    None,
                    Some(&json!({"identifier": me, "password": PASSWORD})),
                )
                .status
            });
            Load {
                clients,
                figures,
                rss_before,
                rss_after: memory_mib(pid, "VmRSS"),
                rss_peak: memory_mib(pid, "VmHWM"),
            }
        })
        .collect();
    (idle, loads)
}
