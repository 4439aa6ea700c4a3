//! The JSON API as a client sees it: valid TOML, invalid TOML with its line and column, an
//! oversize body, unknown routes and methods, the run history, and a real TCP round trip.

use std::io::{Read, Write};
use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gigawatt_core::{Catalog, PlanOptions, SourceFile, load_scenario, plan};
use gigawatt_server::{AppState, MAX_BODY_BYTES, ServeConfig, bundled, router};
use gigawatt_store::History;
use http_body_util::BodyExt;
use tower::ServiceExt;

const SEED: &str = include_str!("../../../scenarios/nvidia-openai-10gw.toml");

fn state(db: Option<&Path>) -> AppState {
    let history = match db {
        Some(p) => History::At(p.to_path_buf()),
        None => History::Off,
    };
    AppState::new(Catalog::bundled().unwrap(), history)
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn send(state: AppState, method: &str, uri: &str, body: impl Into<Body>) -> Reply {
    send_with(state, method, uri, &[], body).await
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn plan_of_valid_toml_is_the_json_the_cli_prints() {
    let reply = rt().block_on(send(state(None), "POST", "/api/plan?file=scenarios/nvidia-openai-10gw.toml", SEED));
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.headers["content-type"], "application/json");
    // What `gigawatt plan scenarios/nvidia-openai-10gw.toml --format json` prints.
    let file = SourceFile::new("scenarios/nvidia-openai-10gw.toml", SEED);
    let model = load_scenario(&file, &Catalog::bundled().unwrap()).unwrap();
    let expected = gigawatt_report::json::to_json(&plan(&model, PlanOptions::from_model(&model)));
    assert_eq!(reply.body, expected);
    assert!(reply.headers.get("x-gigawatt-run-id").is_none(), "history off: nothing recorded");
}

#[test]
fn seed_and_draws_come_from_the_query() {
    let reply = rt().block_on(send(state(None), "POST", "/api/plan?seed=9&draws=1000", SEED));
    assert_eq!(reply.status, StatusCode::OK);
    let v = reply.json();
    assert_eq!((v["seed"].as_u64(), v["draws"].as_u64()), (Some(9), Some(1000)));
    assert_eq!(v["scenario"]["file"], "<pasted>");
    for (q, needle) in
        [("draws=5", "between 1000 and"), ("seed=-1", "is not a seed"), ("colour=red", "unknown query parameter")]
    {
        let reply = rt().block_on(send(state(None), "POST", &format!("/api/plan?{q}"), SEED));
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(reply.json()["error"]["message"].as_str().unwrap().contains(needle), "{q}: {}", reply.body);
    }
}

#[test]
fn invalid_toml_is_a_400_with_line_and_column() {
    let bad = "name = \"broken\"\n\n[[phase]]\nonline = \"2026-Q4\"\nplatform = \"vr-nvl144\"\npower_gw = = 1\n";
    let reply = rt().block_on(send(state(None), "POST", "/api/plan", bad));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let e = &reply.json()["error"];
    assert_eq!(e["status"], 400);
    assert_eq!(e["line"], 6, "{e}");
    assert!(e["column"].as_u64().unwrap() >= 10, "{e}");
    assert_eq!(e["file"], "<pasted>");
    assert!(e["span"][0].as_u64().is_some());

    // A valid TOML document that is not a valid scenario: located too, with help.
    let unknown = SEED.replacen("platform = \"vr-nvl144\"", "platform = \"vera-rubin\"", 1);
    let reply = rt().block_on(send(state(None), "POST", "/api/plan/view", unknown.clone()));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let e = &reply.json()["error"];
    let line = unknown[..unknown.find("\"vera-rubin\"").unwrap()].matches('\n').count() + 1;
    assert_eq!(e["line"].as_u64(), Some(line as u64), "{e}");
    assert_eq!(e["column"], 12);
    assert!(e["help"].as_str().unwrap().contains("vr-nvl144"), "{e}");
}

#[test]
fn oversize_and_malformed_bodies_are_4xx_json() {
    let big = "#".repeat(MAX_BODY_BYTES + 1);
    let reply = rt().block_on(send(state(None), "POST", "/api/plan", big));
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("256 KiB"));
    let reply = rt().block_on(send(state(None), "POST", "/api/plan", vec![0xff, 0xfe, 0x00]));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("not UTF-8"));
    let reply = rt().block_on(send(state(None), "POST", "/api/plan", "  \n"));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("empty"));
}

