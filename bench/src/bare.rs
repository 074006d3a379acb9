//! `bare`: the yardstick. An axum server on the same runtime as the real
//! one that answers every request with the same bytes, held in memory: what
//! the machine, the load generator and HTTP cost before any work is done.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::body::Bytes;
use axum::http::header;
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "beffroi-bench bare",
    about = "Serve one file's bytes from memory."
)]
struct Args {
    /// Address and port to listen on.
    #[arg(long)]
    bind: SocketAddr,
    /// The bytes to answer with.
    #[arg(long)]
    body: PathBuf,
    /// Their media type.
    #[arg(long, default_value = "text/html; charset=utf-8")]
    content_type: String,
}

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let a = Args::parse_from(std::iter::once("bare".to_owned()).chain(args.iter().cloned()));
    let body = Bytes::from(std::fs::read(&a.body)?);
    let content_type = a.content_type;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let app = axum::Router::new().fallback(move || {
            let body = body.clone();
            let content_type = content_type.clone();
            async move { ([(header::CONTENT_TYPE, content_type)], body) }
        });
        let listener = tokio::net::TcpListener::bind(a.bind).await?;
        println!("listening on http://{}/", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}
