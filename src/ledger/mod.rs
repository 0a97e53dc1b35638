//! The task ledger: states, task records, durable storage.
