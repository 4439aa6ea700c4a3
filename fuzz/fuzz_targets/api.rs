//! The HTTP API, driven in-process through the router with an arbitrary method, path, query and
//! body: never a panic, never a 500, and every /api answer is JSON.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gigawatt_core::Catalog;
use gigawatt_server::{AppState, router};
use gigawatt_store::History;
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

/// The request line (`METHOD PATH`), with the query each computing endpoint takes to keep its run
/// small appended: the fuzzer looks for crashes, not for slow runs. Later values of a parameter
/// win, so these hold whatever the path says.
fn request_line(data: &[u8]) -> Option<(&str, String, &[u8])> {
    let newline = data.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&data[..newline]).ok()?;
    let (method, path) = line.split_once(' ')?;
    let small = if path.starts_with("/api/plan") {
        "draws=1000"
    } else if path.starts_with("/api/simulate") {
        "replicas=1&days=1"
    } else if path.starts_with("/api/capacity") {
        "replicas=1"
    } else {
        return Some((method, path.to_string(), &data[newline + 1..]));
    };
    let joiner = if path.contains('?') { '&' } else { '?' };
    Some((method, format!("{path}{joiner}{small}"), &data[newline + 1..]))
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap())
}

fn state() -> &'static AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE.get_or_init(|| AppState::new(Catalog::bundled().unwrap(), History::Off))
}

// The input is an HTTP request as text: `METHOD PATH?QUERY`, a newline, then the body (seeded
// with every bundled scenario sent to every endpoint, see fuzz/run).
fuzz_target!(|data: &[u8]| {
    let Some((method, uri, body)) = request_line(data) else {
        return;
    };
    let Ok(request) =
        Request::builder().method(method).uri(&uri).header("host", "localhost").body(Body::from(body.to_vec()))
    else {
        return;
    };
    let (status, body) = runtime().block_on(async {
        let response = router(state().clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, body)
    });
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{method} {uri}: {}", String::from_utf8_lossy(&body));
    if uri.starts_with("/api") && !body.is_empty() {
        let parsed: Result<serde_json_check::Value, _> = serde_json_check::from_slice(&body);
        assert!(parsed.is_ok(), "{method} {uri}: not JSON: {}", String::from_utf8_lossy(&body));
    }
});
