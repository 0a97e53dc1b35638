//! Ctrl-C (SIGINT) and SIGTERM as a flag a waiting loop polls, so client-mode `import`
//! detaches cleanly instead of dying mid-line.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag set once the process gets SIGINT or SIGTERM (from the call on).
#[derive(Debug, Clone)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// Starts listening.
    pub fn listen() -> std::io::Result<Interrupt> {
        let flag = Arc::new(AtomicBool::new(false));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // Registering here (not in the thread) makes the signals caught once this returns.
        let mut term = rt.block_on(async {
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        })?;
        let ctrl_c = rt.block_on(async {
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        });
        let mut ctrl_c = ctrl_c?;
        let set = flag.clone();
        std::thread::spawn(move || {
            rt.block_on(async {
                tokio::select! {
                    _ = ctrl_c.recv() => {}
                    _ = term.recv() => {}
                }
            });
            set.store(true, Ordering::SeqCst);
        });
        Ok(Interrupt(flag))
    }

    /// Whether a signal came.
    pub fn fired(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
