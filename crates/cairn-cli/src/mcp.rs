//! `cairn mcp`: a Model Context Protocol server on stdio.
//!
//! This is the only module that uses the MCP library (`rmcp`, one major version
//! pinned in Cargo.toml): it lists [`crate::tools::TOOLS`] to clients and routes
//! their calls there, so an upgrade of the library touches this file alone.
//!
//! stdout carries protocol messages and nothing else: every line written to it
//! goes through one writer task, either a message of the library's or, for a line
//! of input that is not JSON at all (which the library drops unanswered), a JSON-RPC
//! parse error. Logs go to stderr.

use crate::report::CliError;
use crate::tools;
use crate::watch::{Shared, Watcher};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// Bytes buffered between the stdio tasks and the library.
const PIPE_BYTES: usize = 1 << 16;

/// Serves the tools over stdin/stdout until the client closes stdin; with `watch`,
/// re-syncs workspaces as their files change meanwhile.
pub fn run(shared: Arc<Shared>, watch: bool, verbose: bool) -> Result<(), CliError> {
    if watch {
        let workspaces = crate::watch::chosen_workspaces(&shared, None)?;
        let watcher = Watcher::start(Arc::clone(&shared), workspaces, verbose)?;
        std::thread::Builder::new()
            .name("cairn-watch".into())
            .spawn(move || watcher.run())
            .map_err(|e| cairn::Error::Invalid(format!("cannot start the watcher: {e}")))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| cairn::Error::Invalid(format!("cannot start the MCP server: {e}")))?;
    let result = runtime.block_on(serve(Arc::clone(&shared)));
    // A read of stdin may still be blocked in the runtime's thread pool.
    runtime.shutdown_background();
    shared.stop();
    result
}

async fn serve(shared: Arc<Shared>) -> Result<(), CliError> {
    eprintln!(
        "cairn mcp: serving {} tools on stdio (database {})",
        tools::TOOLS.len(),
        shared.read(|db| db.dir().display().to_string())
    );
    let (to_server, server_in) = tokio::io::duplex(PIPE_BYTES);
    let (server_out, from_server) = tokio::io::duplex(PIPE_BYTES);
    let (lines, outgoing) = mpsc::unbounded_channel::<Vec<u8>>();
    let writer = tokio::spawn(write_stdout(outgoing));
    let reader = tokio::spawn(read_stdin(to_server, lines.clone()));
    let forwarder = tokio::spawn(forward_lines(from_server, lines));
    let server = CairnServer::new(shared)
        .serve((server_in, server_out))
        .await
        .map_err(|e| cairn::Error::Invalid(format!("MCP initialisation failed: {e}")))?;
    let reason = server.waiting().await;
    eprintln!("cairn mcp: stopped ({reason:?})");
    reader.abort();
    let _ = forwarder.await;
    let _ = writer.await;
    Ok(())
}

/// Copies stdin to the library line by line; answers a line that is not JSON with a
/// parse error itself.
async fn read_stdin(
    mut to_server: tokio::io::DuplexStream,
    errors: mpsc::UnboundedSender<Vec<u8>>,
) {
    let mut stdin = BufReader::new(tokio::io::stdin());
    let mut line = Vec::new();
    loop {
        line.clear();
        match stdin.read_until(b'\n', &mut line).await {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                eprintln!("cairn mcp: reading stdin: {e}");
                return;
            }
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(text) {
            eprintln!("cairn mcp: a line of input is not JSON: {e}");
            let error = serde_json::json!({
                "jsonrpc": "2.0",
                "id": null,
                "error": {"code": -32700, "message": format!("Parse error: {e}")},
            });
            if errors.send(error.to_string().into_bytes()).is_err() {
                return;
            }
            continue;
        }
        if !line.ends_with(b"\n") {
            line.push(b'\n');
        }
        if to_server.write_all(&line).await.is_err() {
            return;
        }
    }
}

/// The library's output, split into lines for the writer.
async fn forward_lines(
    from_server: tokio::io::DuplexStream,
    lines: mpsc::UnboundedSender<Vec<u8>>,
) {
    let mut from_server = BufReader::new(from_server);
    loop {
        let mut line = Vec::new();
        match from_server.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if lines.send(line).is_err() {
                    return;
                }
            }
        }
    }
}

/// The one writer of stdout.
async fn write_stdout(mut lines: mpsc::UnboundedReceiver<Vec<u8>>) {
    let mut stdout = tokio::io::stdout();
    while let Some(mut line) = lines.recv().await {
        if !line.ends_with(b"\n") {
            line.push(b'\n');
        }
        if stdout.write_all(&line).await.is_err() || stdout.flush().await.is_err() {
            return;
        }
    }
}

struct CairnServer {
    shared: Arc<Shared>,
    tools: Vec<Tool>,
}

impl CairnServer {
    fn new(shared: Arc<Shared>) -> CairnServer {
        let tools = tools::TOOLS
            .iter()
            .map(|t| {
                Tool::new(t.name, t.description, t.input_schema())
                    .with_title(t.title)
                    .with_annotations(
                        ToolAnnotations::with_title(t.title)
                            .read_only(true)
                            .destructive(false)
                            .idempotent(true)
                            .open_world(false),
                    )
            })
            .collect();
        CairnServer { shared, tools }
    }
}

impl ServerHandler for CairnServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("cairn", env!("CARGO_PKG_VERSION"))
                    .with_title("Cairn code-context graph"),
            )
            .with_instructions(tools::INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(tool) = tools::find(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown tool `{}`; the tools are {}",
                    request.name,
                    tools::names()
                ),
                None,
            ));
        };
        let args = serde_json::Value::Object(request.arguments.unwrap_or_default());
        let shared = Arc::clone(&self.shared);
        // The database works synchronously: off the async workers.
        let outcome = tokio::task::spawn_blocking(move || tools::call(&shared, tool, args))
            .await
            .map_err(|e| ErrorData::internal_error(format!("the tool failed: {e}"), None))?;
        Ok(match outcome {
            Ok(text) => CallToolResult::success(vec![ContentBlock::text(text)]),
            Err(text) => CallToolResult::error(vec![ContentBlock::text(text)]),
        }
        .into())
    }
}
