//! What else the machine did while a load tool measured, so that a disturbed run says so
//! instead of printing its figures as if they were clean: CPU time the hypervisor took
//! (steal), and cores kept busy by processes other than the ones measured (a build, a
//! second benchmark). Linux only (`/proc`); elsewhere nothing is known and nothing is said.

use std::collections::HashMap;

/// More stolen than this share of the CPU time, and the run was disturbed.
const STOLEN_AT_MOST: f64 = 0.02;
/// More cores than this busy in other processes, and the run was disturbed.
const OTHERS_AT_MOST: f64 = 0.25;

/// The machine's CPU time so far (all cores, in clock ticks), from `/proc/stat`.
#[derive(Clone, Copy, Debug)]
pub struct CpuTimes {
    total: u64,
    /// User and system time of processes: interrupts and softirqs are left out, since
    /// no process is charged for them (loopback TCP is mostly softirq work, done for the
    /// measured processes themselves).
    processes: u64,
    steal: u64,
    /// The CPUs the machine has (its `cpuN` lines).
    cpus: usize,
}

impl CpuTimes {
    pub fn now() -> Option<CpuTimes> {
        CpuTimes::parse(&std::fs::read_to_string("/proc/stat").ok()?)
    }

    /// The first line (all CPUs): user nice system idle iowait irq softirq steal (guest
    /// time is counted in user already); then one line per CPU.
    fn parse(stat: &str) -> Option<CpuTimes> {
        let cpus = stat
            .lines()
            .filter(|l| l.starts_with("cpu") && l[3..].starts_with(|c: char| c.is_ascii_digit()))
            .count();
        let mut fields = stat.lines().next()?.split_whitespace();
        if fields.next()? != "cpu" {
            return None;
        }
        let v: Vec<u64> = fields
            .take(8)
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        if v.len() < 8 {
            return None;
        }
        Some(CpuTimes {
            total: v.iter().sum(),
            processes: v[0] + v[1] + v[2],
            steal: v[7],
            cpus: cpus.max(1),
        })
    }
}

/// How the window between two readings went.
#[derive(Debug)]
pub struct Window {
    /// The share of all CPU time the hypervisor took.
    pub stolen: f64,
    /// Cores busy in processes on the whole machine, on average.
    pub busy_cores: f64,
}

impl Window {
    pub fn between(before: CpuTimes, after: CpuTimes) -> Option<Window> {
        let total = after.total.checked_sub(before.total).filter(|t| *t > 0)? as f64;
        let processes = after.processes.saturating_sub(before.processes) as f64;
        let steal = after.steal.saturating_sub(before.steal) as f64;
        Some(Window {
            stolen: steal / total,
            busy_cores: processes / total * after.cpus as f64,
        })
    }

    /// What disturbed the run, given the cores the measured processes (servers and the
    /// load tool itself) kept busy; `None` when nothing did.
    pub fn disturbance(&self, measured_cores: f64) -> Option<String> {
        let others = self.busy_cores - measured_cores;
        let mut said = Vec::new();
        if self.stolen > STOLEN_AT_MOST {
            said.push(format!(
                "the hypervisor took {:.1}% of the CPU time (steal)",
                self.stolen * 100.0
            ));
        }
        if others > OTHERS_AT_MOST {
            said.push(format!(
                "other processes kept {others:.2} cores busy beside the {measured_cores:.2} measured"
            ));
        }
        (!said.is_empty()).then(|| {
            format!(
                "DISTURBED RUN: {}; these figures are not clean",
                said.join(", and ")
            )
        })
    }
}

/// CPU seconds a process has used so far (user and system), 0 when it is gone.
pub fn cpu_seconds(pid: u32) -> f64 {
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // The fields after the command name, which is in parentheses.
            let rest = s.rsplit_once(')')?.1.to_owned();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
        })
        .unwrap_or(0.0);
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    ticks / hz
}

/// A process's peak resident memory so far, in MB (0 when it is gone).
pub fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

/// CPU seconds of every process of this name (as `/proc/PID/comm` gives it), by pid: a
/// database server's backends, measured with what they serve.
pub fn cpu_by_name(name: &str) -> HashMap<u32, f64> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == name)
        })
        .map(|pid| (pid, cpu_seconds(pid)))
        .collect()
}

/// PostgreSQL's processes when the run's database is PostgreSQL (they work for the
/// servers measured), else none.
pub fn postgres_cpu(on_postgres: bool) -> HashMap<u32, f64> {
    if on_postgres {
        cpu_by_name("postgres")
    } else {
        HashMap::new()
    }
}

/// What the processes of two `cpu_by_name` snapshots used in between (one started
/// meanwhile counts whole; one that ended meanwhile is not seen).
pub fn cpu_between(before: &HashMap<u32, f64>, after: &HashMap<u32, f64>) -> f64 {
    after
        .iter()
        .map(|(pid, now)| now - before.get(pid).copied().unwrap_or(0.0))
        .filter(|d| *d > 0.0)
        .sum()
}

/// CPU seconds used so far by this process's children that have ended and been waited
/// for (user and system): the difference across one child's run is that child's.
pub fn ended_children_cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the struct it is given, zeroed here.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) != 0 {
            return 0.0;
        }
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_window_is_clean_and_a_busy_one_is_not() {
        let stat = |all: &str| format!("cpu  {all}\ncpu0 0 0 0 0\ncpu1 0 0 0 0\nintr 1 2\n");
        let before = CpuTimes::parse(&stat("100 0 100 1000 0 0 0 0 0 0")).unwrap();
        // 400 ticks on two CPUs: 200 busy, 200 idle, nothing stolen: one core busy.
        let after = CpuTimes::parse(&stat("200 0 200 1200 0 0 0 0 0 0")).unwrap();
        let w = Window::between(before, after).unwrap();
        assert_eq!(w.stolen, 0.0);
        assert!((w.busy_cores - 1.0).abs() < 1e-9);
        assert_eq!(w.disturbance(w.busy_cores), None);
        let said = w.disturbance(0.0).unwrap();
        assert!(said.contains("other processes"), "{said}");

        // 100 of 400 ticks stolen.
        let after = CpuTimes::parse(&stat("150 0 150 1200 0 0 0 100 0 0")).unwrap();
        let w = Window::between(before, after).unwrap();
        assert!((w.stolen - 0.25).abs() < 1e-9);
        assert!(w.disturbance(w.busy_cores).unwrap().contains("steal"));
        // Softirq time (loopback TCP) is no process's: not counted as others' work.
        let after = CpuTimes::parse(&stat("200 0 200 1200 0 0 200 0 0 0")).unwrap();
        let w = Window::between(before, after).unwrap();
        assert!((w.busy_cores - 2.0 / 3.0).abs() < 1e-9);
        assert!(CpuTimes::parse("intr 1 2 3").is_none());
        if cfg!(target_os = "linux") {
            assert!(CpuTimes::now().is_some(), "/proc/stat is read on Linux");
        }
        assert!(Window::between(after, after).is_none());
    }
}
