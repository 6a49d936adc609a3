//! `make bench`: throughput and latency of the registry over real HTTP, on SQLite and on
//! PostgreSQL, written to a Markdown report. Load goes to a server on the loopback interface
//! only; every loop is bounded in count.

mod logins;
mod scale;

use std::time::{Duration, Instant};

use mcp_integration_tests::{partner_body, siret, Engine, TestEnv};
use serde_json::json;

const CLIENTS: usize = 8;
const READS: usize = 4000;
const WRITES: usize = 800;
const LOGINS: usize = 200;
const GRANTS: usize = 400;

struct Figures {
    operation: &'static str,
    count: usize,
    seconds: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

fn run(operation: &'static str, count: usize, call: impl Fn(usize) -> u16 + Sync) -> Figures {
    run_with(CLIENTS, operation, count, call)
}

/// `count` calls by `clients` threads at once, each waiting for its answer before the next.
fn run_with(
    clients: usize,
    operation: &'static str,
    count: usize,
    call: impl Fn(usize) -> u16 + Sync,
) -> Figures {
    let started = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let call = &call;
                s.spawn(move || {
                    (c..count)
                        .step_by(clients)
                        .map(|i| {
                            let t = Instant::now();
                            let status = call(i);
                            assert!(status < 300, "{operation} #{i} answered {status}");
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("client thread"))
            .collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Figures {
        operation,
        count,
        seconds,
        p50: at(0.50),
        p99: at(0.99),
        max: *latencies.last().unwrap(),
    }
}

fn bench(engine: Engine) -> Vec<Figures> {
    let env = TestEnv::start_with(engine, |c| {
        c.workers = 2;
        c.pool_size = 16;
    });
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "bench@caf.example");
    let first = env.partner(&admin, &siret(0), "ccas");
    let writes = run("POST /partners (write + trace)", WRITES, |i| {
        env.post(
            "/api/v1/partners",
            &admin,
            partner_body(&siret(i + 1), "commune"),
        )
        .status
    });
    let reads = run("GET /partners/{id}", READS, |_| {
        env.get(&format!("/api/v1/partners/{first}"), &admin).status
    });
    let lists = run("GET /partners?limit=50", READS / 4, |_| {
        env.get("/api/v1/partners?limit=50", &admin).status
    });
    let conv = env
        .post(
            &format!("/api/v1/partners/{first}/conventions"),
            &admin,
            json!({"number": "B-1", "missions": ["m"]}),
        )
        .id();
    // Logins: each verifies an argon2id hash and opens a session.
    let me = env.get("/api/v1/me", &admin).body["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let logins = run("POST /auth/login", LOGINS, |_| {
        env.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"identifier": me, "password": mcp_integration_tests::PASSWORD})),
        )
        .status
    });
    // Refreshes: each client follows its own chain, a refresh token being good once.
    let chains: Vec<std::sync::Mutex<String>> = (0..CLIENTS)
        .map(|_| {
            let r = env.call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(&json!({"identifier": me, "password": mcp_integration_tests::PASSWORD})),
            );
            std::sync::Mutex::new(r.body["refresh_token"].as_str().unwrap().to_string())
        })
        .collect();
    let refreshes = run("POST /auth/refresh", READS / 2, |i| {
        let mut token = chains[i % CLIENTS].lock().unwrap();
        let r = env.call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": *token})),
        );
        if let Some(next) = r.body["refresh_token"].as_str() {
            *token = next.to_string();
        }
        r.status
    });
    let conventions = run("GET /conventions/{id}", READS, |_| {
        env.get(&format!("/api/v1/conventions/{conv}"), &admin)
            .status
    });
    let (users, grants) = bench_grants(&env, &admin);
    vec![
        writes,
        reads,
        lists,
        conventions,
        logins,
        refreshes,
        users,
        grants,
    ]
}