#[test]
fn unknown_routes_and_methods_are_json_errors() {
    let reply = rt().block_on(send(state(None), "GET", "/api/frobnicate", Body::empty()));
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["error"]["status"], 404);
    let reply = rt().block_on(send(state(None), "GET", "/api/plan", Body::empty()));
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.json()["error"]["status"], 405);
    assert_eq!(reply.headers.get("allow").map(|v| v.to_str().unwrap()), Some("POST"));
    let reply = rt().block_on(send(state(None), "GET", "/api/scenarios/nope", Body::empty()));
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.json()["error"]["help"].as_str().unwrap().contains("nvidia-openai-10gw"));
    let reply = rt().block_on(send(state(None), "GET", "/api/runs/abc", Body::empty()));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("not a run id"));
    let reply = rt().block_on(send(state(None), "GET", "/api/runs/1", Body::empty()));
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "history off: {}", reply.body);
}

#[test]
fn scenarios_and_catalog_are_compiled_in() {
    let reply = rt().block_on(send(state(None), "GET", "/api/scenarios", Body::empty()));
    let list = reply.json();
    assert_eq!(list.as_array().unwrap().len(), bundled::SCENARIOS.len());
    assert_eq!(list[0]["id"], "nvidia-openai-10gw");
    assert_eq!(list[0]["toml"], SEED);
    let one = rt().block_on(send(state(None), "GET", "/api/scenarios/nvidia-openai-10gw-gb300", Body::empty())).json();
    assert_eq!(one["file"], "scenarios/nvidia-openai-10gw-gb300.toml");
    let catalog = rt().block_on(send(state(None), "GET", "/api/catalog", Body::empty())).json();
    assert!(catalog["platforms"].as_array().unwrap().iter().any(|p| p["id"] == "vr-nvl144"));
}

#[test]
fn the_dashboard_page_is_served_self_contained() {
    let reply = rt().block_on(send(state(None), "GET", "/", Body::empty()));
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["content-type"], "text/html; charset=utf-8");
    assert!(reply.headers["content-security-policy"].to_str().unwrap().contains("connect-src 'self'"));
    assert!(reply.body.contains("id=\"toml\"") && reply.body.contains("/api/plan/view"));
    assert!(!reply.body.contains("src=\"http") && !reply.body.contains("href=\"http"), "no external resources");
}

#[test]
fn view_runs_are_recorded_and_readable_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite3");
    let st = state(Some(&db));
    let view = rt().block_on(send(st.clone(), "POST", "/api/plan/view?draws=1000", SEED));
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let v = view.json();
    let id = v["run_id"].as_i64().expect("recorded");
    assert_eq!(view.headers["x-gigawatt-run-id"], id.to_string().as_str());
    assert!(v["cards"].as_array().unwrap().iter().any(|c| c["key"] == "gpus"));
    let charts = v["charts"].as_array().unwrap();
    assert!(charts.iter().all(|c| c["svg"].as_str().unwrap().starts_with("<svg")));
    assert!(charts.iter().any(|c| c["id"] == "buildout"));
    assert_eq!(v["plan"]["draws"], 1000);

    let second = rt().block_on(send(st.clone(), "POST", "/api/plan?seed=1&draws=1000", SEED));
    let id2: i64 = second.headers["x-gigawatt-run-id"].to_str().unwrap().parse().unwrap();
    let runs = rt().block_on(send(st.clone(), "GET", "/api/runs?limit=5", Body::empty())).json();
    assert_eq!(runs[0]["id"], id2);
    assert_eq!(runs[0]["source"], "serve");
    let run = rt().block_on(send(st.clone(), "GET", &format!("/api/runs/{id}"), Body::empty())).json();
    assert_eq!(run["scenario_text"], SEED);
    let diff = rt().block_on(send(st.clone(), "GET", &format!("/api/runs/{id}/diff/{id2}"), Body::empty())).json();
    assert_eq!(diff["same_scenario"], true);
    let missing = rt().block_on(send(st, "GET", "/api/runs/999", Body::empty()));
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[test]
fn a_real_server_answers_on_loopback() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let config = ServeConfig { bind: "127.0.0.1".parse().unwrap(), port: 0 };
        gigawatt_server::serve(config, state(None), |addr| tx.send(addr).unwrap()).unwrap();
    });
    let addr = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert!(addr.ip().is_loopback());
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    write!(s, "GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"status\": \"ok\""), "{reply}");
}

