//! A process a load tool started (a server, the bare broadcast server): stopped when it
//! is dropped, on a panic as well, so that a tool that fails half-way does not leave a
//! server behind holding its ports (a leftover `indaba serve` kept the metrics port and
//! failed the next CI run's Schemathesis stage).

use std::process::Child;

pub struct Spawned(Child);

impl Spawned {
    pub fn new(child: Child) -> Spawned {
        Spawned(child)
    }

    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// Stops the process and waits for it to end.
    pub fn stop(self) {
        drop(self)
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
