//! The service as `mcp serve` runs it (same configuration, same `prepare` and `server`), for the
//! tests that kill a real process and start it again.

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("error")).init();
    let config = mcp_api::config::Config::from_env().expect("configuration");
    let bind = config.bind.clone();
    let listener = std::net::TcpListener::bind(&bind).expect("listen");
    let state = mcp_api::prepare(config).expect("prepare");
    actix_web::rt::System::new()
        .block_on(async move { mcp_api::server(state, listener)?.await })
        .expect("serve");
}