const LLAMA: &str = include_str!("../../../scenarios/llama3-405b-16k.toml");
const GB300: &str = include_str!("../../../scenarios/nvidia-openai-10gw-gb300.toml");

fn model_of(file: &str, text: &str) -> gigawatt_core::Model {
    load_scenario(&SourceFile::new(file, text), &Catalog::bundled().unwrap()).unwrap()
}

#[test]
fn simulate_is_the_json_the_cli_prints_with_its_sweep() {
    let q = "/api/simulate?file=scenarios/llama3-405b-16k.toml&replicas=50";
    let reply = rt().block_on(send(state(None), "POST", q, LLAMA));
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    // `gigawatt simulate scenarios/llama3-405b-16k.toml --replicas 50 --sweep-interval --format json`.
    let model = model_of("scenarios/llama3-405b-16k.toml", LLAMA);
    let options =
        gigawatt_sim::SimOptions { replicas: 50, sweep: true, ..gigawatt_sim::SimOptions::from_model(&model) };
    let eval = gigawatt_core::plan::evaluate(&model, &model.params.central());
    let expected = gigawatt_report::json::to_json(&gigawatt_sim::simulate(&model, &eval, options).unwrap());
    assert_eq!(reply.body, expected);
    let v = reply.json();
    assert!(v["jobs"][0]["interval_sweep"].as_array().is_some_and(|s| s.len() > 3));
    // Without the sweep, on request.
    let reply = rt().block_on(send(state(None), "POST", "/api/simulate?replicas=5&sweep=false&days=10", LLAMA));
    let v = reply.json();
    assert!(v["jobs"][0].get("interval_sweep").is_none());
    assert_eq!((v["replicas"].as_u64(), v["days"].as_f64()), (Some(5), Some(10.0)));
}

#[test]
fn simulate_view_has_cards_and_charts_and_the_plan_view_says_what_else_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite3");
    let st = state(Some(&db));
    let plan = rt().block_on(send(st.clone(), "POST", "/api/plan/view?draws=1000", LLAMA)).json();
    assert_eq!(plan["available"], serde_json::json!(["simulate", "capacity"]));
    let gb300 = rt().block_on(send(st.clone(), "POST", "/api/plan/view?draws=1000", GB300)).json();
    assert_eq!(gb300["available"], serde_json::json!([]), "no simulation or workload sections");

    let view = rt().block_on(send(st.clone(), "POST", "/api/simulate/view?replicas=20", LLAMA));
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let v = view.json();
    let keys: Vec<&str> = v["cards"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert!(keys.contains(&"failures_per_day") && keys.contains(&"ettr:Llama 3.1 405B pre-training"), "{keys:?}");
    let ids: Vec<&str> = v["charts"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["failures-per-day", "gpus-down", "ettr-interval"]);
    assert_eq!(v["result"]["replicas"], 20);

    let cap = rt().block_on(send(st.clone(), "POST", "/api/capacity/view?replicas=20", LLAMA));
    assert_eq!(cap.status, StatusCode::OK, "{}", cap.body);
    let c = cap.json();
    assert_eq!(c["result"]["training"][0]["ettr"]["method"], "simulated");
    assert_eq!(c["result"]["training"][0]["ettr"]["replicas"], 20);
    assert!(c["cards"].as_array().unwrap().iter().any(|c| c["key"] == "training:Llama 3.1 405B pre-training"));
    assert!(c["charts"].as_array().unwrap().iter().any(|c| c["id"] == "fleet-split"));

    let runs = rt().block_on(send(st, "GET", "/api/runs", Body::empty())).json();
    let kinds: Vec<&str> = runs.as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["capacity", "simulate", "plan", "plan"]);
}

