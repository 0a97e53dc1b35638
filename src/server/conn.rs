//! Serving connections (INTERFACE 4): HTTP/1.1 with a header, a body and an idle timeout
//! (`server.header_timeout_s`, `server.body_timeout_s`, `server.idle_timeout_s`), HTTP/2
//! (gRPC, told apart by its connection preface) with keep-alive pings, and a graceful
//! shutdown that lets requests in progress finish.
//!
//! Each connection has a watchdog: while no request is in progress it closes the connection
//! when a started request head is not complete `header` after its first byte, or when no
//! byte came `idle` after the last answer. A request body is read under a deadline `body`
//! after its head; past it the request is answered HTTP 408 and the connection closed.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::{Instant, Sleep};

use super::error::{ApiError, code};

/// The timeouts of every connection.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From the first byte of a request head to its end.
    pub header: Duration,
    /// From the end of a request head to the end of its body.
    pub body: Duration,
    /// From an answer to the first byte of the next request.
    pub idle: Duration,
}

/// Accepts connections on `listener` and serves `router` on each until `shutdown` ends; then
/// stops accepting and waits for the open connections to finish their requests.
pub async fn run(
    listener: TcpListener,
    router: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut http1 = hyper::server::conn::http1::Builder::new();
    // hyper's own header timeout also runs on idle connections: the watchdog does both.
    http1.keep_alive(true).header_read_timeout(None);
    let mut http2 = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    // A peer that answers no ping within the timeout is gone: the connection is closed.
    (http2.timer(TokioTimer::new()))
        .keep_alive_interval(Some(H2_PING_INTERVAL))
        .keep_alive_timeout(H2_PING_TIMEOUT);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors and the like: wait a little, as axum::serve does.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (router, watcher, http1, http2) = (
            router.clone(),
            graceful.watcher(),
            http1.clone(),
            http2.clone(),
        );
        tokio::spawn(async move {
            match opens_http2(&stream, timeouts.idle.max(timeouts.header)).await {
                None => {} // closed, or nothing to tell within the timeout: dropped
                Some(true) => {
                    let service = TowerToHyperService::new(router);
                    let conn = http2.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn).await;
                }
                Some(false) => {
                    let shared = Arc::new(Shared::new());
                    let io = TokioIo::new(Watched {
                        inner: stream,
                        shared: shared.clone(),
                    });
                    let service = hyper::service::service_fn({
                        let shared = shared.clone();
                        move |req| handle(router.clone(), shared.clone(), timeouts, req)
                    });
                    let conn = watcher.watch(http1.serve_connection(io, service));
                    tokio::select! {
                        _ = conn => {}
                        () = watchdog(&shared, timeouts) => {} // drops the connection: closed
                    }
                }
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// How often an HTTP/2 connection is pinged, and how long the answer may take.
const H2_PING_INTERVAL: Duration = Duration::from_secs(30);
const H2_PING_TIMEOUT: Duration = Duration::from_secs(20);

/// What every HTTP/2 connection starts with (RFC 9113 3.4); an HTTP/1.1 request never does.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Whether the client opened with HTTP/2's preface (`Some(true)`) or something else
/// (`Some(false)`: HTTP/1.1), read without consuming it; `None` when the connection closed or
/// `wait` passed first.
async fn opens_http2(stream: &TcpStream, wait: Duration) -> Option<bool> {
    let mut buf = [0u8; H2_PREFACE.len()];
    let tell = async {
        loop {
            let n = stream.peek(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            if buf[..n] != H2_PREFACE[..n] {
                return Some(false);
            }
            if n == H2_PREFACE.len() {
                return Some(true);
            }
            // A part of the preface: wait for the rest.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(wait, tell).await.ok().flatten()
}

/// One request: the body under its deadline, then the router; a body cut by the deadline
/// is answered HTTP 408.
async fn handle(
    router: Router,
    shared: Arc<Shared>,
    timeouts: Timeouts,
    req: Request<Incoming>,
) -> Result<Response, Infallible> {
    let _busy = Busy::start(shared);
    let cut = Arc::new(AtomicBool::new(false));
    let req = req.map(|inner| {
        Body::new(TimedBody {
            inner,
            deadline: Box::pin(tokio::time::sleep(timeouts.body)),
            cut: cut.clone(),
        })
    });
    let resp = hyper::service::Service::call(&TowerToHyperService::new(router), req).await?;
    if !cut.load(Ordering::Relaxed) {
        return Ok(resp);
    }
    let message = format!(
        "request body not received within {} s (server.body_timeout_s)",
        timeouts.body.as_secs()
    );
    let mut resp = (ApiError::new(code::INVALID_PARAMETER, message))
        .with_status(StatusCode::REQUEST_TIMEOUT)
        .into_response();
    (resp.headers_mut()).insert(header::CONNECTION, HeaderValue::from_static("close"));
    Ok(resp)
}

/// What the watchdog of one connection watches.
struct Shared {
    state: Mutex<Activity>,
    /// Wakes the watchdog when a request starts or ends, or a head starts.
    wake: Notify,
}

struct Activity {
    /// Requests whose answer is not produced yet.
    in_flight: usize,
    /// When the connection last became idle (opened, or its last answer produced or written).
    idle_since: Instant,
    /// When the first byte after `idle_since` came: a request head is being read.
    head_started: Option<Instant>,
}

impl Shared {
    fn new() -> Shared {
        Shared {
            state: Mutex::new(Activity {
                in_flight: 0,
                idle_since: Instant::now(),
                head_started: None,
            }),
            wake: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Activity> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// When the connection is to be closed, unless something happens first; none while a
    /// request is in progress.
    fn deadline(&self, t: Timeouts) -> Option<Instant> {
        let a = self.lock();
        match (a.in_flight, a.head_started) {
            (0, Some(at)) => Some(at + t.header),
            (0, None) => Some(a.idle_since + t.idle),
            _ => None,
        }
    }
}

/// Returns when the connection has outlived its header or idle timeout.
async fn watchdog(shared: &Shared, t: Timeouts) {
    loop {
        match shared.deadline(t) {
            None => shared.wake.notified().await,
            Some(at) if at <= Instant::now() => return,
            Some(at) => tokio::select! {
                () = tokio::time::sleep_until(at) => {}
                () = shared.wake.notified() => {}
            },
        }
    }
}

/// A request in progress, from its complete head to its answer.
struct Busy(Arc<Shared>);

impl Busy {
    fn start(shared: Arc<Shared>) -> Busy {
        {
            let mut a = shared.lock();
            a.in_flight += 1;
            a.head_started = None;
        }
        shared.wake.notify_one();
        Busy(shared)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        {
            let mut a = self.0.lock();
            a.in_flight -= 1;
            a.idle_since = Instant::now();
        }
        self.0.wake.notify_one();
    }
}

/// The socket, noting when bytes come and go for the watchdog.
struct Watched {
    inner: TcpStream,
    shared: Arc<Shared>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            let started = {
                let mut a = self.shared.lock();
                let start = a.in_flight == 0 && a.head_started.is_none();
                if start {
                    a.head_started = Some(Instant::now());
                }
                start
            };
            if started {
                self.shared.wake.notify_one();
            }
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            // An answer still being written (to a slow reader) is not idleness.
            let mut a = self.shared.lock();
            if a.in_flight == 0 && a.head_started.is_none() {
                a.idle_since = Instant::now();
            }
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body that fails once its deadline passes.
struct TimedBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    /// Set when the deadline cut the body.
    cut: Arc<AtomicBool>,
}

/// The error of a body cut by its deadline.
#[derive(Debug, thiserror::Error)]
#[error("request body timed out")]
struct BodyTimeout;

impl hyper::body::Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.cut.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(BodyTimeout.into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