/// Partner users created, then granted one profile each, all under one subscription: every
/// grant takes that subscription's lock and counts its holders, the worst case of contention.
fn bench_grants(env: &TestEnv, caf_admin: &str) -> (Figures, Figures) {
    let partner = env.partner(caf_admin, &siret(100_000), "ccas");
    let conv = env.post(
        &format!("/api/v1/partners/{partner}/conventions"),
        caf_admin,
        json!({"number": "B-2", "missions": ["Instruction FSL"]}),
    );
    let (conv_id, mission) = (conv.id(), conv.body["missions"][0]["id"].clone());
    let sub = env.post(
        &format!("/api/v1/conventions/{conv_id}/subscriptions"),
        caf_admin,
        json!({"service": "CDAP", "profiles": [{"profile": "T13", "max_users": GRANTS}]}),
    );
    let profile = sub.body["profiles"][0]["profile_id"].clone();
    let today = chrono::Utc::now().date_naive();
    env.post(
        &format!("/api/v1/conventions/{conv_id}/signature"),
        caf_admin,
        json!({"partner_signed_on": today - chrono::Duration::days(3), "caf_signed_on": today - chrono::Duration::days(2)}),
    );
    env.post(
        &format!("/api/v1/conventions/{conv_id}/rgpd-completion"),
        caf_admin,
        json!({"completed_on": today - chrono::Duration::days(1)}),
    );
    let manager = env.partner_admin(caf_admin, &partner, "principal", "bench@ccas.example");
    let ids: Vec<std::sync::Mutex<String>> = (0..GRANTS)
        .map(|_| std::sync::Mutex::new(String::new()))
        .collect();
    let users = run(
        "POST /partners/{id}/users (account + outbox + trace)",
        GRANTS,
        |i| {
            let r = env.post(
            &format!("/api/v1/partners/{partner}/users"),
            &manager,
            json!({"full_name": format!("Agent {i}"), "function_title": "Agent", "email": format!("agent{i}@ccas.example"), "phone": "0102030405"}),
        );
            *ids[i].lock().unwrap() = r.body["id"].as_str().unwrap_or_default().to_string();
            r.status
        },
    );
    let grants = run(
        "POST /partners/{id}/habilitations (quota under lock)",
        GRANTS,
        |i| {
            let who = ids[i].lock().unwrap().clone();
            env.post(
                &format!("/api/v1/partners/{partner}/habilitations"),
                &manager,
                json!({"account_id": who, "profile_id": profile, "mission_id": mission}),
            )
            .status
        },
    );
    (users, grants)
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let report = args
        .iter()
        .position(|a| a == "--report")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "docs/bench/REPORT.md".into());
    // `--sections registry,cdap,instances,logins,traces,scale` (all by default): all but the
    // first two have their own reports.
    let sections: Vec<&str> = args
        .iter()
        .position(|a| a == "--sections")
        .and_then(|i| args.get(i + 1))
        .map_or("registry,cdap,instances,logins,traces,scale", |s| {
            s.as_str()
        })
        .split(',')
        .collect();
    let mut out = String::new();
    out.push_str("# Benchmark report\n\n");
    out.push_str(
        "Produced by `make bench` (release build). The service runs in-process on a loopback port \
with 2 HTTP workers; ",
    );
    out.push_str(&format!(
        "{CLIENTS} client threads send requests over keep-alive HTTP/1.1 connections, each request \
authenticated with a bearer token (signature checked, account re-read on every request). \
Clients and server share the same cores, so the figures are a floor for the service alone.\n\n"
    ));
    out.push_str(&format!(
        "- date: {}\n- machine: {} cores, {}\n- rustc: {}\n\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| m.lines().next().map(|l| l
                .split_whitespace()
                .nth(1)
                .unwrap_or("?")
                .to_string()))
            .map(|kb| format!(
                "{} GiB memory",
                kb.parse::<u64>().unwrap_or(0) / 1024 / 1024
            ))
            .unwrap_or_default(),
        std::process::Command::new("rustc")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default(),
    ));
    if sections.contains(&"registry") {
        let me = std::process::id();
        let rss_before = logins::memory_mib(me, "VmRSS");
        // The ceiling of logins on this machine, in this run: argon2id verifications through the
        // service's hashing pool with every core busy (as under a login load), and nothing else
        // (no HTTP, no database).
        let ceiling = logins::hashing().ceiling;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let verify = cores / ceiling;
        out.push_str(&format!(
        "argon2id verification (OWASP parameters: 19 MiB, 2 passes, 1 lane), through the hashing \
pool with {CLIENTS} callers at once: {ceiling:.0} verifications/s on {cores} cores ({:.1} ms of one \
core each), so at most {ceiling:.0} logins/s if the machine did nothing else.\n\n",
        verify * 1000.0
    ));
        let mut login_rates = vec![];
        out.push_str(
        "| engine | operation | requests | throughput (req/s) | p50 (ms) | p99 (ms) | max (ms) |\n",
    );
        out.push_str("|---|---|---:|---:|---:|---:|---:|\n");
        for (engine, name) in [(Engine::Sqlite, "SQLite"), (Engine::Postgres, "PostgreSQL")] {
            for f in bench(engine) {
                let line = format!(
                    "| {name} | {} | {} | {:.0} | {} | {} | {} |\n",
                    f.operation,
                    f.count,
                    f.count as f64 / f.seconds,
                    ms(f.p50),
                    ms(f.p99),
                    ms(f.max)
                );
                print!("{line}");
                out.push_str(&line);
                if f.operation == "POST /auth/login" {
                    login_rates.push((name, f.count as f64 / f.seconds));
                }
            }
        }
        out.push_str(
        "\nWrites take the database's write lock and write their trace in the same transaction; \
on SQLite they queue behind one writer, on PostgreSQL they run concurrently. Grants all go to \
one partner's one subscription, whose row they lock to count holders: the worst case, since \
grants for different partners or services never wait on each other.\n",
    );
        out.push_str("\n**Logins against the argon2id ceiling** (the figure that matters: how close the service \
comes to the cost of the hash it must compute):\n\n");
        for (name, rate) in login_rates {
            out.push_str(&format!(
                "- {name}: {rate:.0} logins/s = {:.0} % of the ceiling\n",
                100.0 * rate / ceiling
            ));
        }
        out.push_str(&format!(
            "\n**Memory** of the process (server and clients together), read from \
/proc/self/status: {} MiB resident before this section, {} MiB after it, {} MiB at the peak. \
Password hashes run on a pool of one worker per core, each reusing its own 19 MiB of argon2 \
memory, so {CLIENTS} clients logging in at once do not take {CLIENTS} × 19 MiB.\n",
            rss_before,
            logins::memory_mib(me, "VmRSS"),
            logins::memory_mib(me, "VmHWM"),
        ));
    }
    if sections.contains(&"cdap") {
        let files: u64 = std::env::var("MCP_BENCH_FILES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000);
        out.push_str(&format!(
        "\n## CDAP consultation\n\n{files} synthetic beneficiary files (`mcp generate-files`, two \
years of monthly series each) are streamed as NDJSON to the import endpoint; then {CLIENTS} clients \
consult random files as a T13 agent — habilitation resolved, view applied, trace written in the \
same transaction — and, in the same run, the same consultation's statements run straight against \
the database through the connection pool ({CLIENTS} threads, no HTTP, no token: the use case \
called directly, trace included), then the file's lookup alone.\n\n"
    ));
        out.push_str("| engine | import (files/s) | consultations/s | p50 (ms) | p99 (ms) | same statements, direct /s | direct p99 (ms) | ratio | lookup alone /s |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        let mut bars = vec![];
        for (engine, name) in [(Engine::Sqlite, "SQLite"), (Engine::Postgres, "PostgreSQL")] {
            let c = bench_cdap(engine, files);
            let api = c.consult.count as f64 / c.consult.seconds;
            let direct = c.direct.count as f64 / c.direct.seconds;
            let bare = c.bare.count as f64 / c.bare.seconds;
            let line = format!(
                "| {name} | {:.0} | {api:.0} | {} | {} | {direct:.0} | {} | {:.0} % | {bare:.0} |\n",
                files as f64 / c.import_seconds,
                ms(c.consult.p50),
                ms(c.consult.p99),
                ms(c.direct.p99),
                100.0 * api / direct
            );
            print!("{line}");
            out.push_str(&line);
            bars.push((format!("{name} API"), api));
            bars.push((format!("{name} direct"), direct));
        }
        let chart = std::path::Path::new(&report).with_file_name("cdap.svg");
        std::fs::write(&chart, svg_bars("Consultations per second", &bars)).expect("chart written");
        out.push_str(
        "\n![Consultations per second, through the API and straight against the database](cdap.svg)\n\n\
The ratio is the service's consultation rate over the rate of the same statements run straight \
against the database on the same machine: what HTTP, the token check and the account re-read \
cost. The lookup alone shows what the habilitation check, the count of use and the sealed trace \
cost the database. On SQLite every consultation takes the single writer for its trace.\n",
    );
    }
    if sections.contains(&"instances") {
        let serve = serve_binary();
        out.push_str(&format!(
            "\n## Two service processes on one PostgreSQL\n\nThe service as `mcp serve` runs it, \
as separate processes (2 HTTP workers and 8 connections each) on one PostgreSQL database: first \
one process, then two, then one and two again (A B A B), the {CLIENTS} clients spread over them as a load balancer would. One Caf \
administrator writes to 64 partners, each partner's traces sealed into its own chain. During \
each load `pg_stat_activity` is sampled every 10 ms (connections active, waiting on a lock, and \
waiting on a lock while sealing into `trace_chains`), and the machine's CPU is split between the \
service processes, the bench's clients and the rest (PostgreSQL).\n\n"
        ));
        out.push_str("| processes | operation | requests | req/s | p50 (ms) | p99 (ms) | samples | active (mean) | lock waits (mean) | sealing waits (total) | CPU: service / clients / PostgreSQL |\n");
        out.push_str("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        let runs = bench_instances(&serve);
        for r in &runs {
            let f = &r.figures;
            let w = &r.waits;
            let mean = |n: u64| n as f64 / w.samples.max(1) as f64;
            let line = format!(
                "| {} | {} | {} | {:.0} | {} | {} | {} | {:.1} | {:.2} | {} | {:.0} % / {:.0} % / {:.0} % |\n",
                r.processes,
                f.operation,
                f.count,
                f.count as f64 / f.seconds,
                ms(f.p50),
                ms(f.p99),
                w.samples,
                mean(w.active),
                mean(w.lock_waits),
                w.chain_waits,
                r.cpu.0,
                r.cpu.1,
                r.cpu.2,
            );
            print!("{line}");
            out.push_str(&line);
        }
        out.push_str("\nTwo processes against one, mean of the runs of each:\n\n");
        let mut operations: Vec<&str> = runs.iter().map(|r| r.figures.operation).collect();
        operations.dedup();
        operations.truncate(runs.len() / 4);
        for op in operations {
            let rate = |n: usize| {
                let of: Vec<f64> = runs
                    .iter()
                    .filter(|r| r.processes == n && r.figures.operation == op)
                    .map(|r| r.figures.count as f64 / r.figures.seconds)
                    .collect();
                of.iter().sum::<f64>() / of.len().max(1) as f64
            };
            out.push_str(&format!(
                "- {op}: {:.0} req/s with one process, {:.0} with two ({:.0} %)\n",
                rate(1),
                rate(2),
                100.0 * rate(2) / rate(1)
            ));
        }
        out.push_str(
            "\nA trace is sealed into its perimeter's chain at commit, the chain's end locked only \
by transactions sealing into that chain: writes to different partners never wait on each other, \
whichever process serves them, and no sample above finds a connection waiting on sealing. On 2 \
shared cores a second process brings no CPU, only more threads to schedule: the CPU split shows \
the machine, not a lock, as the limit.\n",
        );
    }
    if sections.contains(&"traces") {
        let traces: u64 = std::env::var("MCP_BENCH_TRACES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000_000);
        out.push_str(&format!(
        "\n## Reading traces\n\n{traces} synthetic traces (five months of a hundred Cafs × fifty \
partners × twenty people, half of them consultations), sealed into the chain and bulk-loaded \
below the API; then {CLIENTS} clients read through the API as the people who may: each request \
decides the reader's perimeter, runs the query, and writes and seals the trace of the reading.\n\n"
    ));
        out.push_str("| engine | query | requests | req/s | p50 (ms) | p99 (ms) | max (ms) |\n");
        out.push_str("|---|---|---:|---:|---:|---:|---:|\n");
        let mut tails = String::new();
        for (engine, name) in [(Engine::Sqlite, "SQLite"), (Engine::Postgres, "PostgreSQL")] {
            let t = bench_traces(engine, traces);
            for f in &t.queries {
                let line = format!(
                    "| {name} | {} | {} | {:.0} | {} | {} | {} |\n",
                    f.operation,
                    f.count,
                    f.count as f64 / f.seconds,
                    ms(f.p50),
                    ms(f.p99),
                    ms(f.max)
                );
                print!("{line}");
                out.push_str(&line);
            }
            tails.push_str(&format!(
            "- {name}: {} traces loaded in {:.0} s ({:.0}/s, hashing and index builds included); the Caf's perimeter \
({} traces) exported as CSV in {:.1} s ({:.0} traces/s); the whole chain ({} traces) checked in \
{:.1} s ({:.0} traces/s).\n",
            t.traces,
            t.seed_seconds,
            t.traces as f64 / t.seed_seconds,
            t.export_rows,
            t.export_seconds,
            t.export_rows as f64 / t.export_seconds,
            t.verified,
            t.verify_seconds,
            t.verified as f64 / t.verify_seconds,
        ));
        }
        out.push('\n');
        out.push_str(&tails);
        out.push_str(
        "\nEvery query is served by an index that starts with the reader's perimeter or the filter \
(`partner_id, id`, `caf_id, id`, `actor_account_id, id`, `file_number, id`, `occurred_at`), so \
its cost follows the page asked, not the table's size. On PostgreSQL the table is partitioned \
by month.\n",
    );
    }
    if sections.contains(&"logins") {
        logins_report(&mut out, &serve_binary());
    }
    if sections.contains(&"scale") {
        scale_report(&mut out);
    }
    std::fs::write(&report, out).expect("report written");
    println!("report written to {report}");
}

/// A horizontal bar chart, as SVG text.
fn svg_bars(title: &str, bars: &[(String, f64)]) -> String {
    let max = bars.iter().map(|b| b.1).fold(1.0, f64::max);
    let (w, row) = (640.0, 34.0);
    let h = 50.0 + row * bars.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"13\">\n\
<text x=\"10\" y=\"22\" font-size=\"15\">{title}</text>\n"
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 40.0 + row * i as f64;
        let len = (w - 260.0) * value / max;
        let colour = if label.ends_with("API") {
            "#2b6cb0"
        } else {
            "#a0aec0"
        };
        svg.push_str(&format!(
            "<text x=\"10\" y=\"{:.0}\">{label}</text><rect x=\"160\" y=\"{y:.0}\" width=\"{len:.0}\" height=\"22\" fill=\"{colour}\"/><text x=\"{:.0}\" y=\"{:.0}\">{value:.0}/s</text>\n",
            y + 16.0,
            165.0 + len,
            y + 16.0
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

struct Cdap {
    import_seconds: f64,
    consult: Figures,
    direct: Figures,
    bare: Figures,
}

/// Streams `count` synthetic files as one NDJSON body, generated while it is sent.
struct Lines {
    next: u64,
    end: u64,
    buffer: Vec<u8>,
    at: usize,
    today: chrono::NaiveDate,
}

impl std::io::Read for Lines {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.buffer.len() {
            if self.next >= self.end {
                return Ok(0);
            }
            self.buffer.clear();
            self.at = 0;
            for _ in 0..64 {
                if self.next >= self.end {
                    break;
                }
                let f = mcp_domain::cdap::synthetic(self.next, 1, self.today);
                serde_json::to_writer(&mut self.buffer, &f).expect("plain data");
                self.buffer.push(b'\n');
                self.next += 1;
            }
        }
        let n = out.len().min(self.buffer.len() - self.at);
        out[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn bench_cdap(engine: Engine, files: u64) -> Cdap {
    let env = TestEnv::start_with(engine, |c| {
        c.workers = 2;
        c.pool_size = 16;
    });
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let caf_id: uuid::Uuid = caf.parse().unwrap();
    let admin = env.caf_admin(&cnaf, &caf, "bench@caf.example");
    let started = Instant::now();
    // Several bodies, so that one slow request never holds the whole load.
    let parts = 8u64;
    for p in 0..parts {
        let (from, to) = (1 + files * p / parts, 1 + files * (p + 1) / parts);
        let body = Lines {
            next: from,
            end: to,
            buffer: vec![],
            at: 0,
            today: chrono::Utc::now().date_naive(),
        };
        let r = env
            .client()
            .post(format!(
                "{}/api/v1/cafs/{caf}/beneficiary-files/import",
                env.base_url()
            ))
            .bearer_auth(&admin)
            .header("content-type", "application/x-ndjson")
            .timeout(Duration::from_secs(3600))
            .body(reqwest::blocking::Body::new(body))
            .send()
            .expect("import sent");
        assert!(r.status().is_success(), "import answered {}", r.status());
    }
    let import_seconds = started.elapsed().as_secs_f64();
    // A T13 agent of a CCAS under an active convention.
    let partner = env.partner(&admin, &siret(200_000), "ccas");
    let conv = env.post(
        &format!("/api/v1/partners/{partner}/conventions"),
        &admin,
        json!({"number": "B-3", "missions": ["Instruction FSL"]}),
    );
    let (conv_id, mission) = (
        conv.id(),
        conv.body["missions"][0]["id"].as_str().unwrap().to_string(),
    );
    let sub = env.post(
        &format!("/api/v1/conventions/{conv_id}/subscriptions"),
        &admin,
        json!({"service": "CDAP", "profiles": [{"profile": "T13", "max_users": 5}]}),
    );
    let today = chrono::Utc::now().date_naive();
    env.post(&format!("/api/v1/conventions/{conv_id}/signature"), &admin, json!({"partner_signed_on": today - chrono::Duration::days(3), "caf_signed_on": today - chrono::Duration::days(2)}));
    env.post(
        &format!("/api/v1/conventions/{conv_id}/rgpd-completion"),
        &admin,
        json!({"completed_on": today - chrono::Duration::days(1)}),
    );
    let padmin = env.partner_admin(&admin, &partner, "principal", "p@ccas.example");
    let u = env.post(&format!("/api/v1/partners/{partner}/users"), &padmin, json!({"full_name": "Agent", "function_title": "Agent", "email": "agent@ccas.example", "phone": "0102030405"}));
    env.post(&format!("/api/v1/partners/{partner}/habilitations"), &padmin, json!({"account_id": u.id(), "profile_id": sub.body["profiles"][0]["profile_id"], "mission_id": mission}));
    let agent =
        env.activate_from_mail(u.body["identifier"].as_str().unwrap(), "agent@ccas.example");
    let numero = |i: usize| format!("{:07}", 1 + (i as u64).wrapping_mul(2_654_435_761) % files);
    let consult = run("GET /cdap/files/{numero} (traced)", READS, |i| {
        env.get(
            &format!("/api/v1/cdap/files/{}?mission_id={mission}", numero(i)),
            &agent,
        )
        .status
    });
    // The same consultation straight against the database: the same statements (habilitation
    // resolved, file read, use counted, trace sealed into the partner's chain, one
    // transaction), without HTTP, token or account re-read.
    let principal = mcp_domain::access::Principal::partner_user(
        u.id().parse::<uuid::Uuid>().unwrap().into(),
        caf_id.into(),
        partner.parse::<uuid::Uuid>().unwrap().into(),
        None,
    );
    let mission_id: uuid::Uuid = mission.parse().unwrap();
    let direct = run(
        "the consultation's statements straight against the database",
        READS,
        |i| {
            let ctx = mcp_persistence::Ctx {
                principal: Some(principal.clone()),
                request_id: format!("bench-direct-{i}"),
                now: mcp_api::auth::now(),
                asked: None,
            };
            let req = mcp_persistence::use_cases::cdap::ConsultRequest {
                numero: numero(i),
                mission_id: mission_id.into(),
                profile_id: None,
                instructor_number: None,
            };
            match mcp_persistence::use_cases::cdap::consult(&env.db, &ctx, &req) {
                Ok(Some(_)) => 200,
                _ => 500,
            }
        },
    );
    let bare = run("the file's lookup alone", READS, |i| {
        match mcp_persistence::use_cases::cdap::lookup_only(&env.db, caf_id.into(), &numero(i)) {
            Ok(Some(_)) => 200,
            _ => 500,
        }
    });
    Cdap {
        import_seconds,
        consult,
        direct,
        bare,
    }
}

/// Figures of the traces bench.
struct TraceBench {
    traces: u64,
    seed_seconds: f64,
    queries: Vec<Figures>,
    export_rows: usize,
    export_seconds: f64,
    verified: i64,
    verify_seconds: f64,
}

const TRACE_QUERIES: usize = 400;
const ACTIONS: [&str; 8] = [
    "auth.login",
    "cdap.file_consulted",
    "cdap.file_consulted",
    "cdap.file_consulted",
    "habilitation.granted",
    "auth.refresh",
    "account.password_changed",
    "traces.read",
];

fn synthetic(kind: u128, n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(0xbe9c_0000_0000_0000_0000_0000_0000_0000 | (kind << 64) | n)
}

/// One synthetic trace: a hundred Cafs (the first is the real one), fifty partners each (the
/// first of the real Caf is the real partner), twenty people per partner, five months of
/// activity, half of it consultations.
fn synthetic_trace(
    i: u64,
    n: u64,
    start: chrono::NaiveDateTime,
    caf: &str,
    partner: &str,
) -> mcp_persistence::use_cases::trace::Trace {
    let span = 150 * 24 * 3600 * 1_000_000i64;
    let at = start + chrono::Duration::microseconds(span * i as i64 / n as i64);
    let caf_n = i % 100;
    let partner_n = (i / 100) % 50;
    let caf_id = if caf_n == 0 {
        caf.to_string()
    } else {
        synthetic(1, caf_n as u128).to_string()
    };
    let partner_id = if caf_n == 0 && partner_n == 0 {
        partner.to_string()
    } else {
        synthetic(2, (caf_n * 50 + partner_n) as u128).to_string()
    };
    let actor = synthetic(3, ((caf_n * 50 + partner_n) * 20 + (i / 5000) % 20) as u128).to_string();
    let action = ACTIONS[(i % 8) as usize];
    let consultation = action == "cdap.file_consulted";
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        at.and_utc().timestamp() as u64,
        at.and_utc().timestamp_subsec_nanos(),
    );
    mcp_persistence::use_cases::trace::Trace {
        id: uuid::Uuid::new_v7(ts).to_string(),
        occurred_at: at,
        request_id: Some(format!("bench-{i}")),
        actor_account_id: Some(actor.clone()),
        actor_role: Some("partner_user".into()),
        organisation_kind: Some("partner".into()),
        organisation_id: Some(partner_id.clone()),
        action: action.into(),
        target_type: Some(
            if consultation {
                "beneficiary_file"
            } else {
                "account"
            }
            .into(),
        ),
        target_id: Some(if consultation {
            synthetic(4, (i * 7919 % 1_000_000) as u128).to_string()
        } else {
            actor
        }),
        caf_id: Some(caf_id),
        outcome: "success".into(),
        detail: "{\"bench\":true}".into(),
        client_id: None,
        chain: format!("partner:{partner_id}"),
        partner_id: Some(partner_id),
        file_number: consultation.then(|| format!("{:07}", i * 7919 % 1_000_000)),
        seq: None,
        hash: None,
    }
}

fn sql_text(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("'{}'", s.replace('\'', "''")),
        None => "NULL".into(),
    }
}

/// Seeds `n` sealed traces in bulk, chained after the traces already there.
fn seed_traces(env: &TestEnv, n: u64, caf: &str, partner: &str) {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Head {
        #[diesel(sql_type = diesel::sql_types::Text)]
        chain: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        last_seq: i64,
        #[diesel(sql_type = diesel::sql_types::Text)]
        last_hash: String,
    }
    let start = chrono::Utc::now().naive_utc() - chrono::Duration::days(151);
    if env.engine == Engine::Postgres {
        env.db
            .write(|c| {
                diesel::sql_query(
                    "SELECT mcp_trace_partition((date_trunc('month', now() - interval '6 months') + make_interval(months => m))::date)::text FROM generate_series(0, 6) AS m",
                )
                .execute(c)?;
                Ok(())
            })
            .unwrap();
    }
    // A bulk load: the secondary indexes go first and are built again at the end, as one
    // would load an archive; the definitions are read back from the database itself.
    #[derive(diesel::QueryableByName)]
    struct Index {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        definition: String,
    }
    let list = match env.engine {
        Engine::Sqlite => "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND tbl_name = 'traces' AND sql IS NOT NULL",
        Engine::Postgres => "SELECT i.indexname::text AS name, i.indexdef::text AS definition FROM pg_indexes i WHERE i.tablename = 'traces' AND i.indexname NOT IN (SELECT conname FROM pg_constraint)",
    };
    // Writes never read traces (they are sealed in memory at commit), so every secondary
    // index can go during the load.
    let indexes: Vec<Index> = env
        .db
        .read(|c| Ok(diesel::sql_query(list).load::<Index>(c)?))
        .unwrap();
    env.db
        .write(|c| {
            for i in &indexes {
                diesel::sql_query(format!("DROP INDEX {}", i.name)).execute(c)?;
            }
            Ok(())
        })
        .unwrap();
    // The traces written so far are sealed: each partner's chain follows its own.
    let mut heads: std::collections::HashMap<String, (i64, String)> = env
        .db
        .read(|c| {
            Ok(
                diesel::sql_query("SELECT chain, last_seq, last_hash FROM trace_chains")
                    .load::<Head>(c)?,
            )
        })
        .unwrap()
        .into_iter()
        .map(|h| (h.chain, (h.last_seq, h.last_hash)))
        .collect();
    let per_tx = 50_000u64;
    let mut i = 0u64;
    while i < n {
        let end = (i + per_tx).min(n);
        let mut statements = vec![];
        let mut values = vec![];
        let mut touched = std::collections::BTreeSet::new();
        for k in i..end {
            let mut t = synthetic_trace(k, n, start, caf, partner);
            let head = heads
                .entry(t.chain.clone())
                .or_insert_with(|| (0, mcp_domain::trace::GENESIS.to_string()));
            let seq = head.0 + 1;
            let hash = t.link_after(&head.1, seq);
            *head = (seq, hash.clone());
            touched.insert(t.chain.clone());
            t.seq = Some(seq);
            t.hash = Some(hash.clone());
            values.push(format!(
                "({},'{}',{},{},{},{},{},'{}',{},{},{},'{}','{}',NULL,{},{},{},'{}','{}')",
                sql_text(&Some(t.id)),
                t.occurred_at.format("%Y-%m-%d %H:%M:%S%.6f"),
                sql_text(&t.request_id),
                sql_text(&t.actor_account_id),
                sql_text(&t.actor_role),
                sql_text(&t.organisation_kind),
                sql_text(&t.organisation_id),
                t.action,
                sql_text(&t.target_type),
                sql_text(&t.target_id),
                sql_text(&t.caf_id),
                t.outcome,
                t.detail,
                sql_text(&t.partner_id),
                sql_text(&t.file_number),
                seq,
                hash,
                t.chain,
            ));
            if values.len() == 500 {
                statements.push(std::mem::take(&mut values));
            }
        }
        if !values.is_empty() {
            statements.push(values);
        }
        let ends: Vec<String> = touched
            .iter()
            .map(|c| format!("('{c}',{},'{}')", heads[c].0, heads[c].1))
            .collect();
        env.db
            .write(|c| {
                for v in &statements {
                    diesel::sql_query(format!(
                        "INSERT INTO traces (id, occurred_at, request_id, actor_account_id, actor_role, organisation_kind, organisation_id, action, target_type, target_id, caf_id, outcome, detail, client_id, partner_id, file_number, seq, hash, chain) VALUES {}",
                        v.join(",")
                    ))
                    .execute(c)?;
                }
                for e in ends.chunks(500) {
                    diesel::sql_query(format!(
                        "INSERT INTO trace_chains (chain, last_seq, last_hash) VALUES {} \
                         ON CONFLICT (chain) DO UPDATE SET last_seq = excluded.last_seq, \
                         last_hash = excluded.last_hash",
                        e.join(",")
                    ))
                    .execute(c)?;
                }
                Ok(())
            })
            .expect("traces seeded");
        i = end;
        if i.is_multiple_of(1_000_000) {
            eprintln!("  {i} traces seeded");
        }
    }
    let started = Instant::now();
    env.db
        .write(|c| {
            for i in &indexes {
                // PostgreSQL describes a partitioned table's index `ON ONLY` the parent; built
                // again on the whole table, it covers every partition.
                diesel::sql_query(i.definition.replace(" ON ONLY ", " ON ")).execute(c)?;
            }
            diesel::sql_query("ANALYZE traces").execute(c)?;
            Ok(())
        })
        .unwrap();
    eprintln!(
        "  {} indexes built in {:.0} s",
        indexes.len(),
        started.elapsed().as_secs_f64()
    );
}

fn bench_traces(engine: Engine, n: u64) -> TraceBench {
    let env = TestEnv::start_with(engine, |c| {
        c.workers = 2;
        c.pool_size = 16;
    });
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "771");
    let admin = env.caf_admin(&cnaf, &caf, "bench@caf.example");
    let partner = env.partner(&admin, &siret(300_000), "ccas");
    let padmin = env.partner_admin(&admin, &partner, "principal", "p@ccas.example");
    let cnaf_auditor = env.auditor(&cnaf);
    let caf_auditor = env.new_auditor(&cnaf, Some(&caf), "audit@caf.example");
    let started = Instant::now();
    seed_traces(&env, n, &caf, &partner);
    let seed_seconds = started.elapsed().as_secs_f64();
    eprintln!("  seeded in {seed_seconds:.0} s");
    let day = (chrono::Utc::now() - chrono::Duration::days(30)).date_naive();
    let (from, to) = (
        day.and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .to_rfc3339()
            .replace('+', "%2B"),
        day.and_hms_opt(23, 59, 59)
            .unwrap()
            .and_utc()
            .to_rfc3339()
            .replace('+', "%2B"),
    );
    let person = |i: usize| synthetic(3, ((i as u128 % 100) * 50 * 20) + (i as u128 % 20));
    let file = |i: usize| format!("{:07}", ((i as u64 * 8 + 1) * 7919) % 1_000_000);
    let get = |path: String, token: &str| -> u16 {
        let r = env.get(&path, token);
        assert!(r.body["items"].is_array(), "{r:?}");
        r.status
    };
    let mut queries = vec![];
    queries.push(run(
        "partner administrator: newest page of their organisation",
        TRACE_QUERIES,
        |_| get("/api/v1/traces?order=newest".into(), &padmin),
    ));
    queries.push(run(
        "partner administrator: one day of their organisation",
        TRACE_QUERIES,
        |_| get(format!("/api/v1/traces?from={from}&to={to}"), &padmin),
    ));
    queries.push(run(
        "Caf auditor: newest page of the Caf's perimeter",
        TRACE_QUERIES,
        |_| get("/api/v1/traces?order=newest".into(), &caf_auditor),
    ));
    queries.push(run(
        "Cnaf auditor: one person's traces",
        TRACE_QUERIES,
        |i| {
            get(
                format!("/api/v1/traces?actor_account_id={}", person(i)),
                &cnaf_auditor,
            )
        },
    ));
    queries.push(run(
        "Cnaf auditor: consultations of one beneficiary file",
        TRACE_QUERIES,
        |i| {
            get(
                format!("/api/v1/traces?file_number={}", file(i)),
                &cnaf_auditor,
            )
        },
    ));
    queries.push(run(
        "Cnaf auditor: one action on one day",
        TRACE_QUERIES,
        |_| {
            get(
                format!("/api/v1/traces?action=auth.login&from={from}&to={to}"),
                &cnaf_auditor,
            )
        },
    ));
    // The Caf's whole perimeter, streamed as CSV.
    let started = Instant::now();
    let csv = env
        .client()
        .get(format!(
            "{}/api/v1/traces/export?format=csv",
            env.base_url()
        ))
        .bearer_auth(&caf_auditor)
        .timeout(Duration::from_secs(3600))
        .send()
        .expect("export")
        .text()
        .expect("export read");
    let export_seconds = started.elapsed().as_secs_f64();
    let export_rows = csv.lines().count().saturating_sub(1);
    // The whole chain checked once.
    let started = Instant::now();
    let ctx = mcp_persistence::Ctx {
        principal: Some(mcp_domain::access::Principal::auditor(
            uuid::Uuid::nil().into(),
            None,
        )),
        request_id: "bench".into(),
        now: chrono::Utc::now().naive_utc(),
        asked: None,
    };
    let report =
        mcp_persistence::use_cases::trace::verify_chain(&env.db, &ctx).expect("chain checked");
    assert!(report.broken.is_empty(), "{report:?}");
    let verify_seconds = started.elapsed().as_secs_f64();
    TraceBench {
        traces: n,
        seed_seconds,
        queries,
        export_rows,
        export_seconds,
        verified: report.verified,
        verify_seconds,
    }
}

/// CPU time used so far, in clock ticks: of one process (`/proc/<pid>/stat`, user + system),
/// or of the whole machine (`/proc/stat`, every state but idle and iowait).
fn cpu_ticks(pid: Option<u32>) -> u64 {
    match pid {
        Some(pid) => std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                // The command name may hold spaces: the fields start after its closing ')'.
                let rest = &s[s.rfind(')')? + 2..];
                let f: Vec<&str> = rest.split_whitespace().collect();
                Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
            })
            .unwrap_or(0),
        None => std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|s| {
                let f: Vec<u64> = s
                    .lines()
                    .next()?
                    .split_whitespace()
                    .skip(1)
                    .filter_map(|v| v.parse().ok())
                    .collect();
                Some(f.iter().sum::<u64>() - f.get(3)? - f.get(4)?)
            })
            .unwrap_or(0),
    }
}

/// What `pg_stat_activity` showed of the database's connections while a load ran, sampled.
#[derive(Default)]
struct Waits {
    samples: u64,
    active: u64,
    lock_waits: u64,
    chain_waits: u64,
}

/// One load over one or two service processes, with the waits sampled and the CPU split.
struct Instances {
    processes: usize,
    figures: Figures,
    waits: Waits,
    /// Share of the machine's CPU used during the load: service processes, bench clients,
    /// the rest (PostgreSQL).
    cpu: (f64, f64, f64),
}

/// Runs `call` with the clients spread over `bases`, sampling the database's connections every
/// 10 ms and the CPU of each party.
fn run_over(
    env: &TestEnv,
    operation: &'static str,
    count: usize,
    bases: &[String],
    pids: &[u32],
    call: impl Fn(&str, usize) -> u16 + Sync,
) -> Instances {
    #[derive(diesel::QueryableByName)]
    struct Sample {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        active: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        lock_waits: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        chain_waits: i64,
    }
    let stop = std::sync::atomic::AtomicBool::new(false);
    let before = (
        pids.iter().map(|p| cpu_ticks(Some(*p))).sum::<u64>(),
        cpu_ticks(Some(std::process::id())),
        cpu_ticks(None),
    );
    let (figures, waits) = std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            use diesel::RunQueryDsl;
            let mut w = Waits::default();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let got: Sample = env
                    .db
                    .read(|c| {
                        Ok(diesel::sql_query(
                            "SELECT count(*) FILTER (WHERE state = 'active') AS active, \
                             count(*) FILTER (WHERE wait_event_type = 'Lock') AS lock_waits, \
                             count(*) FILTER (WHERE wait_event_type = 'Lock' AND query LIKE '%trace_chains%') AS chain_waits \
                             FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                        )
                        .get_result(c)?)
                    })
                    .expect("pg_stat_activity sampled");
                w.samples += 1;
                w.active += got.active as u64;
                w.lock_waits += got.lock_waits as u64;
                w.chain_waits += got.chain_waits as u64;
                std::thread::sleep(Duration::from_millis(10));
            }
            w
        });
        let figures = run(operation, count, |i| {
            call(&bases[(i % CLIENTS) % bases.len()], i)
        });
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        (figures, sampler.join().expect("sampler"))
    });
    let services = pids.iter().map(|p| cpu_ticks(Some(*p))).sum::<u64>() - before.0;
    let clients = cpu_ticks(Some(std::process::id())) - before.1;
    let total = (cpu_ticks(None) - before.2).max(1);
    let share = |t: u64| 100.0 * t as f64 / total as f64;
    Instances {
        processes: bases.len(),
        figures,
        waits,
        cpu: (
            share(services),
            share(clients),
            share(total.saturating_sub(services + clients)),
        ),
    }
}