#[test]
fn capacity_is_the_json_the_cli_prints() {
    let reply = rt().block_on(send(state(None), "POST", "/api/capacity?file=scenarios/nvidia-openai-10gw.toml", SEED));
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let model = model_of("scenarios/nvidia-openai-10gw.toml", SEED);
    let expected = gigawatt_workloads::capacity_simulated(&model, &Catalog::bundled().unwrap(), true).unwrap();
    assert_eq!(reply.body, gigawatt_report::json::to_json(&expected));
    // The closed form on request, for a scenario whose run asks for the simulator.
    let reply = rt().block_on(send(state(None), "POST", "/api/capacity?simulate=false", LLAMA));
    assert_eq!(reply.json()["training"][0]["ettr"]["method"], "closed_form");
    let reply = rt().block_on(send(state(None), "POST", "/api/capacity?simulate=maybe", LLAMA));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[test]
fn a_simulation_too_large_for_the_dashboard_is_refused_with_what_would_fit() {
    // 4.2 M GPUs × 100 replicas × 365 days: about 73 million failures to draw.
    let reply = rt().block_on(send(state(None), "POST", "/api/simulate", GB300));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let e = &reply.json()["error"];
    assert!(e["message"].as_str().unwrap().contains("million failures"), "{e}");
    assert!(e["help"].as_str().unwrap().contains("replicas=27 or fewer"), "{e}");
    for (q, needle) in [
        ("replicas=0", "between 1 and"),
        ("days=-3", "above 0"),
        ("days=nan", "above 0"),
        ("sweep=perhaps", "true or false"),
        ("draws=500", "unknown query parameter"),
    ] {
        let reply = rt().block_on(send(state(None), "POST", &format!("/api/simulate?{q}"), LLAMA));
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(reply.json()["error"]["message"].as_str().unwrap().contains(needle), "{q}: {}", reply.body);
    }
    // A scenario error in a simulation section is located like any other.
    let bad = LLAMA.replacen("gpus = 16384\ncheckpoint_interval_s", "gpus = 99999\ncheckpoint_interval_s", 1);
    let reply = rt().block_on(send(state(None), "POST", "/api/simulate", bad));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.json()["error"]["line"].as_u64().is_some(), "{}", reply.body);
}

async fn send_with(state: AppState, method: &str, uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = router(state).oneshot(req.body(body.into()).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
}

#[test]
fn other_web_pages_and_rebound_names_are_refused() {
    let local = [("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")];
    let reply = rt().block_on(send_with(state(None), "POST", "/api/plan", &local, SEED));
    assert_eq!(reply.status, StatusCode::OK, "the dashboard's own page: {}", reply.body);
    let reply =
        rt().block_on(send_with(state(None), "GET", "/api/health", &[("host", "localhost:8080")], Body::empty()));
    assert_eq!(reply.status, StatusCode::OK);
    // A page elsewhere posting to the local server (a "simple" text/plain request needs no preflight).
    let foreign = [("host", "127.0.0.1:8080"), ("origin", "http://evil.example"), ("content-type", "text/plain")];
    let reply = rt().block_on(send_with(state(None), "POST", "/api/plan", &foreign, SEED));
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("cross-origin"));
    // A page opened from disk sends Origin: null.
    let file = [("host", "127.0.0.1:8080"), ("origin", "null")];
    assert_eq!(rt().block_on(send_with(state(None), "GET", "/api/runs", &file, Body::empty())).status, 403);
    // DNS rebinding: a foreign name that resolves to 127.0.0.1, same-origin from the browser's view.
    let rebound = [("host", "evil.example:8080"), ("origin", "http://evil.example:8080")];
    let reply = rt().block_on(send_with(state(None), "GET", "/api/scenarios", &rebound, Body::empty()));
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("addressed to localhost"));
    // Bound to another address on purpose, other host names are served, still same-origin only.
    let open = state(None).bound_to("0.0.0.0".parse().unwrap());
    let named = [("host", "planner.lab:8080"), ("origin", "http://planner.lab:8080")];
    assert_eq!(rt().block_on(send_with(open.clone(), "GET", "/api/health", &named, Body::empty())).status, 200);
    let cross = [("host", "planner.lab:8080"), ("origin", "http://evil.example")];
    assert_eq!(rt().block_on(send_with(open, "GET", "/api/health", &cross, Body::empty())).status, 403);
}

