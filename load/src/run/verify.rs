//! The run's last step when asked for: write the ack log, fetch each session's export for the
//! loss check, and measure the write stall around the faults someone injected meanwhile.

use crate::check;

use super::Runner;

impl Runner {
    /// Writes the ack log, runs the loss check and the stall, as the plan asks.
    pub(super) async fn check(&mut self) {
        let acks = match self.shared.ack_log.lock() {
            Ok(log) => log.clone(),
            Err(_) => return,
        };
        let s = self.shared.clone();
        if self.plan.reconnect {
            self.report.rejoins = Some(s.rejoins.report());
        }
        if let Some(path) = &self.plan.ack_log {
            if let Err(e) =
                check::write_ack_log(path, &acks, &s.ids, &self.plan.addrs, s.base_unix_ms)
            {
                self.report.notes.push(format!("ack log: {e}"));
            }
        }
        if let Some(path) = &self.plan.faults {
            match check::read_faults(path) {
                Ok(faults) => {
                    self.report.stall = Some(check::stalls(&acks, &faults, s.base_unix_ms));
                }
                Err(e) => self.report.notes.push(format!("faults: {e}")),
            }
        }
        let Some(from) = self.plan.check_from else {
            return;
        };
        // The named node first; if it does not answer, the others (it may be the one killed).
        let mut nodes = vec![from];
        nodes.extend(self.plan.addrs.iter().filter(|&&a| a != from));
        let mut last_error = String::new();
        for node in nodes {
            let mut exports = Vec::new();
            for rig in &self.rigs {
                match crate::target::export_json(node, &rig.slug, &rig.key).await {
                    Ok(export) => exports.push(export),
                    Err(e) => {
                        last_error = e;
                        break;
                    }
                }
            }
            if exports.len() == self.rigs.len() {
                self.report.check = Some(check::compare(&acks, &s.ids, &exports, node));
                return;
            }
        }
        self.report.notes.push(format!(
            "loss check: no node gave every export ({last_error})"
        ));
        // No check at all is a failed check.
        self.report.check = Some(check::CheckReport {
            lost: usize::MAX,
            examples: vec![last_error],
            ..check::CheckReport::default()
        });
    }
}