/// Traced writes of one Caf over many partners (each partner's traces in its own chain), and
/// reads, through one service process and then through two processes on the same PostgreSQL
/// database, as two instances behind a load balancer would run.
fn bench_instances(serve: &std::path::Path) -> Vec<Instances> {
    const PARTNERS: usize = 64;
    let env = TestEnv::start_process(Engine::Postgres, serve.to_str().expect("a path"));
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "bench@caf.example");
    let partners: Vec<String> = (0..PARTNERS)
        .map(|i| env.partner(&admin, &siret(i), "commune"))
        .collect();
    let mut out = vec![];
    let first = env.base_url().to_string();
    let second = env.another_process();
    let pids = [env.process_id().expect("a process"), second.id()];
    let next_siret = std::sync::atomic::AtomicUsize::new(PARTNERS);
    // One process, two, one, two: A B A B, so that the machine's drift shows as spread.
    let one = vec![first.clone()];
    let two = vec![first.clone(), second.base_url.clone()];
    for bases in [&one, &two, &one, &two] {
        let pids = &pids[..bases.len()];
        let put = |base: &str, i: usize| {
            let mut body = partner_body(&siret(i % PARTNERS), "commune");
            body["name"] = json!(format!("Commune n° {i}"));
            env.client()
                .put(format!("{base}/api/v1/partners/{}", partners[i % PARTNERS]))
                .bearer_auth(&admin)
                .json(&body)
                .send()
                .map_or(599, |r| r.status().as_u16())
        };
        out.push(run_over(
            &env,
            "PUT /partners/{id} over 64 partners (write + trace, 64 chains)",
            WRITES * 4,
            bases,
            pids,
            put,
        ));
        out.push(run_over(
            &env,
            "POST /partners (write + trace, a new chain each)",
            WRITES * 2,
            bases,
            pids,
            |base, _| {
                let n = next_siret.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                env.client()
                    .post(format!("{base}/api/v1/partners"))
                    .bearer_auth(&admin)
                    .json(&partner_body(&siret(n), "commune"))
                    .send()
                    .map_or(599, |r| r.status().as_u16())
            },
        ));
        out.push(run_over(
            &env,
            "GET /partners/{id}",
            READS,
            bases,
            pids,
            |base, i| {
                env.client()
                    .get(format!("{base}/api/v1/partners/{}", partners[i % PARTNERS]))
                    .bearer_auth(&admin)
                    .send()
                    .map_or(599, |r| r.status().as_u16())
            },
        ));
    }
    out
}