#[test]
fn paths_that_are_not_utf8_are_json_errors() {
    for uri in ["/api/runs/%ff", "/api/scenarios/%ff", "/api/runs/1/diff/%ff"] {
        let reply = rt().block_on(send(state(None), "GET", uri, Body::empty()));
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(reply.headers["content-type"], "application/json", "{uri}");
        assert!(reply.json()["error"]["message"].as_str().unwrap().contains("not valid"), "{uri}: {}", reply.body);
    }
}

#[test]
fn a_fleet_too_large_for_the_dashboard_is_refused_before_it_is_built() {
    // 900 GW of GB300: about 95 million compute trays, refused without allocating them.
    let big = "name = \"huge\"\n[[phase]]\nonline = \"2026-H2\"\nplatform = \"gb300-nvl72\"\npower_gw = 900\n\
               [simulation]\ndays = 1\nreplicas = 1\n";
    let started = std::time::Instant::now();
    let reply = rt().block_on(send(state(None), "POST", "/api/simulate", big));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("the dashboard simulates at most"));
    assert!(started.elapsed().as_secs() < 5, "refused at once");
    // Beyond what a phase can be at all: a located input error.
    let absurd = big.replace("power_gw = 900", "power_gw = 1e6");
    let reply = rt().block_on(send(state(None), "POST", "/api/plan", absurd));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["line"], 5, "{}", reply.body);
}

const OPERATE_SMALL: &str = include_str!("../../gigawatt/tests/fixtures/good/operate_small.toml");

#[test]
fn operate_view_has_its_cards_and_charts_and_the_json_is_the_clis() {
    let st = state(None);
    let plan = rt().block_on(send(st.clone(), "POST", "/api/plan/view?draws=1000", OPERATE_SMALL)).json();
    assert!(plan["available"].as_array().unwrap().iter().any(|a| a == "operate"), "{}", plan["available"]);
    let view = rt().block_on(send(st.clone(), "POST", "/api/operate/view?seed=7", OPERATE_SMALL));
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let v = view.json();
    let ids: Vec<&str> = v["charts"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["operate-gpus-by-class", "operate-unmet-by-tier", "operate-run-progress"]);
    assert!(v["cards"].as_array().unwrap().iter().any(|c| c["key"] == "mean_idle_share"));
    let model = model_of("pasted.toml", OPERATE_SMALL);
    let req = gigawatt_operate::OperateRequest { seed: Some(7), ..Default::default() };
    let expected = gigawatt_operate::operate(&model, &Catalog::bundled().unwrap(), &req).unwrap();
    let json = rt().block_on(send(st, "POST", "/api/operate?seed=7&file=pasted.toml", OPERATE_SMALL));
    assert_eq!(json.body, gigawatt_report::json::to_json(&expected));
}

#[test]
fn a_build_out_too_large_for_the_dashboard_to_operate_is_refused_before_it_runs() {
    let seed_with_operate = format!("{SEED}\n[operate]\n");
    let reply = rt().block_on(send(state(None), "POST", "/api/operate", seed_with_operate));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let e = &reply.json()["error"];
    assert!(e["message"].as_str().unwrap().contains("scheduler events"), "{e}");
    assert!(e["help"].as_str().unwrap().contains("gigawatt operate"), "{e}");
}

/// A build-out whose research jobs alone are beyond the dashboard's bound is refused before they
/// are drawn: the lower bound ("at least") refuses it, not the estimate made after drawing.
#[test]
fn too_many_research_jobs_for_the_dashboard_are_refused_before_they_are_drawn() {
    assert!(OPERATE_SMALL.contains("jobs = 5000"));
    let many = OPERATE_SMALL.replace("jobs = 5000", "jobs = 3000000");
    let reply = rt().block_on(send(state(None), "POST", "/api/operate", many));
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let message = reply.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("needs at least 9.0 M scheduler events") && message.contains("3000000 jobs"), "{message}");
}
