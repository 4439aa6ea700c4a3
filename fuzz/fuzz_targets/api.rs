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
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

#[derive(Arbitrary, Debug)]
struct Call {
    method: u8,
    route: u8,
    suffix: String,
    query: String,
    body: Vec<u8>,
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "OPTIONS"];
const ROUTES: [&str; 12] = [
    "/",
    "/api/health",
    "/api/scenarios",
    "/api/scenarios/",
    "/api/catalog",
    "/api/plan",
    "/api/plan/view",
    "/api/capacity",
    "/api/capacity/view",
    "/api/runs",
    "/api/runs/",
    "/api/simulate",
];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap())
}

fn state() -> &'static AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE.get_or_init(|| AppState::new(Catalog::bundled().unwrap(), History::Off))
}

fuzz_target!(|call: Call| {
    let method = METHODS[call.method as usize % METHODS.len()];
    let route = ROUTES[call.route as usize % ROUTES.len()];
    // Keep simulations small: the fuzzer looks for crashes, not for slow runs.
    let query = format!("{}&replicas=1&days=1&draws=1000", call.query);
    let uri = format!("{route}{}?{query}", call.suffix);
    let Ok(request) =
        Request::builder().method(method).uri(&uri).header("host", "localhost").body(Body::from(call.body))
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
    if route.starts_with("/api") && !body.is_empty() {
        let parsed: Result<serde_json_check::Value, _> = serde_json_check::from_slice(&body);
        assert!(parsed.is_ok(), "{method} {uri}: not JSON: {}", String::from_utf8_lossy(&body));
    }
});
