//! The tokio runtime an object root runs its requests on, behind blocking calls.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use tokio::runtime::{Builder, Handle, Runtime};
use tokio::task::JoinHandle;

use crate::source::SourceError;
use crate::source::ranged::Fetch;

/// Threads of the runtime: requests are I/O-bound; two keep a read ahead going while
/// another one's body arrives.
const IO_THREADS: usize = 2;

/// A shared runtime, shut down in the background when the last root using it is dropped
/// (dropping a runtime inside another one's async context would panic).
#[derive(Debug, Clone)]
pub(super) struct Rt(Arc<RtInner>);

#[derive(Debug)]
struct RtInner {
    handle: Handle,
    /// Always `Some` until dropped.
    rt: Option<Runtime>,
}

impl Drop for RtInner {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl Rt {
    pub(super) fn new() -> std::io::Result<Self> {
        let rt = Builder::new_multi_thread()
            .worker_threads(IO_THREADS)
            .thread_name("vecload-object-io")
            .enable_all()
            .build()?;
        let handle = rt.handle().clone();
        Ok(Rt(Arc::new(RtInner {
            handle,
            rt: Some(rt),
        })))
    }

    /// Runs `f` to completion from blocking code. Called from inside some other async
    /// context (a server handler), it waits on a scoped thread instead of panicking.
    pub(super) fn block_on<F>(&self, f: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        let h = &self.0.handle;
        if Handle::try_current().is_ok() {
            std::thread::scope(|s| match s.spawn(|| h.block_on(f)).join() {
                Ok(out) => out,
                Err(panic) => std::panic::resume_unwind(panic),
            })
        } else {
            h.block_on(f)
        }
    }

    /// Starts `f` on the runtime.
    pub(super) fn spawn<F>(&self, f: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.handle.spawn(f)
    }
}

/// A read running on the runtime; dropping it cancels the read.
pub(super) struct Spawned {
    pub handle: Option<JoinHandle<Result<Bytes, SourceError>>>,
    pub rt: Rt,
    /// The object, for a read that panicked or was cancelled.
    pub url: String,
}

impl Fetch for Spawned {
    fn wait(mut self: Box<Self>) -> Result<Bytes, SourceError> {
        let Some(handle) = self.handle.take() else {
            return Err(SourceError::Store {
                url: self.url.clone(),
                detail: "read already taken".into(),
            });
        };
        self.rt.block_on(handle).unwrap_or_else(|e| {
            Err(SourceError::Store {
                url: self.url.clone(),
                detail: format!("read task failed: {e}"),
            })
        })
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.abort();
        }
    }
}