/// The scale section: each read's p99 on a small registry and at national size, side by side.
fn scale_report(out: &mut String) {
    out.push_str(&format!(
        "\n## The registry at national scale\n\nThe same reads through the API, by {CLIENTS} \
clients, on two registries served at once by the same build: a small one (the readers' Caf with \
a hundred partners) and one of national size (a hundred Cafs of 500 partners each). Every \
synthetic partner has 20 activated accounts. The rows are copies of a Caf, a partner and an \
agent the service wrote through the API, bulk-inserted below it with their identifiers, names, \
SIRET and links changed, indexes maintained as they go, then `ANALYZE`. The readers are the \
readers' Caf's administrator, the Cnaf's operator and an agent; the partners read are the same \
hundred in both registries, so only the tables around them grow. Each read runs on the small \
registry, then on the national one, then again on both (A B A B): two runs each, p99 of each \
run in milliseconds, and the ratio of the national p99s' mean to the small ones'.\n\n"
    ));
    out.push_str("| engine | read | p99 small (ms) | p99 national (ms) | national / small | req/s small | req/s national |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|\n");
    let mut loads = String::new();
    for (engine, name) in [(Engine::Sqlite, "SQLite"), (Engine::Postgres, "PostgreSQL")] {
        let [small, large] = scale::bench_scale(engine);
        for (s, l) in small.reads.iter().zip(&large.reads) {
            let p99 = |f: &[Figures; 2]| format!("{} · {}", ms(f[0].p99), ms(f[1].p99));
            let mean_p99 = |f: &[Figures; 2]| (f[0].p99 + f[1].p99).as_secs_f64() / 2.0;
            let rate = |f: &[Figures; 2]| {
                format!(
                    "{:.0} · {:.0}",
                    f[0].count as f64 / f[0].seconds,
                    f[1].count as f64 / f[1].seconds
                )
            };
            let line = format!(
                "| {name} | {} | {} | {} | {:.2} | {} | {} |\n",
                s[0].operation,
                p99(s),
                p99(l),
                mean_p99(l) / mean_p99(s),
                rate(s),
                rate(l),
            );
            print!("{line}");
            out.push_str(&line);
        }
        loads.push_str(&format!(
            "- {name}: small = {} partners and {} accounts; national = {} partners and {} \
accounts: {} rows inserted in {:.0} s ({:.0} rows/s, indexes maintained, `ANALYZE` included).\n",
            small.partners,
            small.accounts,
            large.partners,
            large.accounts,
            large.rows,
            large.load_seconds,
            large.rows as f64 / large.load_seconds,
        ));
    }
    out.push('\n');
    out.push_str(&loads);
    out.push_str(
        "\nEvery read is served by an index that starts with what it is asked for: the id, the Caf and \
SIRET, the owner followed by the id for a page in id order (`partners (caf_id, id)`, \
`accounts (partner_id, id)`, `accounts (caf_id, id)`), so a page costs the same whether the \
Caf has a hundred partners or several thousand, and no read sorts all of an owner's rows. The \
token's account is re-read by its primary key on every request.\n",
    );
}

