//! The service as `mcp serve` runs it (same configuration, same `prepare` and `server`), for the
//! tests that kill a real process and start it again.

fn main() {
    let config = mcp_api::config::Config::from_env().expect("configuration");
    mcp_api::logging::init(config.log_format, "error");
    let bind = config.bind.clone();
    let listener = std::net::TcpListener::bind(&bind).expect("listen");
    let state = mcp_api::prepare(config).expect("prepare");
    actix_web::rt::System::new()
        .block_on(async move { mcp_api::server(state, listener)?.await })
        .expect("serve");
}
