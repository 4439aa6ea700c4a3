//! The server under load, over real TCP: a run over the time limit is stopped and frees its slot,
//! a client that hangs up stops its run, and 100 clients at once (slow simulations and cheap
//! requests mixed) all get their answer, with cheap ones fast and every run recorded once.
//!
//! `cargo test -p gigawatt-server --test load -- --nocapture` prints the latencies measured.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use gigawatt_core::Catalog;
use gigawatt_server::{AppState, ServeConfig};
use gigawatt_store::History;

const LLAMA: &str = include_str!("../../../scenarios/llama3-405b-16k.toml");

/// A simulation the dashboard accepts (about 18.6 million failures, just under its bound) that
/// runs for many seconds on two cores.
const LONG_SIM: &str = "/api/simulate?replicas=8000&days=200";
/// A simulation that takes a fraction of a second.
const SHORT_SIM: &str = "/api/simulate?replicas=2&sweep=false";
/// The slow requests of the load test: 2,000 replicas of the Llama 3 job with its checkpoint
/// sweep, about 0.2 s each on two cores, so 20 of them keep both run slots busy for seconds.
const SLOW_SIM: &str = "/api/simulate?replicas=2000";

/// Starts a real server on a free loopback port; it runs until the test process ends.
fn start(state: AppState) -> SocketAddr {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let config = ServeConfig { bind: "127.0.0.1".parse().unwrap(), port: 0 };
        gigawatt_server::serve(config, state, |addr| tx.send(addr).unwrap()).unwrap();
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("the server starts")
}

fn state(history: History, limit: Duration) -> AppState {
    AppState::new(Catalog::bundled().unwrap(), history).with_time_limit(limit)
}

/// An answer as a client sees it.
#[derive(Debug)]
struct Answer {
    status: u16,
    run_id: Option<i64>,
    body: String,
    took: Duration,
}

/// Sends one request on a connection of its own and reads the whole answer.
fn send(addr: SocketAddr, method: &str, path: &str, body: &str) -> Answer {
    let started = Instant::now();
    let mut s = open(addr, method, path, body);
    s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let took = started.elapsed();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let run_id = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("x-gigawatt-run-id:").map(|v| v.trim().parse().unwrap()));
    Answer { status, run_id, body: body.to_string(), took }
}

/// Opens a connection and sends a request on it without reading the answer.
fn open(addr: SocketAddr, method: &str, path: &str, body: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    s
}

/// Sends requests from one thread each, all at once.
fn at_once(addr: SocketAddr, requests: &[(&'static str, &'static str, &'static str)]) -> Vec<Answer> {
    let threads: Vec<_> = requests.iter().map(|&(m, p, b)| thread::spawn(move || send(addr, m, p, b))).collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn a_run_over_the_time_limit_is_stopped_and_frees_its_slot() {
    let limit = Duration::from_secs(1);
    let addr = start(state(History::Off, limit));
    // Two long runs take both slots and outlive the limit.
    let answers = at_once(addr, &[("POST", LONG_SIM, LLAMA), ("POST", LONG_SIM, LLAMA)]);
    for a in &answers {
        assert_eq!(a.status, 503, "{a:?}");
        assert!(a.body.contains("did not finish within the server's limit of 1 s"), "{}", a.body);
        assert!(a.took < limit + Duration::from_secs(2), "answered after {:?}", a.took);
    }
    // Stopped runs free their slots within a simulated day: a short run gets one at once.
    let next = send(addr, "POST", SHORT_SIM, LLAMA);
    assert_eq!(next.status, 200, "{}", next.body);
    assert!(next.took < Duration::from_secs(2), "the next run waited {:?} for a slot", next.took);
}

#[test]
fn a_client_that_hangs_up_stops_its_run() {
    // The long run is accepted and outlives a second (so the check below is not vacuous).
    let probe = start(state(History::Off, Duration::from_secs(1)));
    assert_eq!(send(probe, "POST", LONG_SIM, LLAMA).status, 503, "the long run is accepted and takes over 1 s");

    let addr = start(state(History::Off, Duration::from_secs(600)));
    let hung_up: Vec<TcpStream> = (0..2).map(|_| open(addr, "POST", LONG_SIM, LLAMA)).collect();
    thread::sleep(Duration::from_millis(500));
    drop(hung_up);
    // Unstopped, the two long runs would hold both slots for many seconds.
    let next = send(addr, "POST", SHORT_SIM, LLAMA);
    assert_eq!(next.status, 200, "{}", next.body);
    assert!(next.took < Duration::from_secs(3), "the next run waited {:?} for a slot", next.took);
}

/// Requests a dashboard makes that need no run slot, and requests the server refuses.
const CHEAP: [(&str, &str, &str); 6] = [
    ("GET", "/api/health", ""),
    ("GET", "/api/catalog", ""),
    ("GET", "/api/scenarios", ""),
    ("GET", "/api/runs?limit=5", ""),
    ("POST", "/api/plan", "name = \"broken\"\n[[phase]\n"),
    ("POST", "/api/simulate?replicas=10000&days=3650", LLAMA),
];

#[test]
fn a_hundred_clients_at_once_all_get_their_answer_and_every_run_is_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("runs.sqlite3");
    let addr = start(state(History::At(db.clone()), Duration::from_secs(600)));
    // 20 simulations, 10 plans and 70 cheap requests, interleaved.
    let requests: Vec<(&str, &str, &str)> = (0..100)
        .map(|i| match i % 10 {
            0 | 5 => ("POST", SLOW_SIM, LLAMA),
            3 => ("POST", "/api/plan?draws=1000", LLAMA),
            _ => CHEAP[i % CHEAP.len()],
        })
        .collect();
    let answers = at_once(addr, &requests);

    let mut ids = Vec::new();
    let (mut cheap, mut runs) = (Vec::new(), Vec::new());
    for ((method, path, _), a) in requests.iter().zip(&answers) {
        let expected = if path.contains("3650") || path == &"/api/plan" { 400 } else { 200 };
        assert_eq!(a.status, expected, "{method} {path}: {}", a.body);
        if path == &SLOW_SIM || path.starts_with("/api/plan?") {
            ids.push(a.run_id.expect("a run answered has its id"));
            runs.push(a.took);
        } else {
            cheap.push(a.took);
        }
    }
    let slowest_cheap = cheap.iter().max().unwrap();
    assert!(*slowest_cheap < Duration::from_secs(2), "a cheap request took {slowest_cheap:?} under load");

    // Nothing recorded twice, nothing lost: the history holds exactly the runs answered.
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 30, "every run answered has an id of its own");
    let store = History::At(db).open().unwrap().unwrap();
    let mut stored: Vec<i64> = store.list(1000).unwrap().iter().map(|r| r.id).collect();
    stored.sort_unstable();
    assert_eq!(stored, ids, "the history holds each answered run once");

    println!("100 clients at once on {} cores:", thread::available_parallelism().map_or(0, |n| n.get()));
    println!("  70 cheap requests (no run slot): {}", summary(&mut cheap));
    println!("  30 runs (20 simulations, 10 plans): {}", summary(&mut runs));
}

/// p50, p95 and max of some latencies, in milliseconds.
fn summary(took: &mut [Duration]) -> String {
    took.sort_unstable();
    let at = |q: f64| took[((took.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    format!("p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms", at(0.5), at(0.95), at(1.0))
}