/// The service binary beside this one (`cargo build --release --bins`).
fn serve_binary() -> std::path::PathBuf {
    let serve = std::env::current_exe()
        .expect("this binary's path")
        .with_file_name("serve");
    assert!(
        serve.exists(),
        "{} is missing: build the binaries first (make bench does)",
        serve.display()
    );
    serve
}

/// The sign-in section: rates against the hash's ceiling, latency against one hash, and the
/// service process's memory, with 2, 4 and 8 clients at once.
fn logins_report(out: &mut String, serve: &std::path::Path) {
    let h = logins::hashing();
    let one = h.one.as_secs_f64() * 1000.0;
    out.push_str(&format!(
        "\n## Sign-ins against the hash they compute\n\nargon2id (OWASP parameters: 19 MiB, 2 \
passes, 1 lane) through the service's hashing pool, in this run: one verification alone takes \
{one:.1} ms; with every core busy the pool does {:.0} verifications/s, the ceiling of sign-ins \
on this machine. Then the service runs as a process of its own (`mcp serve`'s configuration: 2 \
HTTP workers, 8 connections), and 2, 4 and then 8 clients sign in at once, each waiting for its \
answer before the next; its memory is read from /proc/<pid>/status, apart from the clients'.\n\n",
        h.ceiling
    ));
    out.push_str("| engine | clients at once | sign-ins | sign-ins/s | of the ceiling | p50 (ms) | p99 (ms) | p99 / one hash | service RSS before → after, peak (MiB) |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    let mut idles = vec![];
    for (engine, name) in [(Engine::Sqlite, "SQLite"), (Engine::Postgres, "PostgreSQL")] {
        let (idle, loads) = logins::bench_logins(engine, serve);
        idles.push(format!("{name} {idle} MiB"));
        for l in loads {
            let f = &l.figures;
            let rate = f.count as f64 / f.seconds;
            let line = format!(
                "| {name} | {} | {} | {rate:.0} | {:.0} % | {} | {} | {:.1} | {} → {}, {} |\n",
                l.clients,
                f.count,
                100.0 * rate / h.ceiling,
                ms(f.p50),
                ms(f.p99),
                f.p99.as_secs_f64() * 1000.0 / one,
                l.rss_before,
                l.rss_after,
                l.rss_peak,
            );
            print!("{line}");
            out.push_str(&line);
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    out.push_str(&format!(
        "\nThe service process, idle after start-up: {}. Its hashing pool has one worker per core \
({cores} here), each reusing its own 19 MiB block, and a bounded queue past which a sign-in \
is answered 503 with `Retry-After`; so memory stays flat whatever the number of clients, and \
latency grows by queueing. With N clients each waiting for its answer, a sign-in waits on \
average for the N − 1 others' hashes to share the {cores} cores (Little's law: latency = N ÷ \
rate), so its latency is about N ÷ {cores} hashes: a p99 within 4 hashes holds while the \
clients signing in at the same instant are no more than about twice the cores, and past that \
every sign-in still costs one hash of CPU, no more.\n",
        idles.join(", ")
    ));
}
